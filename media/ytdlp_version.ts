/**
 * yt-dlp's version is its release date: `2026.11.23`, or `2026.11.23.123456` for a nightly build.
 * Workers report it with their claims; the app tells admins when the fleet's is getting old.
 */

/** What a worker may report as its yt-dlp version (it also goes into metric labels). */
export const YTDLP_VERSION_PATTERN = /^[\w.+-]{1,40}$/;

/** The fleet's yt-dlp is old past this: sites change, and extractors with them. */
export const YTDLP_STALE_DAYS = 60;

const DAY_MS = 24 * 60 * 60_000;
const RELEASE_DATE = /^(\d{4})\.(\d{2})\.(\d{2})(?:\.\d+)?$/;

/** The release date (UTC midnight, epoch ms); undefined for a version that is not a date. */
export function ytdlpReleaseDate(version: string): number | undefined {
  const match = RELEASE_DATE.exec(version);
  if (!match) return undefined;
  const [year, month, day] = match.slice(1).map(Number);
  const date = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026.02.31 over into March: such a version is not a date
  return new Date(date).getUTCDate() === day && month <= 12 ? date : undefined;
}

/** Whole days from the release to now; undefined when the version is not a date. */
export function ytdlpAgeDays(version: string, now: number): number | undefined {
  const released = ytdlpReleaseDate(version);
  return released === undefined ? undefined : Math.max(0, Math.floor((now - released) / DAY_MS));
}
