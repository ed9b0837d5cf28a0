/**
 * Telegram's flood limits, kept in KV for every app instance (and, through the worker API, every
 * fleet worker) of one bot (lib/throttle.ts has the model).
 *
 * A chat's pace is exact: each message to a chat takes its turn in an atomic on the chat's key.
 * Turns asked for while an instance's previous atomic is in flight are taken together, in one
 * atomic (up to MAX_BATCH chats): under a burst a KV write books several messages, so the budget
 * keeps up with Telegram's 30 a second however busy KV is; at most one write per message, which
 * Telegram's own limit bounds, never one per update. The bot's limit is a count per time slot (3
 * per 100 ms at 30 a second), and an instance takes its turns in slices: up to SLICE of one slot,
 * in the same atomic as a chat's turn, used for its next messages while that slot lasts (a turn
 * left unused when its slot ends is lost). So the bot's keys are written once per few messages, and all
 * senders together send at most one slot's share in any slot: 3 in any 100 ms, 33 in any second.
 *
 * Priorities hold across senders too. A sender whose calls wait behind the bot's budget leaves a
 * mark in the same atomic as its turns ("answers waiting here until…", WAITING_MARK_MS, renewed
 * while they wait); every atomic reads the marks with the chats' paces, in the same read. A call
 * below a priority another sender has marked takes a yielded turn: all yielded turns together go
 * at one turn of the bot's in PROGRESS_EVERY (one pace in KV for every sender), so lower calls
 * keep a small share and never starve. A crashed sender's mark lapses on its own.
 */
import {
  type BotSlots,
  botSlotsOf,
  chatPaceOf,
  type Clock,
  type Pace,
  PRIORITIES,
  PROGRESS_EVERY,
  realClock,
  type ReserveOptions,
  schedule,
  type SendBudget,
  type SendPriority,
  type ThrottleLimits,
  type Turn,
} from "../lib/throttle.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

/** the bot's turns an instance takes at once, from one slot */
export const SLICE = 5;
/** slots read at once when looking for one with room */
const SLOTS_PER_READ = 9;
/** slots read with the chats' paces: the one now and the next, which serve when nothing waits */
const SLOTS_READ_WITH_PACES = 2;
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

/** Which sender has calls of which priority waiting, until when (epoch milliseconds). */
type WaitingMarks = Record<string, { priority: SendPriority; until: number }>;
const WAITING_KEY = ["send_pace", "waiting"] as const;
/** the pace every yielded turn takes, whoever the sender */
const YIELDED_PACE_KEY = ["send_pace", "yielded"] as const;
/**
 * How long a sender's mark holds others back after its last renewal (renewed at half of it while
 * its calls wait): short, so a sender that crashed holds nobody back for long.
 */
export const WAITING_MARK_MS = 1_000;
/** senders marked at once at most, so the marks stay one small value */
const MAX_MARKS = 64;

/**
 * reservations made in one atomic at most: their chats' paces are read 10 at a time (KV's limit
 * for one read), side by side with the marks, the yielded pace, the pause and the next slots, and
 * checked with the marks, the yielded pace, the pause and a slot within KV's 100 checks. One
 * commit serves them all: a burst of answers is booked by the commit, not by the call (8 a commit
 * held the webhook at about 1,300 updates a second)
 */
const MAX_BATCH = 64;
/** keys KV reads at once */
const READ_AT_ONCE = 10;

interface PendingTurn {
  chatId: number | string;
  options: ReserveOptions;
  resolve(turn: Turn): void;
  reject(error: unknown): void;
}

export class KvSendBudget implements SendBudget {
  readonly turnsPerSlot: number;
  readonly #slots: BotSlots;
  /** one turn of the bot's in PROGRESS_EVERY, for the calls that yield to others' */
  readonly #yieldedPace: Pace;
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
    this.turnsPerSlot = this.#slots.perSlot;
    this.#yieldedPace = {
      intervalMs: (PROGRESS_EVERY * 1000) / limits.globalPerSecond,
      toleranceMs: 0,
    };
  }

  reserve(chatId: number | string, options: ReserveOptions = {}): Promise<Turn> {
    const { promise, resolve, reject } = Promise.withResolvers<Turn>();
    this.#pending.push({ chatId, options, resolve, reject });
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
          const turns = await this.#reserveNow(batch);
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
   * Marks the senders' waiting calls, and paces the calls that yield to others'.
   */
  async #reserveNow(batch: PendingTurn[]): Promise<Turn[]> {
    const chatIds = batch.map((pending) => pending.chatId);
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
        // the bot's slots from now on, read with the rest: when nothing waits, the turns are
        // taken from them, and the booking is one read and one commit
        const firstSlot = Math.floor(now / this.#slots.slotMs);
        const slotKeys = Array.from(
          { length: SLOTS_READ_WITH_PACES },
          (_, i) => botSlotKey(firstSlot + i),
        );
        const keys = [
          WAITING_KEY,
          YIELDED_PACE_KEY,
          BOT_PAUSE_KEY,
          ...slotKeys,
          ...chatIds.map(chatPaceKey),
        ];
        const reads = await Promise.all(
          Array.from(
            { length: Math.ceil(keys.length / READ_AT_ONCE) },
            (_, i) =>
              this.kv.getMany<unknown[]>(keys.slice(i * READ_AT_ONCE, (i + 1) * READ_AT_ONCE)),
          ),
        );
        const [waiting, yielded, paused, ...rest] = reads.flat() as [
          Deno.KvEntryMaybe<WaitingMarks>,
          Deno.KvEntryMaybe<PaceState>,
          Deno.KvEntryMaybe<number>,
          ...Deno.KvEntryMaybe<unknown>[],
        ];
        const slotsRead = {
          first: firstSlot,
          entries: rest.slice(0, SLOTS_READ_WITH_PACES) as Deno.KvEntryMaybe<number>[],
        };
        const chats = rest.slice(SLOTS_READ_WITH_PACES) as Deno.KvEntryMaybe<PaceState>[];
        const marks = liveMarks(waiting.value, now);
        let marksChanged = false;
        let yieldedTat = yielded.value?.tat;
        const turns: Turn[] = [];
        /** turns fetched from the bot's slots by this attempt, not yet used */
        let fresh: number[] | undefined;
        let notBefore = -Infinity;
        for (const [i, chat] of chats.entries()) {
          const { priority = "answer", sender, waiting: waitingHere } = batch[i].options;
          if (sender !== undefined && waitingHere !== undefined) {
            marksChanged = markWaiting(marks, sender, waitingHere, now) || marksChanged;
          }
          const chatTat = chat.value?.tat ?? -Infinity;
          const chatTurn = schedule(chatTat, now, paces[i]).times[0];
          const yields = isOutranked(marks, sender, priority);
          const from = yields
            ? Math.max(chatTurn, schedule(yieldedTat ?? -Infinity, now, this.#yieldedPace).times[0])
            : chatTurn;
          let slot = this.#takeHeld(from, now);
          if (slot !== undefined) borrowed.push(slot);
          else if (fresh?.length && this.#slotEnd(fresh[0]) > from) slot = fresh.shift();
          else if (fresh === undefined) {
            // a call that must wait takes one turn: more, held for later, would likely go unused
            const wanted = yields || from > now + this.#slots.slotMs
              ? 1
              : Math.max(SLICE, chats.length - i);
            const taken = await this.#takeFromSlots(op, from, wanted, now, paused, slotsRead);
            [slot, ...fresh] = taken.slots;
            notBefore = taken.notBefore;
          } else break;
          const at = Math.max(from, notBefore, slot! * this.#slots.slotMs);
          if (yields) yieldedTat = schedule(yieldedTat ?? -Infinity, at, this.#yieldedPace).tat;
          const tat = schedule(chatTat, at, paces[i]).tat;
          op.check(chat).set(chat.key, { tat }, { expireIn: ttlOf(tat, now) });
          turns.push({ at, congestionMs: at - chatTurn, yielded: yields });
        }
        if (marksChanged) {
          op.check(waiting).set(WAITING_KEY, marks, { expireIn: WAITING_MARK_MS });
        }
        if (yieldedTat !== yielded.value?.tat && yieldedTat !== undefined) {
          op.check(yielded).set(YIELDED_PACE_KEY, { tat: yieldedTat }, {
            expireIn: ttlOf(yieldedTat, now),
          });
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
   * `slotsRead` are slots read already, with the pause: used when the search starts with them.
   */
  async #takeFromSlots(
    op: Deno.AtomicOperation,
    from: number,
    wanted: number,
    now: number,
    paused: Deno.KvEntryMaybe<number>,
    slotsRead: { first: number; entries: Deno.KvEntryMaybe<number>[] },
  ): Promise<{ slots: number[]; notBefore: number }> {
    const { slotMs, perSlot } = this.#slots;
    const notBefore = paused.value ?? -Infinity;
    let first = Math.floor(Math.max(from, notBefore) / slotMs);
    for (let read = 0; read < MAX_SLOT_READS; read++) {
      const entries = first === slotsRead.first ? slotsRead.entries : await this.kv.getMany<
        number[]
      >(Array.from({ length: SLOTS_PER_READ }, (_, i) => botSlotKey(first + i)));
      const open = entries.findIndex((entry) => (entry.value ?? 0) < perSlot);
      if (open === -1) {
        first += entries.length;
        continue;
      }
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

/** The marks still in force: those of senders whose calls waited until after `now`. */
function liveMarks(marks: WaitingMarks | null, now: number): WaitingMarks {
  return Object.fromEntries(Object.entries(marks ?? {}).filter(([, mark]) => mark.until > now));
}

/** Marks (or renews) a sender's waiting calls; true when the marks changed. */
function markWaiting(
  marks: WaitingMarks,
  sender: string,
  priority: SendPriority,
  now: number,
): boolean {
  // progress edits hold nobody back
  if (priority === "progress") return false;
  const mark = marks[sender];
  const fresh = mark?.priority === priority && mark.until - now > WAITING_MARK_MS / 2;
  if (fresh || (!mark && Object.keys(marks).length >= MAX_MARKS)) return false;
  marks[sender] = { priority, until: now + WAITING_MARK_MS };
  return true;
}

/** True when another sender has calls of a higher priority than this one's waiting. */
function isOutranked(marks: WaitingMarks, sender: string | undefined, priority: SendPriority) {
  const rank = PRIORITIES.indexOf(priority);
  return Object.entries(marks).some(([other, mark]) =>
    other !== sender && PRIORITIES.indexOf(mark.priority) < rank
  );
}

function ttlOf(until: number, now: number): number {
  return Math.ceil(Math.max(0, until - now)) + PACE_TTL_MS;
}
