/**
 * Time-sortable ids (ULIDs: 10 characters of milliseconds, 16 random ones, in Crockford's
 * base 32). Made here rather than by the `ulid` package, whose Node build loads node:crypto:
 * a sizeable share of a cold start.
 */

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const TIME_MAX = 2 ** 48 - 1;

const pool = new Uint8Array(4096);
let drawn = pool.length;

/** Crypto-random bytes from a pool refilled 4 kB at a time, not a system call per character. */
function randomByte(): number {
  if (drawn === pool.length) {
    crypto.getRandomValues(pool);
    drawn = 0;
  }
  return pool[drawn++];
}

/** A time in ms as the first `length` characters of a ULID made at that time. */
export function encodeTime(ms: number, length = TIME_LENGTH): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > TIME_MAX) throw new RangeError(`no ULID time: ${ms}`);
  let encoded = "";
  for (let rest = ms, i = 0; i < length; i++, rest = Math.floor(rest / 32)) {
    encoded = CROCKFORD[rest % 32] + encoded;
  }
  return encoded;
}

function randomPart(): string {
  let part = "";
  // 256 is a multiple of 32: every character is equally likely
  for (let i = 0; i < RANDOM_LENGTH; i++) part += CROCKFORD[randomByte() % 32];
  return part;
}

/** A new id, made at `at` (now by default). */
export function ulid(at: number = Date.now()): string {
  return encodeTime(at) + randomPart();
}

/** The next base-32 string of the same length ("…0Z" → "…10"). */
function increment(part: string): string {
  for (let i = part.length - 1; i >= 0; i--) {
    const digit = CROCKFORD.indexOf(part[i]);
    if (digit < 31) {
      return part.slice(0, i) + CROCKFORD[digit + 1] + "0".repeat(part.length - i - 1);
    }
  }
  throw new RangeError("ULID random part overflow");
}

/** ULIDs that sort in the order they were made, even within one millisecond. */
export function monotonicUlids(): (at?: number) => string {
  let lastTime = -1;
  let lastRandom = "";
  return (at = Date.now()) => {
    if (at <= lastTime) {
      lastRandom = increment(lastRandom);
      return encodeTime(lastTime) + lastRandom;
    }
    lastTime = at;
    lastRandom = randomPart();
    return encodeTime(at) + lastRandom;
  };
}

/** What every id the app makes looks like (a ULID's 26 characters), as a RegExp source. */
export const ID_PATTERN = "[0-9A-Z]{26}";

const wholeId = new RegExp(`^${ID_PATTERN}$`);

/** Whether a string from outside (a URL, a button) can be one of our ids, before any KV read. */
export function isId(text: string): boolean {
  return wholeId.test(text);
}
