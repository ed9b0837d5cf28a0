/** Wall-clock times in an IANA time zone and the instants they name, across DST changes. */

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall clock in `timezone` at the instant `at`. */
export function wallTimeAt(at: number, timezone: string): Required<WallTime> {
  const parts = Object.fromEntries(
    formatterFor(timezone).formatToParts(at).map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Minutes east of UTC in `timezone` at the instant `at` (Paris: 60 in winter, 120 in summer). */
export function offsetMinutesAt(at: number, timezone: string): number {
  const wall = wallTimeAt(at, timezone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time names in `timezone`. Like Temporal's "compatible": a time that
 * occurs twice (clocks go back) is the earlier one; a time skipped (clocks go forward) moves
 * forward by the gap, so 02:30 on a spring-forward night in Paris is 03:30.
 */
export function instantOfWallTime(wall: WallTime, timezone: string): number {
  const asUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second ?? 0,
  );
  // the offsets a day before and after cover both sides of any transition near this time
  const before = offsetMinutesAt(asUtc - 86_400_000, timezone);
  const after = offsetMinutesAt(asUtc + 86_400_000, timezone);
  const candidates = [...new Set([before, after])]
    .map((offset) => asUtc - offset * 60_000)
    .filter((instant) => asUtc - offsetMinutesAt(instant, timezone) * 60_000 === instant)
    .sort((a, b) => a - b);
  return candidates[0] ?? asUtc - before * 60_000;
}

/** The same wall-clock time `days` calendar days later (not days × 24 h: DST days are 23 or 25 h). */
export function addLocalDays(wall: WallTime, days: number): WallTime {
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return {
    ...wall,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  };
}
