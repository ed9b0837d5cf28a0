/**
 * Fractional positions: strings over base-62 digits ("0-9A-Za-z", in byte order, as KV sorts
 * keys) read as fractions 0.d1d2d3… Any two positions have another between them, so an item
 * moves by rewriting its own key only. A position never ends in "0", which keeps room below it.
 */
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ZERO = DIGITS[0];
const MIDDLE = DIGITS[DIGITS.length / 2];
const LAST = DIGITS[DIGITS.length - 1];

class PositionError extends Error {
  override name = "PositionError";
}

function digitOf(char: string): number {
  const value = DIGITS.indexOf(char);
  if (value < 0) throw new PositionError(`not a position digit: ${JSON.stringify(char)}`);
  return value;
}

function checkPosition(position: string): void {
  if (position === "" || position.endsWith(ZERO)) {
    throw new PositionError(`malformed position ${JSON.stringify(position)}`);
  }
  for (const char of position) digitOf(char);
}

/** A position strictly between `low` (or the start) and `high` (or the end). */
export function positionBetween(low: string | undefined, high: string | undefined): string {
  if (low !== undefined) checkPosition(low);
  if (high !== undefined) checkPosition(high);
  if (low !== undefined && high !== undefined && low >= high) {
    throw new PositionError(`${JSON.stringify(low)} is not before ${JSON.stringify(high)}`);
  }
  // appending is the common case: bump the first digit that can grow, so keys stay short
  if (high === undefined) return low === undefined ? MIDDLE : positionAfter(low);
  return midpoint(low ?? "", high);
}

function positionAfter(low: string): string {
  const head = low[0];
  if (head === undefined) return MIDDLE;
  if (head !== LAST) return DIGITS[digitOf(head) + 1];
  return LAST + positionAfter(low.slice(1));
}

/** `low` may be "" (zero); `high` is a position greater than `low`. */
function midpoint(low: string, high: string): string {
  let shared = 0;
  while ((low[shared] ?? ZERO) === high[shared]) shared++;
  if (shared > 0) return high.slice(0, shared) + midpoint(low.slice(shared), high.slice(shared));
  const lowDigit = low ? digitOf(low[0]) : 0;
  const highDigit = digitOf(high[0]);
  if (highDigit - lowDigit > 1) return DIGITS[Math.round((lowDigit + highDigit) / 2)];
  // adjacent first digits: a longer `high` leaves room at its first digit alone
  if (high.length > 1) return high[0];
  return DIGITS[lowDigit] + midpointAbove(low.slice(1));
}

/** A position between `low` (possibly "") and 1. */
function midpointAbove(low: string): string {
  const lowDigit = low ? digitOf(low[0]) : 0;
  if (DIGITS.length - lowDigit > 1) return DIGITS[Math.round((lowDigit + DIGITS.length) / 2)];
  return DIGITS[lowDigit] + midpointAbove(low.slice(1));
}
