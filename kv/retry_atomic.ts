/**
 * One read-check-write against KV, retried while its commit loses a race: the step reads what it
 * needs, adds its checks and writes to the atomic it is handed, and returns `commit(result)`; a
 * commit whose checks failed runs the step again on a fresh atomic (its `attempt` counts from 0),
 * after a short random pause.
 * A step that returns anything else (nothing to do, a refusal) ends there and commits nothing.
 */

/** What a step returns to have its atomic committed; `value` is the result once it is. */
export class Commit<T> {
  constructor(readonly value: T) {}
}

export function commit<T>(value: T): Commit<T> {
  return new Commit(value);
}

/** Every attempt lost its race: something else keeps writing what the step checks. */
export class AtomicContentionError extends Error {
  override name = "AtomicContentionError";
  constructor(readonly what: string, readonly attempts: number) {
    super(`${what} is too busy: ${attempts} commits in a row lost to other writes`);
  }
}

/** A step's result: what it returned, with each `commit(value)` read as its value. */
export type Committed<R> = R extends Commit<infer V> ? V : R;

export interface RetryAtomicOptions<T> {
  /** named in the error, e.g. "playlist 01J…" */
  what: string;
  /** commits tried before giving up: a few where contention is rare, more where it is expected */
  attempts: number;
  /** instead of throwing the AtomicContentionError: the caller's own error, or a fallback result */
  onContention?: (error: AtomicContentionError) => T | Promise<T>;
}

export async function retryAtomic<R>(
  kv: Deno.Kv,
  step: (op: Deno.AtomicOperation, attempt: number) => Promise<R>,
  options: RetryAtomicOptions<Committed<R>>,
): Promise<Committed<R>> {
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    if (attempt > 0) await pause(attempt);
    const op = kv.atomic();
    const outcome = await step(op, attempt);
    if (!(outcome instanceof Commit)) return outcome as Committed<R>;
    if ((await op.commit()).ok) return outcome.value;
  }
  const error = new AtomicContentionError(options.what, options.attempts);
  if (options.onContention) return await options.onContention(error);
  throw error;
}

/** Spreads retries so writers that collided do not collide again in lockstep. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
