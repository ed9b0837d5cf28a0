/**
 * Telegram's flood limits, kept in KV for every app instance (and, through the worker API, every
 * fleet worker) of one bot: one pace for the bot, one per chat (lib/throttle.ts, `schedule`).
 *
 * A chat's pace is exact: each message to a chat takes its turn in one atomic on the chat's key.
 * That is one KV write per message, which Telegram's own limit bounds (about 30 a second for the
 * whole bot), never one per update. The bot's pace is taken in slices: an instance reserves
 * SLICE turns at once in the same atomic as a chat's turn, and uses them for its next messages;
 * a turn not used within SLOT_GRACE_MS of its time is dropped. So the bot's key is written once
 * per SLICE messages, and all senders together stay within the bot's pace plus what a held turn
 * used late adds: at most globalPerSecond × SLOT_GRACE_MS more at once (30/s × 250 ms: 8).
 */
import {
  type Clock,
  pacesOf,
  realClock,
  schedule,
  type SendBudget,
  type ThrottleLimits,
} from "../lib/throttle.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

/** the bot's turns an instance takes at once */
export const SLICE = 5;
/** how late a held turn of the bot may still be used */
export const SLOT_GRACE_MS = 250;
/** a pace's state outlives its last turn by this much, then KV drops it */
const PACE_TTL_MS = 60_000;

interface PaceState {
  /** theoretical arrival time of the next send, epoch milliseconds */
  tat: number;
}

const BOT_PACE_KEY = ["send_pace", "bot"] as const;
function chatPaceKey(chatId: number | string) {
  return ["send_pace", "chat", chatId] as const;
}

export class KvSendBudget implements SendBudget {
  readonly #paces: ReturnType<typeof pacesOf>;
  /** turns of the bot's pace this instance holds, earliest first */
  #slots: number[] = [];
  /** one reservation in flight per chat here, so this instance never races itself on a chat */
  readonly #chatQueues = new Map<number | string, Promise<unknown>>();

  constructor(
    private readonly kv: Deno.Kv,
    limits: ThrottleLimits,
    private readonly clock: Clock = realClock,
  ) {
    this.#paces = pacesOf(limits);
  }

  reserve(chatId: number | string): Promise<number> {
    const previous = this.#chatQueues.get(chatId) ?? Promise.resolve();
    const turn = previous.then(() => this.#reserveNow(chatId));
    const settled = turn.catch(() => {});
    this.#chatQueues.set(chatId, settled);
    settled.then(() => {
      if (this.#chatQueues.get(chatId) === settled) this.#chatQueues.delete(chatId);
    });
    return turn;
  }

  async pause(chatId: number | string | undefined, retryAfterMs: number): Promise<void> {
    const until = this.clock.now() + retryAfterMs;
    if (chatId === undefined) this.#slots = [];
    const key = chatId === undefined ? BOT_PACE_KEY : chatPaceKey(chatId);
    const pace = chatId === undefined ? this.#paces.global : this.#paces.chat(chatId);
    await retryAtomic(this.kv, async (op) => {
      const entry = await this.kv.get<PaceState>(key);
      // the next turn comes no earlier than `until`, a whole burst included
      const tat = Math.max(entry.value?.tat ?? -Infinity, until + pace.toleranceMs);
      op.check(entry).set(key, { tat }, { expireIn: ttlOf(tat, this.clock.now()) });
      return commit(undefined);
    }, { what: `the send pace of ${chatId ?? "the bot"}`, attempts: 10 });
  }

  async #reserveNow(chatId: number | string): Promise<number> {
    const chatPace = this.#paces.chat(chatId);
    // a held turn taken by an attempt whose commit lost its race goes back for the next
    let borrowed: number | undefined;
    const giveBack = () => {
      if (borrowed !== undefined) this.#addSlots([borrowed]);
      borrowed = undefined;
    };
    try {
      const { at, fetched } = await retryAtomic(this.kv, async (op) => {
        giveBack();
        const now = this.clock.now();
        const chat = await this.kv.get<PaceState>(chatPaceKey(chatId));
        const chatTat = chat.value?.tat ?? -Infinity;
        const chatTurn = schedule(chatTat, now, chatPace).times[0];
        borrowed = this.#takeSlot(chatTurn, now);
        let botTurn = borrowed;
        let fetched: number[] = [];
        if (botTurn === undefined) {
          const bot = await this.kv.get<PaceState>(BOT_PACE_KEY);
          const slice = schedule(bot.value?.tat ?? -Infinity, chatTurn, this.#paces.global, SLICE);
          op.check(bot).set(BOT_PACE_KEY, { tat: slice.tat }, { expireIn: ttlOf(slice.tat, now) });
          [botTurn, ...fetched] = slice.times;
        }
        const at = Math.max(chatTurn, botTurn);
        const tat = schedule(chatTat, at, chatPace).tat;
        op.check(chat).set(chatPaceKey(chatId), { tat }, { expireIn: ttlOf(tat, now) });
        return commit({ at, fetched });
      }, { what: `the send pace of chat ${chatId}`, attempts: 20 });
      borrowed = undefined;
      this.#addSlots(fetched);
      return at;
    } finally {
      giveBack();
    }
  }

  /** The earliest held turn of the bot still usable at `wanted`; stale ones are dropped. */
  #takeSlot(wanted: number, now: number): number | undefined {
    this.#slots = this.#slots.filter((slot) => slot + SLOT_GRACE_MS >= now);
    const index = this.#slots.findIndex((slot) => slot + SLOT_GRACE_MS >= wanted);
    if (index === -1) return undefined;
    return this.#slots.splice(index, 1)[0];
  }

  #addSlots(slots: number[]): void {
    if (slots.length === 0) return;
    this.#slots.push(...slots);
    this.#slots.sort((a, b) => a - b);
  }
}

function ttlOf(tat: number, now: number): number {
  return Math.ceil(Math.max(0, tat - now)) + PACE_TTL_MS;
}
