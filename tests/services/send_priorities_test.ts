/**
 * Each outgoing call takes its turn in Telegram's budget by what it is (lib/throttle.ts): answers
 * to a user's own action, deliveries, notifications, progress. The bot harness records every
 * call with the priority the throttle read from it.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type ApiCall, type BotHarness, startBotHarness } from "../support/bot_harness.ts";
import { createSchedule } from "../../kv/schedules.ts";
import { STALE_AFTER_FAILURES } from "../../kv/cookies.ts";
import type { JobPayload, UploadedFile } from "../../media/job_types.ts";

const STORAGE_CHAT = -100_777;

function callsTo(bot: BotHarness, chatId: number, after: number): ApiCall[] {
  return bot.calls.slice(after).filter((call) => Number(call.params.chat_id) === chatId);
}

async function claimed(bot: BotHarness, userId: number, payload: JobPayload) {
  const job = await bot.queue.enqueue({ userId, chatId: userId, payload });
  const claim = await bot.queue.claim(`worker-${userId}`, [payload.kind]);
  assertEquals(claim?.job.id, job.id);
  return { id: job.id, leaseId: claim!.leaseId };
}

/** A file a worker uploaded to the storage chat, for the app to copy to the user. */
function stored(messageId: number): UploadedFile {
  const file = { fileId: `f${messageId}`, fileUniqueId: `u${messageId}`, size: 1000 };
  return { ...file, kind: "video", chatId: STORAGE_CHAT, messageId };
}

Deno.test("[services] a scheduled run's notice and its status message are notifications", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(9_901);
  await user.send("/start");
  await createSchedule(bot.kv, {
    userId: 9_901,
    chatId: 9_901,
    lang: "en",
    url: "https://videos.example/clip",
    runAt: Date.now() - 1_000,
    timezone: "UTC",
    variant: "360",
  }, 10);
  const before = bot.calls.length;
  await bot.jobs.sweep();
  const notice = callsTo(bot, 9_901, before);
  assertEquals(notice.map((call) => [call.method, call.priority]), [
    ["sendMessage", "notification"],
  ]);

  // the run's probe ends: its download starts with a status message of its own
  const claim = await bot.queue.claim("worker", ["probe"]);
  assert(claim);
  const url = "https://videos.example/clip";
  const info = { id: "clip", extractor: "example", webpageUrl: url, title: "Clip" };
  const afterProbe = bot.calls.length;
  await bot.jobs.complete(claim.job.id, claim.leaseId, {
    kind: "probe",
    info: { ...info, isLive: false, formats: [], duration: 10 },
  });
  await bot.jobs.settled();
  const status = callsTo(bot, 9_901, afterProbe).filter((call) => call.method === "sendMessage");
  assert(status.length > 0, "the run said something");
  assertEquals(status.map((call) => call.priority), status.map(() => "notification"));
});

Deno.test("[services] a stale cookie set's alert to the admins is a notification", async () => {
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  await using bot = await startBotHarness({ COOKIES_KEY: key, ADMIN_IDS: "9902" });
  const added = await bot.cookies.add(
    { id: 9_902, name: "Ada" },
    "# Netscape HTTP Cookie File\n.x.test\tTRUE\t/\tTRUE\t0\tSID\tsecret-value\n",
  );
  assert(added.ok);
  const before = bot.calls.length;
  for (let i = 0; i < STALE_AFTER_FAILURES; i++) {
    await bot.cookies.recordOutcomes([{ setId: added.set.id, worked: false }]);
  }
  const alerts = callsTo(bot, 9_902, before);
  assertEquals(alerts.map((call) => [call.method, call.priority]), [
    ["sendMessage", "notification"],
  ]);
});

Deno.test("[services] a recording's parts and a subtitle file copied from the storage chat are deliveries", async () => {
  await using bot = await startBotHarness();
  const record = await claimed(bot, 9_903, {
    kind: "record",
    url: "https://videos.example/live",
    seconds: 60,
    lang: "en",
    uploadChatId: STORAGE_CHAT,
    caption: "Live",
    title: "Live",
    partLabel: "part",
  });
  const subtitles = await claimed(bot, 9_904, {
    kind: "subtitles",
    url: "https://videos.example/clip",
    language: "en",
    output: "srt",
    lang: "en",
    uploadChatId: STORAGE_CHAT,
    title: "Clip",
  });
  const before = bot.calls.length;
  await bot.jobs.complete(record.id, record.leaseId, {
    kind: "record",
    files: [stored(1), stored(2)],
    seconds: 60,
    stopped: false,
  });
  await bot.jobs.complete(subtitles.id, subtitles.leaseId, { kind: "subtitles", file: stored(3) });
  await bot.jobs.settled();
  for (const chatId of [9_903, 9_904]) {
    const copies = callsTo(bot, chatId, before).filter((call) => call.method === "copyMessage");
    assert(copies.length > 0, `chat ${chatId} got its file`);
    assertEquals(copies.map((call) => call.priority), copies.map(() => "delivery"));
  }
});

Deno.test("[services] a chat action shows progress: it takes no turn an answer waits for", async () => {
  await using bot = await startBotHarness();
  const probe = await claimed(bot, 9_905, {
    kind: "probe",
    url: "https://videos.example/clip",
    lang: "en",
  });
  const before = bot.calls.length;
  await bot.jobs.heartbeat(probe.id, probe.leaseId);
  const actions = callsTo(bot, 9_905, before).filter((call) => call.method === "sendChatAction");
  assertEquals(actions.map((call) => [call.params.action, call.priority]), [
    ["typing", "progress"],
  ]);
});
