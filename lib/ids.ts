/** Time-sortable ids (ULIDs) for records written in bulk. */
import { monotonicFactory } from "ulid";

const pool = new Uint8Array(4096);
let drawn = pool.length;

/**
 * Crypto-random fractions from a pool refilled 4 kB at a time: ulid's own generator asks the
 * system for one byte per character, an op call and an allocation each.
 */
function pooledRandom(): number {
  if (drawn === pool.length) {
    crypto.getRandomValues(pool);
    drawn = 0;
  }
  return pool[drawn++] / 256;
}

/** ULIDs that sort in the order they were made, even within one millisecond. */
export function monotonicUlids(): (at?: number) => string {
  return monotonicFactory(pooledRandom);
}

/** What every id the app makes looks like (a ULID's 26 characters), as a RegExp source. */
export const ID_PATTERN = "[0-9A-Z]{26}";

const wholeId = new RegExp(`^${ID_PATTERN}$`);

/** Whether a string from outside (a URL, a button) can be one of our ids, before any KV read. */
export function isId(text: string): boolean {
  return wholeId.test(text);
}
