/**
 * Between a worker pool's loops and its upkeep (updating yt-dlp): the loops pass it to claim and
 * run a job; upkeep holds new claims, waits until no claim is out and no job runs, then runs alone.
 */
export class ClaimGate {
  #busy = 0;
  #hold?: { released: PromiseWithResolvers<void>; idle: PromiseWithResolvers<void> };

  /** Waits while upkeep holds claims; false when the signal fired first (nothing entered). */
  async enter(signal: AbortSignal): Promise<boolean> {
    while (this.#hold && !signal.aborted) {
      await untilEither(this.#hold.released.promise, signal);
    }
    if (signal.aborted) return false;
    this.#busy++;
    return true;
  }

  /** After a claim that brought nothing, or once its job is over. */
  leave(): void {
    this.#busy--;
    if (this.#busy === 0) this.#hold?.idle.resolve();
  }

  /** Holds new claims, waits until the pool is idle, runs work, then lets claims go again. */
  async whileIdle<T>(work: () => Promise<T>): Promise<T> {
    while (this.#hold) await this.#hold.released.promise;
    const hold = { released: Promise.withResolvers<void>(), idle: Promise.withResolvers<void>() };
    this.#hold = hold;
    if (this.#busy === 0) hold.idle.resolve();
    try {
      await hold.idle.promise;
      return await work();
    } finally {
      this.#hold = undefined;
      hold.released.resolve();
    }
  }
}

async function untilEither(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  const aborted = Promise.withResolvers<void>();
  const onAbort = () => aborted.resolve();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.race([promise, aborted.promise]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
