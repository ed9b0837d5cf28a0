/**
 * Telegram's flood limits, kept in KV for every app instance (and, through the worker API, every
 * fleet worker) of one bot (lib/throttle.ts has the model).
 *
 * A chat's pace is exact: each message to a chat takes its turn in an atomic on the chat's key.
 * Turns asked for while an instance's previous atomic is in flight are taken together, in one
 * atomic (up to MAX_BATCH chats): under a burst a KV write books several messages, so the budget
 * keeps up with Telegram's 30 a second however busy KV is; at most one write per message, which
 * Telegram's own limit bounds, never one per update. The bot's limit is a count per time slot (3 per 100 ms at
 * 30 a second), and an instance takes its turns in slices: up to SLICE of one slot, in the same
 * atomic as a chat's turn, used for its next messages while that slot lasts (a turn left unused
 * when its slot ends is lost). So the bot's keys are written once per few messages, and all
 * senders together send at most one slot's share in any slot: 3 in any 100 ms, 33 in any second.
 */
import {
  type BotSlots,
  botSlotsOf,
  chatPaceOf,
  type Clock,
  realClock,
  schedule,
  type SendBudget,
  type ThrottleLimits,
  type Turn,
} from "../lib/throttle.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

/** the bot's turns an instance takes at once, from one slot */
export const SLICE = 5;
/** slots read at once when looking for one with room */
const SLOTS_PER_READ = 9;
/** how far ahead the bot's slots are searched: past that, its 429 pause holds everything anyway */
const MAX_SLOT_READS = 200;
/** a pace's state outlives its last turn by this much, then KV drops it */
const PACE_TTL_MS = 60_000;

interface PaceState {
  /** theoretical arrival time of the next send, epoch milliseconds */
  tat: number;
}

function chatPaceKey(chatId: number | string) {
  return ["send_pace", "chat", chatId] as const;
}
function botSlotKey(slot: number) {
  return ["send_pace", "bot", slot] as const;
}
/** after a 429 without a chat: no turn of the bot's before then */
const BOT_PAUSE_KEY = ["send_pace", "bot_paused"] as const;

/** reservations made in one atomic at most (KV reads up to 10 keys at once) */
const MAX_BATCH = 8;

interface PendingTurn {
  chatId: number | string;
  resolve(turn: Turn): void;
  reject(error: unknown): void;
}

export class KvSendBudget implements SendBudget {
  readonly #slots: BotSlots;
  /** turns of the bot's this instance holds, as their slot numbers, earliest first */
  #held: number[] = [];
  /** reservations asked for and not yet made, first come first */
  #pending: PendingTurn[] = [];
  /**
   * One atomic in flight at a time here, for the reservations asked meanwhile together: this
   * instance never races itself on a chat's or a slot's key, and under a burst a KV write takes
   * several turns (only instances contend).
   */
  #reserving = false;

  constructor(
    private readonly kv: Deno.Kv,
    private readonly limits: ThrottleLimits,
    private readonly clock: Clock = realClock,
  ) {
    this.#slots = botSlotsOf(limits);
  }

  reserve(chatId: number | string): Promise<Turn> {
    const { promise, resolve, reject } = Promise.withResolvers<Turn>();
    this.#pending.push({ chatId, resolve, reject });
    // after the calls of this tick, so the reservations asked together go in one atomic
    queueMicrotask(() => void this.#reservePending());
    return promise;
  }

  async pause(chatId: number | string | undefined, retryAfterMs: number): Promise<void> {
    const now = this.clock.now();
    const until = now + retryAfterMs;
    if (chatId === undefined) {
      this.#held = [];
      await retryAtomic(this.kv, async (op) => {
        const entry = await this.kv.get<number>(BOT_PAUSE_KEY);
        if ((entry.value ?? -Infinity) >= until) return undefined;
        op.check(entry).set(BOT_PAUSE_KEY, until, { expireIn: ttlOf(until, now) });
        return commit(undefined);
      }, { what: "the bot's send pause", attempts: 10 });
      return;
    }
    const pace = chatPaceOf(this.limits, chatId);
    await retryAtomic(this.kv, async (op) => {
      const entry = await this.kv.get<PaceState>(chatPaceKey(chatId));
      // the next turn comes no earlier than `until`, a whole burst included
      const tat = Math.max(entry.value?.tat ?? -Infinity, until + pace.toleranceMs);
      op.check(entry).set(entry.key, { tat }, { expireIn: ttlOf(tat, now) });
      return commit(undefined);
    }, { what: `the send pace of chat ${chatId}`, attempts: 10 });
  }

  async #reservePending(): Promise<void> {
    if (this.#reserving) return;
    this.#reserving = true;
    try {
      while (this.#pending.length > 0) {
        // one turn per chat in a batch: a chat's next turn follows from its last
        const chats = new Set<number | string>();
        const batch = this.#pending.filter((pending) =>
          chats.size < MAX_BATCH && !chats.has(pending.chatId) && chats.add(pending.chatId)
        );
        try {
          const turns = await this.#reserveNow(batch.map((pending) => pending.chatId));
          const served = batch.slice(0, turns.length);
          this.#pending = this.#pending.filter((pending) => !served.includes(pending));
          served.forEach((pending, i) => pending.resolve(turns[i]));
        } catch (error) {
          this.#pending = this.#pending.filter((pending) => !batch.includes(pending));
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.#reserving = false;
    }
  }

  /**
   * Takes the turns of messages to these chats (distinct), in one atomic: the first ones' turns,
   * as many as one fetch of the bot's slots serves (at least one); the others are asked again.
   */
  async #reserveNow(chatIds: (number | string)[]): Promise<Turn[]> {
    const paces = chatIds.map((chatId) => chatPaceOf(this.limits, chatId));
    // held turns taken by an attempt whose commit lost its race go back for the next
    let borrowed: number[] = [];
    const giveBack = () => {
      this.#hold(borrowed);
      borrowed = [];
    };
    try {
      const { turns, unused } = await retryAtomic(this.kv, async (op) => {
        giveBack();
        const now = this.clock.now();
        const chats = await this.kv.getMany<PaceState[]>(chatIds.map(chatPaceKey));
        const turns: Turn[] = [];
        /** turns fetched from the bot's slots by this attempt, not yet used */
        let fresh: number[] | undefined;
        let notBefore = -Infinity;
        for (const [i, chat] of chats.entries()) {
          const chatTat = chat.value?.tat ?? -Infinity;
          const chatTurn = schedule(chatTat, now, paces[i]).times[0];
          let slot = this.#takeHeld(chatTurn, now);
          if (slot !== undefined) borrowed.push(slot);
          else if (fresh?.length && this.#slotEnd(fresh[0]) > chatTurn) slot = fresh.shift();
          else if (fresh === undefined) {
            // a chat that must wait takes one turn: more, held for later, would likely go unused
            const wanted = chatTurn > now + this.#slots.slotMs
              ? 1
              : Math.max(SLICE, chats.length - i);
            const taken = await this.#takeFromSlots(op, chatTurn, wanted, now);
            [slot, ...fresh] = taken.slots;
            notBefore = taken.notBefore;
          } else break;
          const at = Math.max(chatTurn, notBefore, slot! * this.#slots.slotMs);
          const tat = schedule(chatTat, at, paces[i]).tat;
          op.check(chat).set(chat.key, { tat }, { expireIn: ttlOf(tat, now) });
          turns.push({ at, congestionMs: at - chatTurn });
        }
        return commit({ turns, unused: fresh ?? [] });
      }, { what: `the send pace of chat ${chatIds[0]}`, attempts: 20 });
      borrowed = [];
      this.#hold(unused);
      return turns;
    } finally {
      giveBack();
    }
  }

  /**
   * Adds to `op` the taking of up to `wanted` turns of the first slot of the bot's with room,
   * from `from` on and after any pause: their slot numbers (one a turn), and the pause's end.
   */
  async #takeFromSlots(
    op: Deno.AtomicOperation,
    from: number,
    wanted: number,
    now: number,
  ): Promise<{ slots: number[]; notBefore: number }> {
    const { slotMs, perSlot } = this.#slots;
    const paused = await this.kv.get<number>(BOT_PAUSE_KEY);
    const notBefore = paused.value ?? -Infinity;
    let first = Math.floor(Math.max(from, notBefore) / slotMs);
    for (let read = 0; read < MAX_SLOT_READS; read++, first += SLOTS_PER_READ) {
      const keys = Array.from({ length: SLOTS_PER_READ }, (_, i) => botSlotKey(first + i));
      const entries = await this.kv.getMany<number[]>(keys);
      const open = entries.findIndex((entry) => (entry.value ?? 0) < perSlot);
      if (open === -1) continue;
      const entry = entries[open];
      const taken = Math.min(wanted, perSlot - (entry.value ?? 0));
      const slotEnd = (first + open + 1) * slotMs;
      op.check(paused, entry).set(entry.key, (entry.value ?? 0) + taken, {
        expireIn: ttlOf(slotEnd, now),
      });
      return { slots: Array(taken).fill(first + open), notBefore };
    }
    throw new Error(`no turn of the bot's within ${MAX_SLOT_READS * SLOTS_PER_READ} slots`);
  }

  /** The earliest held turn whose slot has not ended by `wanted`; those already over are lost. */
  #takeHeld(wanted: number, now: number): number | undefined {
    const slotMs = this.#slots.slotMs;
    this.#held = this.#held.filter((slot) => (slot + 1) * slotMs > now);
    const index = this.#held.findIndex((slot) => (slot + 1) * slotMs > wanted);
    if (index === -1) return undefined;
    return this.#held.splice(index, 1)[0];
  }

  #slotEnd(slot: number): number {
    return (slot + 1) * this.#slots.slotMs;
  }

  #hold(slots: number[]): void {
    if (slots.length === 0) return;
    this.#held.push(...slots);
    this.#held.sort((a, b) => a - b);
  }
}

function ttlOf(until: number, now: number): number {
  return Math.ceil(Math.max(0, until - now)) + PACE_TTL_MS;
}
