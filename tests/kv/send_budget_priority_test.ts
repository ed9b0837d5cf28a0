/**
 * Priorities across app instances (kv/send_budget.ts): two throttles, each with its own budget
 * over one real KV, as two instances. Time is virtual and moves only when every reservation has
 * come back and every caller sleeps, so each call's time is exact however busy the machine.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { KvSendBudget, WAITING_MARK_MS } from "../../kv/send_budget.ts";
import {
  type AbortSignalLike,
  type Clock,
  PROGRESS_EVERY,
  type SendBudget,
  TELEGRAM_LIMITS,
  Throttle,
  withPriority,
} from "../../lib/throttle.ts";

type Prev = Parameters<Throttle["transformer"]>[0];

interface Sleeper {
  until: number;
  resolve(): void;
}

/** A clock whose time jumps to the next sleeper's once everything else has settled. */
class VirtualTime implements Clock {
  at = 1_000_000;
  readonly #sleepers = new Set<Sleeper>();
  #reserving = 0;

  now = () => this.at;

  sleep = (ms: number, signal?: AbortSignalLike) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new DOMException("aborted", "AbortError"));
      const sleeper = { until: this.at + ms, resolve };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", () => {
        this.#sleepers.delete(sleeper);
        reject(new DOMException("aborted", "AbortError"));
      });
    });

  /** A budget whose reservations time waits for. */
  track(budget: SendBudget): SendBudget {
    return {
      reserve: (chatId, options) => {
        this.#reserving++;
        return budget.reserve(chatId, options).finally(() => this.#reserving--);
      },
      pause: (chatId, retryAfterMs) => budget.pause(chatId, retryAfterMs),
    };
  }

  /** Moves time on, sleeper by sleeper, until `done`. */
  async runUntil(done: () => boolean): Promise<void> {
    while (true) {
      do await new Promise((resolve) => setTimeout(resolve, 0)); while (this.#reserving > 0);
      if (done()) return;
      const next = Math.min(...[...this.#sleepers].map((sleeper) => sleeper.until));
      if (next === Infinity) throw new Error("nothing left to wait for, and not done");
      this.at = Math.max(this.at, next);
      for (const sleeper of this.#sleepers) {
        if (sleeper.until > this.at) continue;
        this.#sleepers.delete(sleeper);
        sleeper.resolve();
      }
    }
  }
}

interface Sent {
  text: string;
  at: number;
}

/** Two app instances over one KV, and what reached Telegram from them, in order. */
function twoInstances(kv: Deno.Kv) {
  const time = new VirtualTime();
  const sent: Sent[] = [];
  const prev = ((_method: string, payload: { text: string }) => {
    sent.push({ text: payload.text, at: time.at });
    return Promise.resolve({ ok: true, result: true });
  }) as unknown as Prev;
  const instance = () =>
    new Throttle(time.track(new KvSendBudget(kv, TELEGRAM_LIMITS, time)), time).transformer;
  return { time, sent, prev, a: instance(), b: instance() };
}

/** Runs the calls to their end; true once each has. */
function tracked(calls: Promise<unknown>[]): () => boolean {
  let ended = 0;
  for (const call of calls) call.catch(() => {}).finally(() => ended++);
  return () => ended === calls.length;
}

const answer = (i: number) => ({ chat_id: 1000 + i, text: `answer ${i}` });
const edit = (i: number, label = "edit") =>
  withPriority("progress", { chat_id: 3000 + i, message_id: 1, text: `${label} ${i}` });
const notice = (i: number) =>
  withPriority("notification", { chat_id: 4000 + i, text: `notice ${i}` });

/** The bot's turns as they come at Telegram's 30 a second: 3 in each slot of 100 ms. */
const SLOT_MS = 100;
const PER_SLOT = 3;

Deno.test("[kv/send_budget] while one instance's answers wait, another's edits and notifications yield to them, and go at full rate once they are done", async () => {
  using kv = await Deno.openKv(":memory:");
  const { time, sent, prev, a, b } = twoInstances(kv);
  const ANSWERS = 90;
  const calls = [
    ...Array.from({ length: ANSWERS }, (_, i) => a(prev, "sendMessage", answer(i))),
    ...Array.from({ length: 60 }, (_, i) => b(prev, "editMessageText", edit(i))),
    ...Array.from({ length: 10 }, (_, i) => b(prev, "sendMessage", notice(i))),
  ];
  await time.runUntil(tracked(calls));

  const lastAnswer = sent.findLastIndex((call) => call.text.startsWith("answer"));
  const fromB = sent.slice(0, lastAnswer + 1).filter((call) => !call.text.startsWith("answer"));
  // before instance A's turns are held up (its mark), B had booked up to 300 ms of turns (the
  // lookahead) and asked for 3 more; then one turn of the bot's in PROGRESS_EVERY. Both start at
  // once, and A marks only once its turns come late: when the two instances' KV writes contend
  // (a loaded machine), B may book one more lookahead before the mark lands
  const booked = 2 * (300 / SLOT_MS + 1) * PER_SLOT;
  assert(
    fromB.length <= booked + Math.ceil(ANSWERS / (PROGRESS_EVERY - 1)),
    `${fromB.length} of B's calls went while A's ${ANSWERS} answers waited`,
  );
  assertEquals(sent.length, ANSWERS + 70, "every call went, once");

  // A is done and its mark lapsed: B's next calls go at the bot's full rate
  const before = sent.length;
  const later = Array.from({ length: 30 }, (_, i) => b(prev, "editMessageText", edit(i, "later")));
  await time.runUntil(tracked(later));
  const times = sent.slice(before).map((call) => call.at);
  assertEquals(times.length, 30);
  assert(
    times.at(-1)! - times[0] <= (30 / PER_SLOT) * SLOT_MS,
    `30 edits took ${times.at(-1)! - times[0]} ms`,
  );
});

Deno.test("[kv/send_budget] the mark of an instance that stopped while its answers waited holds others back only until it lapses", async () => {
  using kv = await Deno.openKv(":memory:");
  const { time, sent, prev, a, b } = twoInstances(kv);
  // instance A's answers pile up, then A dies with them waiting: its calls never go
  const crash = new AbortController();
  const signal = crash.signal as Parameters<Prev>[2];
  const answers = Array.from(
    { length: 60 },
    (_, i) => a(prev, "sendMessage", answer(i), signal),
  );
  await time.runUntil(() => sent.length >= 15);
  crash.abort();
  const diedAt = time.at;
  await time.runUntil(tracked(answers));

  const before = sent.length;
  const edits = Array.from({ length: 30 }, (_, i) => b(prev, "editMessageText", edit(i)));
  await time.runUntil(tracked(edits));
  const times = sent.slice(before).map((call) => call.at);
  assertEquals(times.length, 30, "every edit went");
  const whileMarked = times.filter((at) => at < diedAt + WAITING_MARK_MS).length;
  assert(whileMarked < 30 / 2, `${whileMarked} edits went while the dead instance's mark held`);
  assert(
    times.at(-1)! <= diedAt + WAITING_MARK_MS + (30 / PER_SLOT) * SLOT_MS,
    `the last edit went ${times.at(-1)! - diedAt} ms after the instance died`,
  );
});
