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

export const TELEGRAM_LIMITS: ThrottleLimits = {
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

export function createThrottler(limits = TELEGRAM_LIMITS, clock: Clock = realClock): Transformer {
  const now = () => clock.now();
  const global = new TokenBucket(limits.globalPerSecond, limits.globalPerSecond, now());
  const chats = new Map<string, TokenBucket>();
  const bucketFor = (chatId: string, at: number) => {
    let bucket = chats.get(chatId);
    if (!bucket) {
      const group = chatId.startsWith("-");
      bucket = group
        ? new TokenBucket(limits.groupBurst, limits.groupPerSecond, at)
        : new TokenBucket(limits.privateBurst, limits.privatePerSecond, at);
      chats.set(chatId, bucket);
      if (chats.size > 50_000) {
        for (const [id, b] of chats) if (b.isFull(at)) chats.delete(id);
      }
    }
    return bucket;
  };
  return async (prev, method, payload, signal) => {
    const chatId = payload && typeof payload === "object" && "chat_id" in payload
      ? String((payload as { chat_id: unknown }).chat_id)
      : undefined;
    if (chatId !== undefined) {
      const at = now();
      const wait = Math.max(bucketFor(chatId, at).reserve(at), global.reserve(at));
      if (wait > 0) await clock.sleep(wait);
    }
    return prev(method, payload, signal);
  };
}
