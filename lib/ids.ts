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
