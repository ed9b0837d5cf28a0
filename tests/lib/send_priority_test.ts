/**
 * Calls take Telegram's budget by priority (lib/throttle.ts): answers, then deliveries, then
 * notifications, then progress edits, which merge per message. A real Bot API client over the
 * fake Bot API, its turns from a KV budget at a small rate, so the calls pile up.
 */
import { Api } from "grammy";
import type { Message } from "grammy/types";
import { assert, assertEquals } from "../support/assert.ts";
import { type ApiCall, FakeTelegram } from "../support/fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { TELEGRAM_LIMITS, Throttle, withPriority } from "../../lib/throttle.ts";
import { KvSendBudget } from "../../kv/send_budget.ts";

/** One message every 100 ms for the whole bot: a few dozen calls make a backlog. */
const SLOW_LIMITS = { ...TELEGRAM_LIMITS, globalPerSecond: 10 };
const MESSAGES = 30;
const ANSWERS = 10;
const DELIVERIES = 2;

const isEdit = (call: ApiCall) => call.method === "editMessageText";
const textOf = (call: ApiCall) => String(call.params.text);

Deno.test("[lib/throttle] answers, deliveries and a notification pass a backlog of progress edits, in that order; edits of one message merge", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const config = { botToken: telegram.token, telegramApiRoot: telegram.apiRoot };
  // the status messages the edits follow, sent beforehand without the throttle
  const setup = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const statuses: Message.TextMessage[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    telegram.user(1000 + i, { languageCode: "en" });
    statuses.push(await setup.sendMessage(1000 + i, "queued"));
  }
  for (let i = 0; i < ANSWERS + DELIVERIES + 1; i++) telegram.user(2000 + i);
  const api = createTelegramApi(config, new Throttle(new KvSendBudget(kv, SLOW_LIMITS)));
  const before = telegram.calls.length;

  // two progress edits of each status at once: the second of each supersedes the first
  const edit = (index: number, text: string) =>
    api.editMessageText(
      statuses[index].chat.id,
      statuses[index].message_id,
      text,
      withPriority("progress", {}),
    );
  const edits = [
    ...statuses.map((_, i) => edit(i, `first ${i}`)),
    ...statuses.map((_, i) => edit(i, `second ${i}`)),
  ];
  await telegram.waitFor(() => telegram.calls.slice(before).some(isEdit));
  // then the users' own calls come, behind the edits' backlog
  const answers = Array.from(
    { length: ANSWERS },
    (_, i) => api.sendMessage(2000 + i, `answer ${i}`),
  );
  const deliveries = Array.from(
    { length: DELIVERIES },
    (_, i) => api.sendMessage(2000 + ANSWERS + i, `delivery ${i}`, withPriority("delivery", {})),
  );
  const notification = api.sendMessage(
    2000 + ANSWERS + DELIVERIES,
    "notification",
    withPriority("notification", {}),
  );
  // every call ends, the superseded edits included
  await Promise.all([...edits, ...answers, ...deliveries, notification]);

  const calls = telegram.calls.slice(before);
  const sends = calls.filter((call) => call.method === "sendMessage").map(textOf);
  assertEquals(
    sends,
    [
      ...Array.from({ length: ANSWERS }, (_, i) => `answer ${i}`),
      ...Array.from({ length: DELIVERIES }, (_, i) => `delivery ${i}`),
      "notification",
    ],
    "each answer, delivery and notice once, answers first, the notice last",
  );
  const firstSend = calls.findIndex((call) => !isEdit(call));
  // only the edits whose turns were booked before the answers came went first: up to 300 ms
  // ahead (3 at this rate), asked for 3 at a time
  const editsFirst = calls.slice(0, firstSend).filter(isEdit).length;
  assert(editsFirst <= 7, `${editsFirst} progress edits went before the first answer`);
  const lastSend = calls.findLastIndex((call) => !isEdit(call));
  assertEquals(
    calls.slice(firstSend, lastSend + 1).filter(isEdit).map(textOf),
    [],
    "no progress edit between them",
  );
  const editTexts = calls.filter(isEdit).map(textOf);
  for (let i = 0; i < MESSAGES; i++) {
    assertEquals(editTexts.filter((text) => text === `second ${i}`).length, 1, `message ${i}`);
  }
  // only an edit whose turn was given before its successor came can have gone
  const superseded = editTexts.filter((text) => text.startsWith("first"));
  assert(superseded.length <= 1, `superseded edits sent: ${superseded}`);
  for (const [i, status] of statuses.entries()) {
    assertEquals(telegram.lastMessage(status.chat.id)?.text, `second ${i}`);
  }
});
