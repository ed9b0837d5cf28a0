/** A sliding-window limit per key, in memory: cheap enough to run on every update. */
export class RateLimiter {
  #hits = new Map<number, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit; returns 0 when allowed, else the milliseconds to wait. */
  hit(key: number): number {
    const now = this.now();
    const recent = (this.#hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.#hits.set(key, recent);
      return recent[0] + this.windowMs - now;
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 10_000) this.prune(now);
    return 0;
  }

  private prune(now: number) {
    for (const [key, hits] of this.#hits) {
      if (hits.every((at) => at <= now - this.windowMs)) this.#hits.delete(key);
    }
  }
}
