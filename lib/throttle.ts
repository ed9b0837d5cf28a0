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
 * never refused: it waits until its turn. Within a process, calls wait by priority (Throttle);
 * across processes, a call below a priority another process has waiting takes a yielded turn
 * (ReserveOptions, kv/send_budget.ts).
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

/** A message's turn: when it may go, and how much of that wait is the bot's (not its chat's). */
export interface Turn {
  /** epoch milliseconds */
  at: number;
  /** how long the bot's budget (its slots, a 429 pause) holds it beyond its chat's pace */
  congestionMs: number;
  /** a turn given to a call that yields to others' of higher priorities (kv/send_budget.ts) */
  yielded?: boolean;
}

/**
 * What a sender says with a turn it asks for, so the order of priorities holds across senders
 * (app instances, fleet workers), not only within each: a call below a priority another sender
 * has waiting takes a yielded turn (kv/send_budget.ts).
 */
export interface ReserveOptions {
  /** the call's priority (an answer when not given) */
  priority?: SendPriority;
  /** who asks, one id per process: its own waiting calls never hold it back */
  sender?: string;
  /** the highest priority of the sender's calls left waiting behind the bot's budget */
  waiting?: SendPriority;
}

/** Where the turns of every sender of one bot are kept. */
export interface SendBudget {
  /** the bot's turns in one of its slots (3 at Telegram's limits): asked for together */
  readonly turnsPerSlot?: number;
  /** Takes the turn of one message to a chat. */
  reserve(chatId: number | string, options?: ReserveOptions): Promise<Turn>;
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
      if (signal?.aborted) return reject(abortError());
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(abortError());
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

  reserve(chatId: number | string): Promise<Turn> {
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
    return Promise.resolve({ at, congestionMs: at - chatTurn });
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
 * What a Bot API call is, for its turn: answers to a user's own action go first, then
 * deliveries, then notifications (achievements, level-ups), then progress edits.
 */
export type SendPriority = "answer" | "delivery" | "notification" | "progress";

/** Highest first. */
export const PRIORITIES: readonly SendPriority[] = [
  "answer",
  "delivery",
  "notification",
  "progress",
];

/** Where a call's parameters carry its priority: a symbol, so it is never sent to Telegram. */
const SEND_PRIORITY: unique symbol = Symbol("send priority");

/** A call's other parameters, marked with its priority (unmarked calls are answers). */
export function withPriority<T extends object>(priority: SendPriority, other: T): T {
  // typed as the parameters alone: grammY's types take no symbol, and Telegram never sees it
  return { ...other, [SEND_PRIORITY]: priority };
}

/** Where a call's parameters say its first attempt has its turn already. */
const TURN_TAKEN: unique symbol = Symbol("turn taken");

/**
 * A call's other parameters, for a call whose turn was taken by `Throttle.take` (a webhook answer
 * that closed while it waited): its first attempt goes at once, a retry takes a turn of its own.
 */
export function withTurnTaken<T extends object>(other: T): T {
  return { ...other, [TURN_TAKEN]: true };
}

/** While other calls wait, progress edits get one turn in this many; the rest go to those. */
export const PROGRESS_EVERY = 20;

/**
 * How far ahead a process books the bot's turns: past that, it asks for the next turn only when
 * it comes nearer, so a call of a higher priority that comes meanwhile waits behind at most this
 * much. A few of the bot's slots, so a busy event loop waking late loses none of them.
 */
const LOOKAHEAD_MS = 300;

/**
 * Turns asked for at once: a slot's worth of the bot's (3 at Telegram's limits, more with higher
 * ones), at most as many as the KV budget books in one commit.
 */
const RESERVED_AT_ONCE = 3;
const MAX_RESERVED_AT_ONCE = 64;

/** What a superseded progress edit answers, without a call: a later edit shows its message. */
const SUPERSEDED: ApiResult & { result: true } = { ok: true, result: true };

interface Waiting {
  chatId: number | string;
  priority: SendPriority;
  /** a progress edit's message, "<chat>:<message>": a later edit of it takes its place */
  mergeKey?: string;
  /** its turn's time, or undefined when a later edit took its place */
  resolve(at: number | undefined): void;
  reject(error: unknown): void;
}

/**
 * The process's front of its budget: holds each Bot API call to a chat until its turn, and
 * tells the budget of every 429. Calls wait here by priority, and a turn is asked of the shared
 * budget only for the call that comes first, a little ahead of its time: a burst of progress
 * edits never books the turns an answer coming after it needs. Waiting progress edits of one
 * message are merged (only the latest goes), and while other calls wait they get one turn in
 * PROGRESS_EVERY; an edit whose caller stops waiting (its signal) is skipped. The budget hears
 * each call's priority and, once the bot's budget holds the calls up, the highest priority left
 * waiting here, so other processes' lower calls yield to them.
 */
export class Throttle {
  readonly #waiting: Record<SendPriority, Waiting[]> = {
    answer: [],
    delivery: [],
    notification: [],
    progress: [],
  };
  #dispatching = false;
  /** the calls that came with their turn and spent it on their first attempt */
  readonly #turnsSpent = new WeakSet<object>();
  /** turns given to other calls while progress edits waited, since the last edit's */
  #turnsSinceProgress = 0;
  /** this process, to the budget: the calls it has waiting hold back others' lower ones */
  readonly #sender = crypto.randomUUID();
  /** the last turns given were held by the bot's budget: the calls left wait beyond the lookahead */
  #congested = false;
  /** the last turns given yielded to others' calls: the next are asked for one at a time */
  #yielding = false;

  constructor(
    readonly budget: SendBudget = new MemorySendBudget(),
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * Waits for a message's turn in a chat, behind the waiting calls of higher priorities. False
   * when a later edit of the same message (same `mergeKey`) took its place: it is not to be sent.
   */
  async take(
    chatId: number | string,
    signal?: AbortSignalLike,
    priority: SendPriority = "answer",
    mergeKey?: string,
  ): Promise<boolean> {
    const at = await this.#queue({ chatId, priority, mergeKey }, signal);
    if (at === undefined) return false;
    const wait = at - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait, signal);
    return true;
  }

  /**
   * A grammY transformer that holds each call to a chat until its turn. Installed inside
   * auto-retry, so every attempt waits for a turn of its own and every 429 is seen.
   */
  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const chatId = chatIdOf(payload);
    if (chatId !== undefined && !this.#spendTakenTurn(payload)) {
      const priority = sendPriorityOf(payload);
      const mergeKey = priority === "progress" ? editedMessageOf(chatId, payload) : undefined;
      if (!await this.take(chatId, signal, priority, mergeKey)) {
        return SUPERSEDED as Awaited<ReturnType<typeof prev>>;
      }
    }
    const result = await prev(method, payload, signal) as ApiResult;
    const retryAfter = result.ok ? undefined : result.parameters?.retry_after;
    const waitMs = typeof retryAfter === "number" ? retryAfter * 1000 : undefined;
    if (result.error_code === 429 && waitMs !== undefined && waitMs <= LONGEST_FLOOD_WAIT_MS) {
      // the call's own retry waits anyway: a budget that cannot be reached changes only the others
      await this.budget.pause(chatId, waitMs).catch(() => {});
    }
    return result as Awaited<ReturnType<typeof prev>>;
  };

  #spendTakenTurn(payload: unknown): boolean {
    const taken = typeof payload === "object" && payload !== null &&
      (payload as { [TURN_TAKEN]?: boolean })[TURN_TAKEN] === true;
    if (!taken || this.#turnsSpent.has(payload)) return false;
    this.#turnsSpent.add(payload);
    return true;
  }

  #queue(
    call: Pick<Waiting, "chatId" | "priority" | "mergeKey">,
    signal?: AbortSignalLike,
  ): Promise<number | undefined> {
    if (signal?.aborted) return Promise.reject(abortError());
    const { promise, resolve, reject } = Promise.withResolvers<number | undefined>();
    const waiting: Waiting = { ...call, resolve, reject };
    const queue = this.#waiting[call.priority];
    const earlier = call.mergeKey === undefined
      ? -1
      : queue.findIndex((other) => other.mergeKey === call.mergeKey);
    if (earlier === -1) queue.push(waiting);
    else {
      queue[earlier].resolve(undefined);
      queue[earlier] = waiting;
    }
    signal?.addEventListener("abort", () => {
      const index = queue.indexOf(waiting);
      // past the queue, its turn is taken: the wait for it sees the abort
      if (index === -1) return;
      queue.splice(index, 1);
      reject(abortError());
    });
    void this.#dispatch();
    return promise;
  }

  /** Gives turns to the waiting calls, first come first in each priority, one at a time. */
  async #dispatch(): Promise<void> {
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (true) {
        const batch: Waiting[] = [];
        // a yielded turn comes late, and booking several would outlast the others' wait
        const size = this.#yielding
          ? 1
          : Math.min(this.budget.turnsPerSlot ?? RESERVED_AT_ONCE, MAX_RESERVED_AT_ONCE);
        for (let next; batch.length < size && (next = this.#next());) batch.push(next);
        if (batch.length === 0) return;
        const sender = this.#sender;
        const waiting = this.#congested ? this.#highestWaiting() : undefined;
        // asked together, so a budget kept in KV books them in one write
        const turns = await Promise.allSettled(
          batch.map((call) =>
            this.budget.reserve(call.chatId, { priority: call.priority, sender, waiting })
          ),
        );
        const given = turns.flatMap((turn) => turn.status === "fulfilled" ? [turn.value] : []);
        this.#congested = given.some((turn) => turn.congestionMs > 0);
        this.#yielding = given.some((turn) => turn.yielded);
        let holdMs = 0;
        for (const [i, turn] of turns.entries()) {
          if (turn.status === "rejected") {
            batch[i].reject(turn.reason);
            continue;
          }
          batch[i].resolve(turn.value.at);
          // the bot's turns are booked ahead: the next are asked for when they come nearer
          if (turn.value.congestionMs > 0) {
            holdMs = Math.max(holdMs, turn.value.at - LOOKAHEAD_MS - this.clock.now());
          }
        }
        if (holdMs > 0) await this.clock.sleep(holdMs);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  /** What others yield to: the first priority above progress edits with calls waiting here. */
  #highestWaiting(): SendPriority | undefined {
    return PRIORITIES.find((priority) =>
      priority !== "progress" && this.#waiting[priority].length > 0
    );
  }

  #next(): Waiting | undefined {
    const progress = this.#waiting.progress;
    const first = this.#highestWaiting();
    if (
      first === undefined ||
      progress.length > 0 && this.#turnsSinceProgress >= PROGRESS_EVERY - 1
    ) {
      this.#turnsSinceProgress = 0;
      return progress.shift();
    }
    if (progress.length > 0) this.#turnsSinceProgress++;
    return this.#waiting[first].shift();
  }
}

function abortError(): DOMException {
  return new DOMException("the call was aborted while it waited", "AbortError");
}

/** A call's priority, as its parameters carry it (an answer when unmarked). */
export function sendPriorityOf(payload: unknown): SendPriority {
  const marked = payload && typeof payload === "object"
    ? (payload as { [SEND_PRIORITY]?: SendPriority })[SEND_PRIORITY]
    : undefined;
  return marked ?? "answer";
}

/** The message an edit changes, when it names one: its progress edits merge. */
function editedMessageOf(chatId: number | string, payload: unknown): string | undefined {
  const messageId = (payload as { message_id?: unknown }).message_id;
  return typeof messageId === "number" ? `${chatId}:${messageId}` : undefined;
}

function chatIdOf(payload: unknown): number | string | undefined {
  if (!payload || typeof payload !== "object" || !("chat_id" in payload)) return undefined;
  const chatId = (payload as { chat_id: unknown }).chat_id;
  return typeof chatId === "number" ? chatId : String(chatId);
}
