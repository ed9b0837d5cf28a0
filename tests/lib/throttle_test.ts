import { assertEquals, assertRejects } from "../support/assert.ts";
import { MemorySendBudget, Throttle, withPriority, withTurnTaken } from "../../lib/throttle.ts";

type Prev = Parameters<Throttle["transformer"]>[0];

Deno.test("[lib/throttle] a private chat gets a short burst, then one message a second; others are not held up", async () => {
  const waits: number[] = [];
  // time travels instead of sleeping, so the test is exact and instant
  const clock = {
    at: 0,
    now: () => clock.at,
    sleep: (ms: number) => {
      waits.push(Math.round(ms));
      clock.at += ms;
      return Promise.resolve();
    },
  };
  const throttle = new Throttle(new MemorySendBudget(undefined, clock), clock).transformer;
  const sentAt: Record<number, number[]> = {};
  const prev = ((_method: string, payload?: { chat_id: number }) => {
    if (payload) (sentAt[payload.chat_id] ??= []).push(clock.at);
    return Promise.resolve({ ok: true, result: true });
  }) as unknown as Prev;
  for (let i = 0; i < 5; i++) await throttle(prev, "sendMessage", { chat_id: 1, text: "x" });
  assertEquals(waits, [1000, 1000], "three at once, then one a second");
  assertEquals(sentAt[1], [0, 0, 0, 1000, 2000]);
  await throttle(prev, "sendMessage", { chat_id: 2, text: "x" });
  assertEquals(sentAt[2], [2000], "another chat is not held up by the first");
  await throttle(prev, "getMe", undefined as never);
  assertEquals(waits.length, 2, "calls without a chat pass straight through");
});

/** A clock that travels instead of sleeping, and a Bot API that records what reached it. */
function timeTravel() {
  const clock = {
    at: 0,
    now: () => clock.at,
    sleep: (ms: number) => {
      clock.at += ms;
      return Promise.resolve();
    },
  };
  const sent: string[] = [];
  const prev = ((_method: string, payload: { text: string }) => {
    sent.push(payload.text);
    return Promise.resolve({ ok: true, result: true });
  }) as unknown as Prev;
  return { clock, sent, prev };
}

Deno.test("[lib/throttle] while answers wait, progress edits get one turn in twenty, the rest after them", async () => {
  const { clock, sent, prev } = timeTravel();
  const throttle = new Throttle(new MemorySendBudget(undefined, clock), clock).transformer;
  const calls = [
    ...Array.from(
      { length: 40 },
      (_, i) => throttle(prev, "sendMessage", { chat_id: 100 + i, text: `answer ${i}` }),
    ),
    ...Array.from({ length: 4 }, (_, i) =>
      throttle(
        prev,
        "editMessageText",
        withPriority("progress", { chat_id: 200 + i, message_id: 1, text: `edit ${i}` }),
      )),
  ];
  await Promise.all(calls);
  const answers = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `answer ${from + i}`);
  // the first answer went before the edits came; then 19 answers for each edit
  assertEquals(sent, [
    ...answers(0, 20),
    "edit 0",
    ...answers(20, 39),
    "edit 1",
    "answer 39",
    "edit 2",
    "edit 3",
  ]);
});

Deno.test("[lib/throttle] a progress edit whose caller stops waiting is skipped; a reply that has its turn goes at once", async () => {
  const { clock, sent, prev } = timeTravel();
  const budget = new MemorySendBudget(undefined, clock);
  let reserved = 0;
  const counted = {
    reserve: (chatId: number | string) => (reserved++, budget.reserve(chatId)),
    pause: budget.pause.bind(budget),
  };
  const throttle = new Throttle(counted, clock);
  const stopped = new AbortController();
  const answer = throttle.transformer(prev, "sendMessage", { chat_id: 1, text: "answer" });
  const edit = throttle.transformer(
    prev,
    "editMessageText",
    withPriority("progress", { chat_id: 2, message_id: 1, text: "edit" }),
    stopped.signal as Parameters<Prev>[2],
  );
  stopped.abort();
  await answer;
  await assertRejects(() => edit, /aborted/);
  // a webhook answer that closed while it waited: its reply uses the turn it waited for
  await throttle.take(3);
  await throttle.transformer(prev, "sendMessage", withTurnTaken({ chat_id: 3, text: "reply" }));
  assertEquals(sent, ["answer", "reply"]);
  assertEquals(reserved, 2, "the answer's turn and the reply's, taken once");
});
