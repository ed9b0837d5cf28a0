/** Calendar dates and wall clocks in a user's time zone (Temporal does the zone arithmetic). */

/** The instant `at` (ms since the epoch) as the wall clock and calendar of `timezone` show it. */
export function zonedAt(at: number, timezone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timezone);
}

/** Per zone: whether Temporal knows it, and the latest day it gave. */
interface ZoneDays {
  known: boolean;
  minute: number;
  day: string;
}

// a day is asked for on every quota check: each zone's answer is kept for the minute it holds
const zones = new Map<string, ZoneDays>();

/** "2026-11-24" for the instant `at` as seen in `timezone` (unknown zones fall back to UTC). */
export function localDay(at: number, timezone: string): string {
  // every zone's offset is a whole number of minutes, so a day only turns on a minute's edge
  const minute = Math.floor(at / 60_000);
  let zone = zones.get(timezone);
  if (zone?.minute === minute) return zone.day;
  if (!zone) {
    zone = { known: isValidTimezone(timezone), minute: NaN, day: "" };
    if (zones.size < 1_000) zones.set(timezone, zone);
  }
  zone.minute = minute;
  zone.day = zone.known ? zonedAt(at, timezone).toPlainDate().toString() : utcDay(at);
  return zone.day;
}

let lastUtc = { dayNumber: NaN, day: "" };

/** "2026-11-24" for the instant `at` in UTC. */
export function utcDay(at: number): string {
  const dayNumber = Math.floor(at / 86_400_000);
  if (dayNumber !== lastUtc.dayNumber) {
    lastUtc = { dayNumber, day: new Date(dayNumber * 86_400_000).toISOString().slice(0, 10) };
  }
  return lastUtc.day;
}

export function isValidTimezone(timezone: string): boolean {
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(timezone);
    return true;
  } catch {
    return false;
  }
}
