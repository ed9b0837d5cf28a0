/**
 * Outgoing throttling for the Bot API, within Telegram's documented limits: about 30 messages
 * a second overall, one a second per private chat (short bursts allowed) and 20 a minute per
 * group. The limits are Telegram's per bot, so a process asks a SendBudget when each message may
 * go: shared through KV by every app instance (kv/send_budget.ts) and, through the app, by fleet
 * workers; in memory for a process on its own. A 429 Telegram still answers is told to the
 * budget, so every sender waits it out, not only the one that met it.
 *
 * A chat's limit is a pace (GCRA, the "virtual scheduling" form of a token bucket): a burst at
 * once, then a steady rate. The bot's is a count per time slot (3 messages per 100 ms at 30 a
 * second), so a turn taken for later never holds up one wanted sooner. A send is scheduled,
 * never refused: it waits until its turn.
 */
import type { Transformer } from "grammy";

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

/**
 * The longest 429 wait the bot sits out: its calls are retried after it (lib/telegram.ts), and
 * every sender pauses for it. A longer flood wait fails the call at once, on every sender alike.
 */
export const LONGEST_FLOOD_WAIT_MS = 60_000;

/** A rate with a burst: sends `intervalMs` apart, up to `toleranceMs` early. */
export interface Pace {
  intervalMs: number;
  toleranceMs: number;
}

function paceOf(perSecond: number, burst: number): Pace {
  const intervalMs = 1000 / perSecond;
  return { intervalMs, toleranceMs: Math.max(0, burst - 1) * intervalMs };
}

/** A chat's pace, by Telegram's chat ids: groups, channels and "@name" are negative. */
export function chatPaceOf(limits: ThrottleLimits, chatId: number | string): Pace {
  const group = typeof chatId === "number" ? chatId < 0 : /^[-@]/.test(chatId);
  return group
    ? paceOf(limits.groupPerSecond, limits.groupBurst)
    : paceOf(limits.privatePerSecond, limits.privateBurst);
}

/**
 * Schedules `count` sends wanted from `arrival` on a pace whose state is `tat` (the theoretical
 * arrival time of the next send): when each may go, and the state after them.
 */
export function schedule(
  tat: number,
  arrival: number,
  pace: Pace,
  count = 1,
): { times: number[]; tat: number } {
  const from = Math.max(tat, arrival);
  const times = Array.from(
    { length: count },
    (_, i) => Math.max(arrival, from + i * pace.intervalMs - pace.toleranceMs),
  );
  return { times, tat: from + count * pace.intervalMs };
}

/** The bot's limit as slots of time, each holding `perSlot` messages (at least 100 ms long). */
export interface BotSlots {
  slotMs: number;
  perSlot: number;
}

export function botSlotsOf(limits: ThrottleLimits): BotSlots {
  const slotMs = Math.max(100, Math.ceil(1000 / limits.globalPerSecond));
  return { slotMs, perSlot: Math.max(1, Math.floor((limits.globalPerSecond * slotMs) / 1000)) };
}

/** Where the turns of every sender of one bot are kept. */
export interface SendBudget {
  /** Takes the turn of one message to a chat: the epoch milliseconds at which it may be sent. */
  reserve(chatId: number | string): Promise<number>;
  /** Telegram answered 429: nobody sends to this chat (the whole bot, without one) for that long. */
  pause(chatId: number | string | undefined, retryAfterMs: number): Promise<void>;
}

/** Deno's AbortSignal, or the polyfilled one grammY hands its transformers. */
export interface AbortSignalLike {
  aborted: boolean;
  addEventListener(type: "abort", listener: () => void): void;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignalLike): Promise<void>;
}

export const realClock: Clock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const aborted = () => new DOMException("the call was aborted while it waited", "AbortError");
      if (signal?.aborted) return reject(aborted());
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(aborted());
      });
    }),
};

/** The budget of a process that shares it with nobody: chats and the bot's slots in memory. */
export class MemorySendBudget implements SendBudget {
  readonly #slots: BotSlots;
  /** messages taken in each of the bot's slots, by slot number */
  readonly #slotCounts = new Map<number, number>();
  /** a 429 without a chat: nothing goes before then */
  #pausedUntil = -Infinity;
  /** chat ids as Telegram gives them: numbers, or "@name" for public channels */
  readonly #chatTats = new Map<number | string, number>();
  /** sweeps of past slots and idle chats, at most one a second */
  #nextSweepAt = 0;

  constructor(
    private readonly limits = TELEGRAM_LIMITS,
    private readonly clock: Clock = realClock,
  ) {
    this.#slots = botSlotsOf(limits);
  }

  reserve(chatId: number | string): Promise<number> {
    const now = this.clock.now();
    const pace = chatPaceOf(this.limits, chatId);
    const chatTat = this.#chatTats.get(chatId) ?? -Infinity;
    const chatTurn = schedule(chatTat, now, pace).times[0];
    // the chat's turn, in the first slot of the bot's from then on with room left
    let slot = Math.floor(Math.max(chatTurn, this.#pausedUntil) / this.#slots.slotMs);
    while ((this.#slotCounts.get(slot) ?? 0) >= this.#slots.perSlot) slot++;
    this.#slotCounts.set(slot, (this.#slotCounts.get(slot) ?? 0) + 1);
    const at = Math.max(chatTurn, this.#pausedUntil, slot * this.#slots.slotMs);
    this.#chatTats.set(chatId, schedule(chatTat, at, pace).tat);
    this.#sweep(now);
    return Promise.resolve(at);
  }

  pause(chatId: number | string | undefined, retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + retryAfterMs;
    if (chatId === undefined) this.#pausedUntil = Math.max(this.#pausedUntil, until);
    else {
      const tolerance = chatPaceOf(this.limits, chatId).toleranceMs;
      const tat = Math.max(this.#chatTats.get(chatId) ?? -Infinity, until + tolerance);
      this.#chatTats.set(chatId, tat);
    }
    return Promise.resolve();
  }

  #sweep(now: number): void {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + 1_000;
    const current = Math.floor(now / this.#slots.slotMs);
    for (const slot of this.#slotCounts.keys()) if (slot < current) this.#slotCounts.delete(slot);
    if (this.#chatTats.size <= 50_000) return;
    for (const [chatId, tat] of this.#chatTats) if (tat <= now) this.#chatTats.delete(chatId);
  }
}

interface ApiResult {
  ok: boolean;
  error_code?: number;
  parameters?: { retry_after?: number };
}

/**
 * The process's front of its budget: holds each Bot API call to a chat until its turn, and
 * tells the budget of every 429. (Priorities, when they come, are a queue here, in front of the
 * shared budget.)
 */
export class Throttle {
  constructor(
    readonly budget: SendBudget = new MemorySendBudget(),
    private readonly clock: Clock = realClock,
  ) {}

  /** Waits for a message's turn in a chat. */
  async take(chatId: number | string, signal?: AbortSignalLike): Promise<void> {
    const wait = (await this.budget.reserve(chatId)) - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }

  /**
   * A grammY transformer that holds each call to a chat until its turn. Installed inside
   * auto-retry, so every attempt waits for a turn of its own and every 429 is seen.
   */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const chatId = chatIdOf(payload);
    if (chatId !== undefined) await this.take(chatId, signal);
    const result = await prev(method, payload, signal) as ApiResult;
    const retryAfter = result.ok ? undefined : result.parameters?.retry_after;
    const waitMs = typeof retryAfter === "number" ? retryAfter * 1000 : undefined;
    if (result.error_code === 429 && waitMs !== undefined && waitMs <= LONGEST_FLOOD_WAIT_MS) {
      // the call's own retry waits anyway: a budget that cannot be reached changes only the others
      await this.budget.pause(chatId, waitMs).catch(() => {});
    }
    return result as Awaited<ReturnType<typeof prev>>;
  };
}

function chatIdOf(payload: unknown): number | string | undefined {
  if (!payload || typeof payload !== "object" || !("chat_id" in payload)) return undefined;
  const chatId = (payload as { chat_id: unknown }).chat_id;
  return typeof chatId === "number" ? chatId : String(chatId);
}
