/**
 * Telling users how their jobs ended, through the outbox: once across app instances, with no
 * report able to starve another, and given up (the user told, admins shown) when it keeps failing.
 */
import { DiskFile } from "../../lib/curl_upload.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { loadConfig } from "../../config.ts";
import { createSystem } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { JobQueue, MAX_REPORT_ATTEMPTS } from "../../kv/jobs.ts";
import { type Job } from "../../media/job_types.ts";
import type { UploadedFile } from "../../media/job_types.ts";
import { createWebSession, findLoginNonce, issueLoginNonce } from "../../kv/web_sessions.ts";
import { ADMIN_COOKIE } from "../../routes/admin.tsx";

const STORAGE_CHAT = 9_000;
const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 1_000,
  privatePerSecond: 1_000,
  groupBurst: 3,
  groupPerSecond: 1,
};
/** Telegram's answer to a chat under a flood wait far longer than the bot waits out itself */
const FLOOD_WAIT = {
  code: 429,
  description: "Too Many Requests: retry after 3600",
  retryAfter: 3600,
};

/** A clip in the storage chat, as a worker's upload leaves it with STORAGE_CHAT_ID set. */
async function uploadToStorage(telegram: FakeTelegram, clipPath: string): Promise<UploadedFile> {
  telegram.user(STORAGE_CHAT);
  const api = createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot });
  const message = await api.sendVideo(
    STORAGE_CHAT,
    new DiskFile(clipPath, clipPath.split("/").pop()!),
  );
  const video = message.video!;
  return {
    fileId: video.file_id,
    fileUniqueId: video.file_unique_id,
    kind: "video",
    size: video.file_size ?? 0,
    chatId: STORAGE_CHAT,
    messageId: message.message_id,
  };
}

/**
 * A download finished by an instance that died before telling the user: its job is done and
 * its outbox entry waits for a sweep. `queue` may run on a clock of its own.
 */
async function finishedDownload(queue: JobQueue, userId: number, file: UploadedFile) {
  const title = `Clip for ${userId}`;
  const job = await queue.enqueue({
    userId,
    chatId: userId,
    payload: {
      kind: "download",
      url: `https://example.com/watch/${userId}`,
      variant: "360",
      info: {
        id: `clip-${userId}`,
        extractor: "example",
        webpageUrl: `https://example.com/watch/${userId}`,
        title,
        isLive: false,
        formats: [],
      },
      lang: "en",
      uploadChatId: STORAGE_CHAT,
      caption: title,
      title,
    },
  });
  const claim = await queue.claim("worker", ["download"]);
  assertEquals(claim?.job.id, job.id);
  await queue.complete(job.id, claim!.leaseId, { kind: "download", file });
  return job;
}

/** A probe that failed, whose user has not been told yet (its instance died first). */
async function failedProbe(queue: JobQueue, userId: number): Promise<Job> {
  const job = await queue.enqueue({
    userId,
    chatId: userId,
    payload: { kind: "probe", url: `https://example.com/${userId}`, lang: "en" },
  });
  const claim = await queue.claim("worker", ["probe"]);
  assertEquals(claim?.job.id, job.id);
  await queue.fail(job.id, claim!.leaseId, {
    code: "unavailable",
    message: "HTTP Error 404",
    retryable: false,
  });
  return job;
}

function videosIn(telegram: FakeTelegram, chatId: number): number {
  return telegram.messages(chatId).filter((m) => m.media?.kind === "video" && !m.deleted).length;
}

Deno.test("[services/job_service] two app instances sweeping one KV at once report each finished job once", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-reports-" });
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "0",
    STORAGE_CHAT_ID: String(STORAGE_CHAT),
  });
  const logger = createLogger("error");
  const instances = [
    await createSystem(config, { kv, logger }),
    await createSystem(config, { kv, logger }),
  ];
  try {
    const file = await uploadToStorage(telegram, `${lab.fixtureDir}/clip360.mp4`);
    // the instance that ran these jobs finished them a minute ago, then died
    const departed = new JobQueue(kv, { now: () => Date.now() - 60_000 });
    const users = [1, 2, 3, 4, 5].map((i) => telegram.user(9_100 + i, { languageCode: "en" }));
    for (const user of users) await finishedDownload(departed, user.id, file);

    await Promise.all(instances.flatMap((system) => [system.jobs.sweep(), system.jobs.sweep()]));
    await Promise.all(instances.map((system) => system.jobs.settled()));

    for (const user of users) {
      assertEquals(videosIn(telegram, user.id), 1, `user ${user.id} got the file once`);
    }
    assertEquals(telegram.callsTo("sendVideo").length, 1 + users.length, "one send a user");
    assertEquals((await instances[0].queue.listOutbox()).entries, [], "every report cleared");
  } finally {
    for (const system of instances) await system.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[services/job_service] 150 reports that keep failing do not hold up a good one", async () => {
  // a failed attempt waits a minute: the failing ones stay in the outbox all test long
  await using bed = await startTestSystem({ WORKERS: "0" }, {
    throttle: FAST,
    reportRetryBaseMs: 60_000,
  });
  const { telegram, system } = bed;
  const refused = Array.from({ length: 150 }, (_, i) => telegram.user(9_200 + i).id);
  for (const chatId of refused) {
    telegram.failChat(chatId, FLOOD_WAIT);
    await failedProbe(system.queue, chatId);
  }
  // the newest entry: the outbox lists it after all the failing ones
  const good = telegram.user(9_999, { languageCode: "en" });
  await failedProbe(system.queue, good.id);
  const told = await telegram.waitFor(
    () => telegram.messages(good.id).find((m) => /unavailable/.test(m.text ?? "")),
    { timeoutMs: 60_000 },
  );
  assertMatch(told.text ?? "", /That media is unavailable/);

  const entries = await waitUntil(async () => {
    const { entries } = await system.queue.listOutbox({ limit: 200 });
    return entries.length === refused.length && entries;
  }, "only the failing reports left in the outbox");
  assert(
    entries.every((entry) => entry.attempts === 1 && entry.retryAt! > Date.now()),
    "each failing one was tried, and waits before the next attempt",
  );
  for (const chatId of refused) assertEquals(telegram.messages(chatId).length, 0);
});

Deno.test("[services/job_service] a report that keeps failing is given up: the user told, admins shown", async () => {
  await using lab = await startMediaLab();
  const admin = 9_301;
  await using bed = await startTestSystem({
    WORKERS: "0",
    STORAGE_CHAT_ID: String(STORAGE_CHAT),
    ADMIN_IDS: String(admin),
  }, { throttle: FAST, reportRetryBaseMs: 50 });
  const { telegram, system } = bed;
  const user = telegram.user(9_300, { languageCode: "en" });
  const file = await uploadToStorage(telegram, `${lab.fixtureDir}/clip360.mp4`);
  telegram.failNext("sendVideo", 1_000, FLOOD_WAIT);
  const job = await finishedDownload(system.queue, user.id, file);

  const notice = await telegram.waitFor(
    () => telegram.messages(user.id).find((m) => /finishing your request/.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
  assertMatch(notice.text ?? "", /“Clip for 9300”\. If nothing came, please send the link again/);
  await waitUntil(
    async () => (await system.queue.listUndeliverable(5)).count === 1,
    "the report moved aside",
  );
  await system.jobs.settled();
  const tries = telegram.callsTo("sendVideo").filter((c) => Number(c.params.chat_id) === user.id);
  assertEquals(tries.length, MAX_REPORT_ATTEMPTS, "tried a few times, then no more");
  assertEquals((await system.queue.listOutbox()).entries, [], "out of the outbox");
  const [aside] = (await system.queue.listUndeliverable(5)).latest;
  assertEquals([aside.jobId, aside.userId, aside.attempts], [job.id, user.id, MAX_REPORT_ATTEMPTS]);
  assertMatch(aside.error, /Too Many Requests/);
  assertEquals(
    telegram.messages(user.id).filter((m) => /finishing your request/.test(m.text ?? "")).length,
    1,
    "told once",
  );

  const boss = telegram.user(admin, { languageCode: "fr" });
  boss.sendText("/admin");
  const dashboard = await telegram.waitFor(() =>
    telegram.messages(admin).find((m) => /Comptes rendus abandonnés/.test(m.text ?? ""))
  );
  assertMatch(dashboard.text ?? "", /abandonnés après le dernier essai : 1\./);
  assertMatch(dashboard.text ?? "", new RegExp(`tâche download ${job.id} de l’utilisateur 9300`));

  const nonce = await issueLoginNonce(system.kv, "browser-of-boss", "admin");
  const session = await createWebSession(system.kv, {
    userId: admin,
    name: "Boss",
    hash: "a".repeat(64),
    validForMs: 60_000,
    nonce: (await findLoginNonce(system.kv, nonce, "browser-of-boss", "admin"))!,
  });
  const page = await system.app.request("/admin", {
    headers: { cookie: `${ADMIN_COOKIE}=${session!.id}`, "accept-language": "en" },
  });
  const html = await page.text();
  assertMatch(html, /Reports given up after their last attempt \(1 in all, latest first\)/);
  assertMatch(html, new RegExp(`download ${job.id}</td><td>9300</td><td>Call to`));
});
