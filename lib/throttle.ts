/**
 * Outgoing throttling for the Bot API, within Telegram's documented limits: about 30 messages
 * a second overall, one a second per private chat (short bursts allowed) and 20 a minute per
 * group. Token buckets that may go into debt: a caller waits exactly until its token exists,
 * so no timers run when nothing is sent.
 */
import type { Transformer } from "grammy";

class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(private readonly capacity: number, private readonly perSecond: number, now: number) {
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** Takes one token; returns how long to wait before using it. */
  reserve(now: number): number {
    this.#tokens = Math.min(
      this.capacity,
      this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond,
    );
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.perSecond) * 1000;
  }

  isFull(now: number): boolean {
    return this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond >= this.capacity;
  }
}

export interface ThrottleLimits {
  globalPerSecond: number;
  privateBurst: number;
  privatePerSecond: number;
  groupBurst: number;
  groupPerSecond: number;
}

const TELEGRAM_LIMITS: ThrottleLimits = {
  globalPerSecond: 30,
  privateBurst: 3,
  privatePerSecond: 1,
  groupBurst: 3,
  groupPerSecond: 20 / 60,
};

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One per process: every Bot API client of the process draws on the same buckets. */
export class Throttle {
  readonly #clock: Clock;
  readonly #global: TokenBucket;
  /** chat ids as Telegram gives them: numbers, or "@name" for public channels */
  readonly #chats = new Map<number | string, TokenBucket>();
  /** sweeps of idle chats' buckets, at most one a second however many chats are active */
  #nextSweepAt = 0;

  constructor(private readonly limits = TELEGRAM_LIMITS, clock: Clock = realClock) {
    this.#clock = clock;
    this.#global = new TokenBucket(limits.globalPerSecond, limits.globalPerSecond, clock.now());
  }

  /** Takes a message's tokens for a chat; resolves when it may be sent (at once: undefined). */
  take(chatId: number | string): Promise<void> | undefined {
    const at = this.#clock.now();
    const wait = Math.max(this.#bucketFor(chatId, at).reserve(at), this.#global.reserve(at));
    return wait > 0 ? this.#clock.sleep(wait) : undefined;
  }

  /** A grammY transformer that holds each call to a chat until its tokens exist. */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    if (payload && typeof payload === "object" && "chat_id" in payload) {
      const chatId = (payload as { chat_id: unknown }).chat_id;
      await this.take(typeof chatId === "number" ? chatId : String(chatId));
    }
    return prev(method, payload, signal);
  };

  #bucketFor(chatId: number | string, at: number): TokenBucket {
    let bucket = this.#chats.get(chatId);
    if (!bucket) {
      const { limits } = this;
      const group = typeof chatId === "number" ? chatId < 0 : /^[-@]/.test(chatId);
      bucket = group
        ? new TokenBucket(limits.groupBurst, limits.groupPerSecond, at)
        : new TokenBucket(limits.privateBurst, limits.privatePerSecond, at);
      this.#chats.set(chatId, bucket);
      if (this.#chats.size > 50_000 && at >= this.#nextSweepAt) {
        this.#nextSweepAt = at + 1_000;
        for (const [id, b] of this.#chats) if (b.isFull(at)) this.#chats.delete(id);
      }
    }
    return bucket;
  }
}
