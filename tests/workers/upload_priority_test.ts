/**
 * A worker's uploads are deliveries (lib/throttle.ts): behind answers, ahead of notifications and
 * progress edits, whether the worker runs in the app (its Bot API client is the app's) or in the
 * fleet (its turns come from the app's budget through /worker/v1/sends). Real uploads, by curl,
 * to the fake Bot API, under a small rate for the whole bot, so the calls pile up.
 */
import { Api } from "grammy";
import type { Message } from "grammy/types";
import { assert, assertEquals } from "../support/assert.ts";
import { type ApiCall, FakeTelegram } from "../support/fake_telegram.ts";
import { serveApp, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { TELEGRAM_LIMITS, Throttle, withPriority } from "../../lib/throttle.ts";
import { KvSendBudget } from "../../kv/send_budget.ts";
import { AppSendBudget } from "../../workers/http_transport.ts";
import { uploadMedia } from "../../workers/upload.ts";
import { uploadAlbums } from "../../workers/album_upload.ts";
import type { DownloadedMedia } from "../../media/media_types.ts";

/** One message every 100 ms for the whole bot. */
const SLOW_LIMITS = { ...TELEGRAM_LIMITS, globalPerSecond: 10 };
const UPLOADS = new Set(["sendVideo", "sendMediaGroup"]);

const isUpload = (call: ApiCall) => UPLOADS.has(call.method);
const isEdit = (call: ApiCall) => call.method === "editMessageText";
const textOf = (call: ApiCall) => String(call.params.text);

/** A finished download, as a worker has it before uploading (the fake Bot API decodes no video). */
async function downloaded(dir: string, name: string): Promise<DownloadedMedia> {
  const path = `${dir}/${name}.mp4`;
  await Deno.writeFile(path, new Uint8Array(4096).fill(7));
  return { path, kind: "video", mimeType: "video/mp4", size: 4096, width: 640, height: 360 };
}

function uploadTo(api: Api, chatId: number, media: DownloadedMedia) {
  return uploadMedia(api, { uploadChatId: chatId, caption: "clip", title: "clip" }, media);
}

/** Status messages for progress edits to follow, sent beforehand without any throttle. */
async function statusMessages(telegram: FakeTelegram, firstChat: number, count: number) {
  const setup = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const statuses: Message.TextMessage[] = [];
  for (let i = 0; i < count; i++) {
    telegram.user(firstChat + i, { languageCode: "en" });
    statuses.push(await setup.sendMessage(firstChat + i, "queued"));
  }
  return statuses;
}

function editOf(api: Api, status: Message.TextMessage, text: string) {
  return api.editMessageText(
    status.chat.id,
    status.message_id,
    text,
    withPriority("progress", {}),
  );
}

Deno.test("[workers/upload] in the app, an upload and an album wait behind answers that came after them, and go ahead of waiting notices and progress edits", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const dir = await Deno.makeTempDir({ prefix: "mediabot-upload-priority-" });
  try {
    const statuses = await statusMessages(telegram, 1000, 20);
    for (let i = 0; i < 10; i++) telegram.user(2000 + i);
    for (const chatId of [4000, 4001]) telegram.user(chatId);
    const config = { botToken: telegram.token, telegramApiRoot: telegram.apiRoot };
    // in-process workers upload through the app's own client: one throttle for everything
    const api = createTelegramApi(config, new Throttle(new KvSendBudget(kv, SLOW_LIMITS)));
    const video = await downloaded(dir, "video");
    const pictures = [await downloaded(dir, "one"), await downloaded(dir, "two")];
    const before = telegram.calls.length;

    const edits = statuses.map((status, i) => editOf(api, status, `edit ${i}`));
    await telegram.waitFor(() => telegram.calls.slice(before).some(isEdit));
    const uploads = [
      uploadTo(api, 4000, video),
      uploadAlbums(
        api,
        { uploadChatId: 4001, caption: "album", sendAs: "file" },
        pictures.map(({ path, size }) => ({ path, kind: "photo" as const, size })),
      ),
    ];
    const notices = Array.from(
      { length: 3 },
      (_, i) => api.sendMessage(2000 + i, `notice ${i}`, withPriority("notification", {})),
    );
    const answers = Array.from(
      { length: 7 },
      (_, i) => api.sendMessage(2003 + i, `answer ${i}`),
    );
    await Promise.all([...edits, ...uploads, ...notices, ...answers]);

    const calls = telegram.calls.slice(before);
    const lastAnswer = calls.findLastIndex((call) => textOf(call).startsWith("answer"));
    const firstNotice = calls.findIndex((call) => textOf(call).startsWith("notice"));
    const uploaded = calls.flatMap((call, i) => isUpload(call) ? [i] : []);
    assertEquals(uploaded.length, 2, "the video and the album, once each");
    for (const at of uploaded) {
      assert(at > lastAnswer, `an upload went before the answers (${calls.map((c) => c.method)})`);
      assert(at < firstNotice, "an upload went after a notice");
    }
    // only the edits booked before the others came (300 ms ahead), and one in twenty after
    const editsFirst = calls.slice(0, Math.max(...uploaded)).filter(isEdit).length;
    assert(editsFirst <= 8, `${editsFirst} progress edits went before the uploads`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The app on loopback (its worker API, its KV budget), another instance on its KV, a worker, in
 * a data folder of their own; disposing stops the app and removes the folder.
 */
async function appAndFleetWorker(telegram: FakeTelegram) {
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-upload-priority-" });
  const app = await serveApp(telegram, dataDir, { throttle: SLOW_LIMITS });
  const config = { botToken: telegram.token, telegramApiRoot: telegram.apiRoot };
  return {
    dataDir,
    async [Symbol.asyncDispose]() {
      await app.stop();
      await Deno.remove(dataDir, { recursive: true });
    },
    instance: createTelegramApi(
      config,
      new Throttle(new KvSendBudget(app.system.kv, SLOW_LIMITS)),
    ),
    // as workers/main.ts builds it
    worker: createTelegramApi(
      config,
      new Throttle(new AppSendBudget(app.url, TEST_WORKER_TOKEN, SLOW_LIMITS)),
    ),
  };
}

Deno.test("[workers/upload] a fleet worker's uploads yield to the answers an app instance has waiting", async () => {
  await using telegram = await FakeTelegram.start();
  await using fleet = await appAndFleetWorker(telegram);
  const { dataDir, instance, worker } = fleet;
  for (let i = 0; i < 40; i++) telegram.user(2000 + i);
  for (let i = 0; i < 6; i++) telegram.user(4000 + i);
  const video = await downloaded(dataDir, "video");
  const before = telegram.calls.length;
  const answered = () =>
    telegram.calls.slice(before).filter((call) => call.method === "sendMessage");

  const answers = Array.from({ length: 40 }, (_, i) => instance.sendMessage(2000 + i, `a ${i}`));
  // the instance's answers are held up by the bot's budget: they wait there
  await telegram.waitFor(() => answered().length >= 6);
  const uploads = Array.from({ length: 6 }, (_, i) => uploadTo(worker, 4000 + i, video));
  await Promise.all([...answers, ...uploads]);

  const calls = telegram.calls.slice(before);
  const lastAnswer = calls.findLastIndex((call) => call.method === "sendMessage");
  const meanwhile = calls.slice(0, lastAnswer).filter(isUpload).length;
  // the 34 answers left take 3.4 s; a yielded turn comes every 2 s (one in 20 at 10 a second)
  assert(meanwhile <= 3, `${meanwhile} of the worker's 6 uploads went while answers waited`);
  assertEquals(calls.filter(isUpload).length, 6);
});

Deno.test("[workers/upload] while a fleet worker's uploads wait, an app instance's notices and progress edits yield to them", async () => {
  await using telegram = await FakeTelegram.start();
  await using fleet = await appAndFleetWorker(telegram);
  const { dataDir, instance, worker } = fleet;
  const statuses = await statusMessages(telegram, 1000, 12);
  for (let i = 0; i < 3; i++) telegram.user(2000 + i);
  for (let i = 0; i < 20; i++) telegram.user(4000 + i);
  const video = await downloaded(dataDir, "video");
  const before = telegram.calls.length;

  const uploads = Array.from({ length: 20 }, (_, i) => uploadTo(worker, 4000 + i, video));
  await telegram.waitFor(() => telegram.calls.slice(before).filter(isUpload).length >= 4);
  const others = [
    ...statuses.map((status, i) => editOf(instance, status, `edit ${i}`)),
    ...Array.from(
      { length: 3 },
      (_, i) => instance.sendMessage(2000 + i, `notice ${i}`, withPriority("notification", {})),
    ),
  ];
  await Promise.all([...uploads, ...others]);

  const calls = telegram.calls.slice(before);
  const lastUpload = calls.findLastIndex(isUpload);
  const isInstances = (call: ApiCall) => isEdit(call) || call.method === "sendMessage";
  const meanwhile = calls.slice(0, lastUpload).filter(isInstances).length;
  // the 16 uploads left take 1.6 s: one yielded turn, or two
  assert(meanwhile <= 3, `${meanwhile} of the instance's 15 calls went while uploads waited`);
  assertEquals(calls.filter(isInstances).length, 15);
});
