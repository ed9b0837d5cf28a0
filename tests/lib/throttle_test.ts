import { assertEquals } from "../support/assert.ts";
import { MemorySendBudget, Throttle } from "../../lib/throttle.ts";

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
