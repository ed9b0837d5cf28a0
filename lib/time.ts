/** Calendar dates in a user's time zone. */

/** Per zone: its formatter (null when the zone is unknown) and the latest day it gave. */
interface ZoneDays {
  formatter: Intl.DateTimeFormat | null;
  minute: number;
  day: string;
}

// building an Intl formatter costs far more than using one: keep one per zone
const zones = new Map<string, ZoneDays>();

/** "2026-11-24" for the instant `at` as seen in `timezone` (unknown zones fall back to UTC). */
export function localDay(at: number, timezone: string): string {
  // every zone's offset is a whole number of minutes, so a day only turns on a minute's edge
  const minute = Math.floor(at / 60_000);
  let zone = zones.get(timezone);
  if (zone?.minute === minute) return zone.day;
  if (!zone) {
    zone = { formatter: dayFormatter(timezone), minute: NaN, day: "" };
    if (zones.size < 1_000) zones.set(timezone, zone);
  }
  zone.minute = minute;
  zone.day = zone.formatter?.format(at) ?? utcDay(at);
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

function dayFormatter(timezone: string): Intl.DateTimeFormat | null {
  try {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: timezone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
  } catch {
    return null;
  }
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
