/**
 * The per-user rate limit (so many updates in a window), one for every app instance, without a
 * KV write per update.
 *
 * Each user has one KV entry: their hits in the current fixed window and in the one before; the
 * count over the last window is read as the current one plus the previous one weighted by how
 * much of it still overlaps (a sliding-window estimate). The entry is read with the user's
 * profile, in the same round trip, on every update. An instance writes the hits it allowed only
 * every FLUSH_EVERY of them, or at once when the user is within FLUSH_EVERY of the limit, where
 * each hit is then decided inside the atomic that counts it. Writes of several users go in one
 * atomic. Hits kept here when a window ends count on here, weighted, and are written with the
 * next ones: a window's end costs no I/O (it used to cost every active user a read and a write
 * at their next update). So a user far from the limit costs a write every FLUSH_EVERY updates,
 * and across N instances a user gets at most the limit plus (N - 1) × FLUSH_EVERY before being
 * refused.
 */
import { commit, retryAtomic } from "./retry_atomic.ts";

/** hits an instance keeps before writing them, while the user is far from the limit */
export const FLUSH_EVERY = 5;
/** KV's limit on the checks of one atomic */
const MAX_CHECKS = 100;

export interface HitCounts {
  /** the fixed window the counts are for (time divided by the window's length) */
  window: number;
  count: number;
  previous: number;
}

export function hitCountsKey(userId: number) {
  return ["rate_hits", userId] as const;
}

/** Hits allowed on this instance and not written yet. */
interface Unwritten {
  /** the window `hits` fell in */
  window: number;
  hits: number;
  /** hits of the window before, which count on, weighted, until written with the next ones */
  late: number;
}

interface PendingFlush {
  userId: number;
  entry: Deno.KvEntryMaybe<HitCounts>;
  unwritten: Unwritten;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class RateLimits {
  /** hits allowed here and not written yet, by user */
  readonly #unwritten = new Map<number, Unwritten>();
  /** the window each user was last warned in by this instance (KV decides across instances) */
  readonly #warned = new Map<number, number>();
  #nextPruneAt = 0;
  #flushes: PendingFlush[] = [];
  #flushing = false;

  constructor(
    private readonly kv: Deno.Kv,
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts an update of a user, given their entry as read (with their profile): 0 when it is
   * allowed, else the milliseconds until it would be.
   */
  async hit(userId: number, entry: Deno.KvEntryMaybe<HitCounts>): Promise<number> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    this.#prune(window, now);
    const unwritten = this.#unwrittenFor(userId, window);
    const counts = countsAt(entry.value, window);
    const estimate = this.#estimate(counts, unwritten, now);
    if (estimate + 1 > this.limit) return this.#waitMs(counts, unwritten, now);
    if (estimate + 1 > this.limit - FLUSH_EVERY) return await this.#hitChecked(userId, window);
    const next = { ...unwritten, hits: unwritten.hits + 1 };
    if (next.late + next.hits < FLUSH_EVERY) {
      this.#unwritten.set(userId, next);
      return 0;
    }
    this.#unwritten.delete(userId);
    await this.#flush(userId, entry, next);
    return 0;
  }

  /** True for the first refusal of a user in a window, on whichever instance it happens. */
  async shouldWarn(userId: number): Promise<boolean> {
    const window = Math.floor(this.now() / this.windowMs);
    if (this.#warned.get(userId) === window) return false;
    this.#warned.set(userId, window);
    const key = ["rate_warned", userId, window];
    const result = await this.kv.atomic()
      .check({ key, versionstamp: null })
      .set(key, true, { expireIn: this.windowMs })
      .commit();
    return result.ok;
  }

  /**
   * Decides a hit in the atomic that counts it, with the user's entry read again: near the limit,
   * so that racing hits cannot both pass.
   */
  #hitChecked(userId: number, window: number): Promise<number> {
    return retryAtomic(this.kv, async (op) => {
      const now = this.now();
      const entry = await this.kv.get<HitCounts>(hitCountsKey(userId));
      const unwritten = this.#unwrittenFor(userId, window);
      const counts = countsAt(entry.value, window);
      const estimate = this.#estimate(counts, unwritten, now);
      if (estimate + 1 > this.limit) return this.#waitMs(counts, unwritten, now);
      op.check(entry).set(
        entry.key,
        withUnwritten(entry.value, { ...unwritten, hits: unwritten.hits + 1 }),
        {
          expireIn: 2 * this.windowMs,
        },
      );
      this.#unwritten.delete(userId);
      return commit(0);
    }, { what: `the rate limit of user ${userId}`, attempts: 20 });
  }

  /** The user's unwritten hits as of `window`: those of the window before become late ones. */
  #unwrittenFor(userId: number, window: number): Unwritten {
    const kept = this.#unwritten.get(userId);
    if (kept?.window === window) return kept;
    if (kept?.window === window - 1) return { window, hits: 0, late: kept.hits };
    return { window, hits: 0, late: 0 };
  }

  #estimate(counts: HitCounts, unwritten: Unwritten, now: number): number {
    const elapsed = (now - counts.window * this.windowMs) / this.windowMs;
    return (counts.previous + unwritten.late) * (1 - elapsed) + counts.count + unwritten.hits;
  }

  /** Until the estimate leaves room for one more hit, if no other comes meanwhile. */
  #waitMs(counts: HitCounts, unwritten: Unwritten, now: number): number {
    const room = this.limit - 1;
    const previous = counts.previous + unwritten.late;
    const current = counts.count + unwritten.hits;
    const windowStart = counts.window * this.windowMs;
    if (current <= room && previous > 0) {
      // within this window, as the previous one's weight fades
      const fraction = 1 - (room - current) / previous;
      return Math.max(1, Math.ceil(windowStart + fraction * this.windowMs - now));
    }
    // in the next window, as this one's hits, then previous, fade
    const fraction = current > 0 ? Math.max(0, 1 - room / current) : 0;
    return Math.max(1, Math.ceil(windowStart + this.windowMs * (1 + fraction) - now));
  }

  /** Writes a user's hits, with other users' waiting to be written, in one atomic. */
  #flush(
    userId: number,
    entry: Deno.KvEntryMaybe<HitCounts>,
    unwritten: Unwritten,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#flushes.push({ userId, entry, unwritten, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        queueMicrotask(() => this.#writeFlushes());
      }
    });
  }

  async #writeFlushes(): Promise<void> {
    while (this.#flushes.length > 0) {
      const batch = takeDistinctUsers(this.#flushes, MAX_CHECKS);
      const op = this.kv.atomic();
      for (const flush of batch) {
        op.check(flush.entry).set(
          flush.entry.key,
          withUnwritten(flush.entry.value, flush.unwritten),
          {
            expireIn: 2 * this.windowMs,
          },
        );
      }
      const written = await op.commit().then((result) => result.ok, () => false);
      // an entry another instance wrote meanwhile: each is written on its own, read again
      await Promise.all(batch.map((flush) => written ? flush.resolve() : this.#writeAlone(flush)));
    }
    this.#flushing = false;
  }

  async #writeAlone(flush: PendingFlush): Promise<void> {
    try {
      await retryAtomic(this.kv, async (op, attempt) => {
        const entry = attempt === 0 ? flush.entry : await this.kv.get<HitCounts>(flush.entry.key);
        op.check(entry).set(entry.key, withUnwritten(entry.value, flush.unwritten), {
          expireIn: 2 * this.windowMs,
        });
        return commit(undefined);
      }, { what: `the rate limit of user ${flush.userId}`, attempts: 20 });
      flush.resolve();
    } catch (error) {
      flush.reject(error);
    }
  }

  /** Forgets, once a window, what no longer counts: hits and warnings of windows gone by. */
  #prune(window: number, now: number): void {
    if (now < this.#nextPruneAt) return;
    this.#nextPruneAt = now + this.windowMs;
    for (const [userId, unwritten] of this.#unwritten) {
      if (unwritten.window < window - 1) this.#unwritten.delete(userId);
    }
    for (const [userId, warned] of this.#warned) {
      if (warned < window) this.#warned.delete(userId);
    }
  }
}

/** A user's counts as of `window`: older windows moved to `previous`, or gone. */
function countsAt(stored: HitCounts | null, window: number): HitCounts {
  if (stored && stored.window >= window) return stored;
  if (stored?.window === window - 1) return { window, count: 0, previous: stored.count };
  return { window, count: 0, previous: 0 };
}

/** The counts with hits of `window` added; those of a window gone by go to `previous`. */
function added(stored: HitCounts | null, window: number, hits: number): HitCounts {
  if (stored?.window === window + 1) return { ...stored, previous: stored.previous + hits };
  const counts = countsAt(stored, window);
  return { ...counts, count: counts.count + hits };
}

/** The stored counts with a user's unwritten hits added, the late ones to the window before. */
function withUnwritten(stored: HitCounts | null, unwritten: Unwritten): HitCounts {
  const withLate = unwritten.late > 0
    ? added(stored, unwritten.window - 1, unwritten.late)
    : stored;
  return added(withLate, unwritten.window, unwritten.hits);
}

/** Up to `max` flushes, one per user (a user's second waits for the next atomic). */
function takeDistinctUsers(flushes: PendingFlush[], max: number): PendingFlush[] {
  const taken: PendingFlush[] = [];
  const users = new Set<number>();
  for (let i = 0; i < flushes.length && taken.length < max;) {
    if (users.has(flushes[i].userId)) {
      i++;
      continue;
    }
    users.add(flushes[i].userId);
    taken.push(...flushes.splice(i, 1));
  }
  return taken;
}
