/**
 * Chat actions from workers' heartbeats: "typing…" while a link is probed, "sending video…" or
 * "sending file…" while a download uploads, at most one per chat per interval across instances,
 * and dropped rather than queued when the chat's send budget has no turn free.
 */
import { assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startTestSystem } from "../support/system.ts";
import { startBotHarness } from "../support/bot_harness.ts";
import { loadConfig } from "../../config.ts";
import { createSystem, type System } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import type { JobPayload } from "../../media/job_types.ts";
import type { Variant } from "../../media/media_types.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { Throttle } from "../../lib/throttle.ts";
import { KvSendBudget } from "../../kv/send_budget.ts";

const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 1_000,
  privatePerSecond: 1_000,
  groupBurst: 3,
  groupPerSecond: 1,
};

function downloadPayload(userId: number, variant: Variant): JobPayload {
  const url = `https://example.com/watch/${userId}`;
  const info = { id: `clip-${userId}`, extractor: "example", webpageUrl: url, title: "Clip" };
  return {
    kind: "download",
    url,
    variant,
    info: { ...info, isLive: false, formats: [] },
    lang: "en",
    uploadChatId: userId,
    caption: "Clip",
    title: "Clip",
  };
}

async function claimed(system: System, userId: number, payload: JobPayload) {
  const { queue } = system;
  const job = await queue.enqueue({ userId, chatId: userId, payload });
  const claim = await queue.claim(`worker-${userId}`, [payload.kind]);
  assertEquals(claim?.job.id, job.id);
  return { id: job.id, leaseId: claim!.leaseId };
}

function actionsIn(telegram: FakeTelegram, chatId: number): string[] {
  return telegram.chatActions.filter((a) => a.chatId === chatId).map((a) => a.action);
}

Deno.test("[services/chat_actions] typing during a probe, sending video or file while uploading, once per interval", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-chat-actions-" });
  // two app instances over one KV; workers' heartbeats reach either
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "0",
  });
  const logger = createLogger("error");
  const a = await createSystem(config, { kv, logger, throttle: FAST });
  const b = await createSystem(config, { kv, logger, throttle: FAST });
  for (const id of [9801, 9802, 9803]) telegram.user(id, { languageCode: "en" });
  try {
    const probe = await claimed(a, 9801, {
      kind: "probe",
      url: "https://example.com/p",
      lang: "en",
    });
    // heartbeats every 2 s reach either instance: one action for the interval
    for (const system of [a, b, a, b]) await system.jobs.heartbeat(probe.id, probe.leaseId);
    assertEquals(actionsIn(telegram, 9801), ["typing"]);

    const video = await claimed(a, 9802, downloadPayload(9802, "360"));
    await a.jobs.heartbeat(video.id, video.leaseId, { phase: "downloading", percent: 40 });
    assertEquals(actionsIn(telegram, 9802), [], "nothing while it downloads: the bar shows it");
    for (const system of [a, b, a]) {
      await system.jobs.heartbeat(video.id, video.leaseId, { phase: "uploading" });
    }
    assertEquals(actionsIn(telegram, 9802), ["upload_video"]);

    const audio = await claimed(a, 9803, downloadPayload(9803, "audio"));
    await b.jobs.heartbeat(audio.id, audio.leaseId, { phase: "uploading" });
    assertEquals(actionsIn(telegram, 9803), ["upload_document"]);
  } finally {
    await a.stop();
    await b.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[services/chat_actions] an action waits for no turn: a chat whose budget is spent gets none", async () => {
  const slow = {
    globalPerSecond: 10_000,
    privateBurst: 1,
    privatePerSecond: 0.01,
    groupBurst: 1,
    groupPerSecond: 0.01,
  };
  using kv = await Deno.openKv(":memory:");
  await using bed = await startTestSystem({ WORKERS: "0" }, { throttle: slow, kv });
  const { telegram, system } = bed;
  telegram.user(9804, { languageCode: "en" });
  const job = await claimed(system, 9804, {
    kind: "probe",
    url: "https://example.com/q",
    lang: "en",
  });
  // another sender of the bot takes the chat's one turn for the next 100 s
  const sender = createTelegramApi(
    { botToken: telegram.token, telegramApiRoot: telegram.apiRoot },
    new Throttle(new KvSendBudget(kv, slow)),
  );
  await sender.sendMessage(9804, "status");
  await system.jobs.heartbeat(job.id, job.leaseId);
  assertEquals(actionsIn(telegram, 9804), []);
});

Deno.test("[services/chat_actions] /stats shows sending photo while it draws, before the chart", async () => {
  await using bot = await startBotHarness();
  const ada = bot.user(9805);
  await ada.send("/stats");
  const methods = bot.calls.map((call) => call.method)
    .filter((m) => m === "sendChatAction" || m === "sendPhoto");
  assertEquals(methods, ["sendChatAction", "sendPhoto"]);
  const action = bot.calls.find((call) => call.method === "sendChatAction");
  assertEquals(action?.params.action, "upload_photo");
});
