/** A sliding-window limit per key, in memory: cheap enough to run on every update. */
export class RateLimiter {
  #hits = new Map<number, number[]>();
  #warnedAt = new Map<number, number>();
  /** with many active users a sweep frees little: at most one a window, not one per hit */
  #nextPruneAt = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit; returns 0 when allowed, else the milliseconds to wait. */
  hit(key: number): number {
    const now = this.now();
    let recent = this.#hits.get(key);
    if (!recent) this.#hits.set(key, recent = []);
    // oldest first: drop the hits that left the window
    while (recent.length > 0 && recent[0] <= now - this.windowMs) recent.shift();
    if (recent.length >= this.limit) return recent[0] + this.windowMs - now;
    recent.push(now);
    if (this.#hits.size > 10_000 && now >= this.#nextPruneAt) {
      this.#nextPruneAt = now + this.windowMs;
      this.prune(now);
    }
    return 0;
  }

  /** True at most once per window for a key, so a flood gets one answer, not one per message. */
  shouldWarn(key: number): boolean {
    const now = this.now();
    if (now - (this.#warnedAt.get(key) ?? -Infinity) < this.windowMs) return false;
    this.#warnedAt.set(key, now);
    return true;
  }

  private prune(now: number) {
    for (const [key, at] of this.#warnedAt) {
      if (at <= now - this.windowMs) this.#warnedAt.delete(key);
    }
    for (const [key, hits] of this.#hits) {
      if (hits.every((at) => at <= now - this.windowMs)) this.#hits.delete(key);
    }
  }
}
