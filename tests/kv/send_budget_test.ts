import { assert, assertEquals } from "../support/assert.ts";
import { KvSendBudget, SLICE } from "../../kv/send_budget.ts";
import {
  type Clock,
  MemorySendBudget,
  type SendBudget,
  TELEGRAM_LIMITS,
  Throttle,
} from "../../lib/throttle.ts";
import { busiestWindow, floodViolations, type Send } from "../support/flood.ts";

/** Time that moves only when the test says so. */
function fixedClock(at = 1_000_000): Clock & { at: number } {
  const clock = {
    at,
    now: () => clock.at,
    sleep: () => Promise.resolve(),
  };
  return clock;
}

async function reserveAll(budgets: SendBudget[], chats: number[], perChat: number) {
  const sends: Send[] = [];
  for (let round = 0; round < perChat; round++) {
    // every instance at once, as app instances behind a load balancer would
    await Promise.all(chats.map(async (chatId, i) => {
      const { at } = await budgets[(i + round) % budgets.length].reserve(chatId);
      sends.push({ chatId, at });
    }));
  }
  return sends;
}

Deno.test("[kv/send_budget] three instances over one KV keep a chat at three at once, then one a second", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = fixedClock();
  const budgets = [1, 2, 3].map(() => new KvSendBudget(kv, TELEGRAM_LIMITS, clock));
  const sends = await reserveAll(budgets, [42], 6);
  assertEquals(floodViolations(sends, TELEGRAM_LIMITS), []);
  const after = sends.map((send) => send.at - clock.at).sort((a, b) => a - b);
  // each instance took turns of the bot's from its own slot of 100 ms
  assert(after.slice(0, 3).every((ms) => ms < 300), `three at once: ${after}`);
  assertEquals(after.slice(3), [1000, 2000, 3000]);
  // budgets of their own, as each process had before, let every instance burst
  const alone = [1, 2, 3].map(() => new MemorySendBudget(TELEGRAM_LIMITS, clock));
  const separate = await reserveAll(alone, [42], 6);
  assertEquals(separate.filter((send) => send.at === clock.at).length, 6);
});

Deno.test("[kv/send_budget] many chats at once from three instances: the bot's 30 a second, a few writes of its keys", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = fixedClock();
  const budgets = [1, 2, 3].map(() => new KvSendBudget(kv, TELEGRAM_LIMITS, clock));
  const chats = Array.from({ length: 60 }, (_, i) => 100 + i);
  const sends = await reserveAll(budgets, chats, 2);
  assertEquals(floodViolations(sends, TELEGRAM_LIMITS), []);
  assert(busiestWindow(sends.map((send) => send.at), 999) <= 30, "30 in any second");
  // 120 messages at 30 a second: the last goes about 4 s later, few turns wasted
  const last = Math.max(...sends.map((send) => send.at)) - clock.at;
  assert(last >= 3_900 && last <= 4_400, `the last one ${last} ms later`);
  // the bot's slots were taken several turns at a time, not once per message
  const slots = await Array.fromAsync(kv.list<number>({ prefix: ["send_pace", "bot"] }));
  const turns = slots.reduce((sum, entry) => sum + entry.value, 0);
  assert(turns >= sends.length && turns <= sends.length + budgets.length * SLICE, `${turns}`);
});

Deno.test("[kv/send_budget] a 429 seen by one instance holds the chat on every instance, and only that chat", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = fixedClock();
  const [first, second] = [1, 2].map(() => new KvSendBudget(kv, TELEGRAM_LIMITS, clock));
  await first.pause(7, 5_000);
  const paced = await second.reserve(7);
  assertEquals(paced.at - clock.at, 5_000, "the other instance waits it out");
  assertEquals(paced.congestionMs, 0, "the chat's wait, not the bot's");
  assertEquals((await second.reserve(8)).at - clock.at, 0, "another chat goes at once");
  // the turns of the bot's the other instance holds last until their slot of 100 ms ends
  clock.at += 100;
  await first.pause(undefined, 2_000);
  const held = await second.reserve(9);
  assertEquals(held.at - clock.at, 2_000, "a 429 without a chat holds the bot");
  assertEquals(held.congestionMs, 2_000, "the bot's wait, not the chat's");
});

Deno.test("[kv/send_budget] a reservation that loses its race to another instance takes the next turn", async () => {
  using kv = await Deno.openKv(":memory:");
  const clock = fixedClock();
  const limits = { ...TELEGRAM_LIMITS, privateBurst: 1 };
  const budgets = Array.from({ length: 8 }, () => new KvSendBudget(kv, limits, clock));
  const turns = await Promise.all(budgets.map((budget) => budget.reserve(5)));
  assertEquals(
    turns.map((turn) => turn.at - clock.at).sort((a, b) => a - b),
    [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000],
  );
});

Deno.test("[kv/send_budget] with higher limits a burst of answers is booked a slot's worth at a commit, not three at a time", async () => {
  using kv = await Deno.openKv(":memory:");
  let commits = 0;
  // counts the atomics the budget makes: each is one write of the store
  const counted = new Proxy(kv, {
    get(target, name) {
      if (name === "atomic") {
        return () => {
          commits++;
          return target.atomic();
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  // e.g. a bot allowed paid broadcasts' 1,000 messages a second
  const limits = { ...TELEGRAM_LIMITS, globalPerSecond: 1_000 };
  const budget = new KvSendBudget(counted, limits);
  const throttle = new Throttle(budget);
  const prev = () => Promise.resolve({ ok: true as const, result: true });
  const send = throttle.transformer as unknown as (
    prev: () => Promise<unknown>,
    method: string,
    payload: { chat_id: number; text: string },
  ) => Promise<unknown>;
  await Promise.all(
    Array.from(
      { length: 60 },
      (_, i) => send(prev, "sendMessage", { chat_id: 100 + i, text: "hi" }),
    ),
  );
  assert(commits <= 3, `${commits} commits for 60 answers`);
});

Deno.test("[kv/send_budget] with nothing waiting, a booking is one read (side by side) and one commit", async () => {
  using kv = await Deno.openKv(":memory:");
  const calls: string[] = [];
  // records the store's calls in order: reads sent together share one round
  const recorded = new Proxy(kv, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (name === "get" || name === "getMany") calls.push("read");
        if (name === "atomic") calls.push("atomic");
        return value.apply(target, args);
      };
    },
  });
  const budget = new KvSendBudget(recorded, TELEGRAM_LIMITS);
  await Promise.all([budget.reserve(1), budget.reserve(2)]);
  // the atomic is made first, then one read: the marks, the pause, the slots and both chats
  assertEquals(calls, ["atomic", "read"], `the booking's calls: ${calls.join(", ")}`);
});
