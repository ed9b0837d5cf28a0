/** Dates and times as a user reads them: in their locale and time zone. */

/** "25/11/2026 14:00 (Europe/Paris)": an instant in the user's zone, with the zone's name. */
export function formatLocalTime(locale: string, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: timezone,
  }).format(at) + ` (${timezone})`;
}

export function formatDate(locale: string, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: timezone }).format(at);
}
