/** Small assertion helpers (the standard library's live on JSR, which this project does not use). */
import { isDeepStrictEqual } from "node:util";
import { inspect } from "node:util";

export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}values differ\n  actual:   ${
        inspect(actual, { depth: 6 })
      }\n  expected: ${inspect(expected, { depth: 6 })}`,
    );
  }
}

export function assertExists<T>(
  value: T,
  message = "expected a value",
): asserts value is NonNullable<T> {
  if (value === null || value === undefined) throw new AssertionError(message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}${inspect(actual)} does not match ${pattern}`,
    );
  }
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  match?: RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (match && !match.test(err.message)) {
      throw new AssertionError(`rejected with ${inspect(err.message)}, expected ${match}`);
    }
    return err;
  }
  throw new AssertionError("expected a rejection");
}

export function assertThrows(fn: () => unknown, match?: RegExp): Error {
  try {
    fn();
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (match && !match.test(err.message)) {
      throw new AssertionError(`threw ${inspect(err.message)}, expected ${match}`);
    }
    return err;
  }
  throw new AssertionError("expected an exception");
}
