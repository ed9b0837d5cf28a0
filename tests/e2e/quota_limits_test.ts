/**
 * Quota and per-user limits through the bot: a time zone change opens no new quota, /subs with
 * a video and /record reserve and settle like downloads, a press delivered twice reserves once,
 * and a flood of requests stops at the plan's limits. Real yt-dlp and ffmpeg where media moves.
 */
import { Api } from "grammy";
import { assert, assertEquals, assertMatch, assertRejects } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { startTestSystem, type TestSystem } from "../support/system.ts";
import { formatBytes } from "../../lib/format.ts";
import { loadConfig } from "../../config.ts";
import { requestDownload } from "../../services/download_request.ts";
import { getBatch } from "../../kv/batches.ts";
import { JobQueue } from "../../kv/jobs.ts";
import { MediaStore } from "../../kv/media.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { EventBus } from "../../services/events.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitUntil } from "../support/wait.ts";

const MB = 1024 * 1024;

function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

/** The menu's quota line: "<used> / <limit>" (used includes what running jobs reserved). */
async function quotaLine(telegram: FakeTelegram, user: FakeUser): Promise<string> {
  const menu = await reply(telegram, user, "/start", /MediaBot/);
  return menu.text?.split("\n").find((line) => / \/ \d/.test(line)) ?? "";
}

/** Waits until every job of the user has ended and been reported (its status message is gone). */
async function settled(bed: TestSystem, userId: number) {
  await waitUntil(
    async () => (await bed.system.queue.listActiveByUser(userId)).length === 0,
    "the user's jobs ended",
  );
  await bed.system.jobs.settled();
}

function files(telegram: FakeTelegram, chatId: number, kind: string): BotMessage[] {
  return telegram.messages(chatId).filter((m) => m.media?.kind === kind);
}

Deno.test("[e2e/quota] a time zone change opens no new quota: refused with what is left and when it frees up", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ FREE_QUOTA_MB: "0.5" });
  const { telegram } = bed;
  const user = telegram.user(9401, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "720p"));
  const video = await waitForFile(telegram, user.id, "video");
  const size = video.media!.fileSize;
  await settled(bed, user.id);
  const limit = formatBytes(0.5 * MB);
  assertMatch(await quotaLine(telegram, user), new RegExp(`${formatBytes(size)} / ${limit}`));
  const left = formatBytes(0.5 * MB - size);

  for (const zone of ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"]) {
    await reply(telegram, user, `/settings timezone ${zone}`, literally(zone));
    // the same file again is a cache hit, and another quality a new download: both refused
    for (const quality of ["720p", "360p"]) {
      const before = telegram.messages(user.id).length;
      user.pressButton(preview.message, dataFor(preview, quality));
      const refusal = await telegram.waitFor(() =>
        telegram.messages(user.id).slice(before).find((m) => /Quota reached/.test(m.text ?? ""))
      );
      assertMatch(refusal.text ?? "", new RegExp(`${left} left of your ${limit} per 24 hours`));
      assertMatch(refusal.text ?? "", /free again at /);
      assertMatch(refusal.text ?? "", literally(`(${zone})`));
    }
  }
  assertEquals(files(telegram, user.id, "video").length, 1, "one file in 24 hours");
});

Deno.test("[e2e/quota] a button press Telegram delivers twice queues one download and reserves once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const user = telegram.user(9402, { languageCode: "en" });
  const answersTo = (id: string) =>
    telegram.callsTo("answerCallbackQuery").filter((call) => call.params.callback_query_id === id);
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);

  // the same callback query again at once, as Telegram resends an update it thinks was lost
  const first = user.pressButton(preview.message, dataFor(preview, "720p")).callback_query!;
  user.sendUpdate({ callback_query: first });
  const video = await waitForFile(telegram, user.id, "video");
  await telegram.waitFor(() => answersTo(first.id).length >= 2 || undefined);
  await settled(bed, user.id);

  // and again long after, when the file is a cache hit
  user.sendUpdate({ callback_query: first });
  await telegram.waitFor(() => answersTo(first.id).length >= 3 || undefined);
  await settled(bed, user.id);
  assertEquals(files(telegram, user.id, "video").length, 1);
  assertEquals((await system.queue.countByState()).done, 2, "the probe and one download");
  assertMatch(
    await quotaLine(telegram, user),
    new RegExp(`${formatBytes(video.media!.fileSize)} / 500 MB`),
  );
});

Deno.test("[e2e/quota] /subs with a video reserves quota, settles to the file sent, and is refused past it", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ FREE_QUOTA_MB: "1.2" });
  const { telegram } = bed;
  const user = telegram.user(9403, { languageCode: "en" });
  const chooseTrack = async () => {
    const before = telegram.messages(user.id).length;
    user.sendText(`/subs ${lab.urls.page}`);
    const list = await telegram.waitFor(
      () =>
        telegram.messages(user.id).slice(before).find((m) =>
          buttons(m).some((b) => b.data.startsWith("sb:"))
        ),
      { timeoutMs: 30_000 },
    );
    user.pressButton(list.message, dataFor(list, "English"));
    return await telegram.waitFor(() =>
      telegram.messages(user.id).find((m) =>
        m.messageId === list.messageId && buttons(m).some((b) => b.data.startsWith("so:"))
      )
    );
  };
  const options = await chooseTrack();
  user.pressButton(options.message, dataFor(options, "🎬 Video with subtitles"));
  const video = await waitForFile(telegram, user.id, "video");
  await settled(bed, user.id);
  const size = video.media!.fileSize;
  assertMatch(await quotaLine(telegram, user), new RegExp(`${formatBytes(size)} / 1\\.2 MB`));

  // less than the 1 MB a video needs is left: refused with what is left; an .srt still goes
  const again = await chooseTrack();
  const before = telegram.messages(user.id).length;
  user.pressButton(again.message, dataFor(again, "🎬 Video with subtitles"));
  const refusal = await telegram.waitFor(() =>
    telegram.messages(user.id).slice(before).find((m) => /Quota reached/.test(m.text ?? ""))
  );
  assertMatch(refusal.text ?? "", new RegExp(`${formatBytes(1.2 * MB - size)} left`));
  const srtOptions = await chooseTrack();
  user.pressButton(srtOptions.message, dataFor(srtOptions, /\.srt/));
  await waitForFile(telegram, user.id, "document");
  assertEquals(files(telegram, user.id, "video").length, 1);
});

Deno.test("[e2e/quota] /record holds its longest size while it records, then settles to what was sent", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const live = lab.startLive();
  const user = telegram.user(9404, { languageCode: "en" });
  user.sendText(`/record ${live.url} 10`);
  await telegram.waitFor(
    () => telegram.messages(user.id).findLast((m) => /⏺ \d+:\d+ \/ 10:00/.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
  // 10 minutes at the 10 Mbit/s a recording reserves, and the menu counts it as spoken for
  assertMatch(await quotaLine(telegram, user), /500 MB \/ 500 MB/);
  const status = telegram.messages(user.id).findLast((m) =>
    buttons(m).some((b) => b.data === "rs")
  )!;
  user.pressButton(status.message, "rs");
  const video = await waitForFile(telegram, user.id, "video");
  await settled(bed, user.id);
  live.stop();
  assertMatch(
    await quotaLine(telegram, user),
    new RegExp(`${formatBytes(video.media!.fileSize)} / 500 MB`),
  );
});

Deno.test("[e2e/quota] a recording asked with little quota left ends once it has used it, and says so", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ FREE_QUOTA_MB: "1" });
  const { telegram } = bed;
  const live = lab.startLive();
  const user = telegram.user(9408, { languageCode: "en" });
  try {
    user.sendText(`/record ${live.url} 2`);
    const ended = await telegram.waitFor(
      () => telegram.messages(user.id).find((m) => /recording ended/.test(m.text ?? "")),
      { timeoutMs: 120_000 },
    );
    assertMatch(
      ended.text ?? "",
      literally(`of 2:00 asked): it used the ${formatBytes(MB)} of quota you had left`),
    );
    await settled(bed, user.id);
    const sent = files(telegram, user.id, "video").reduce((sum, m) => sum + m.media!.fileSize, 0);
    assert(sent > 0.5 * MB && sent <= MB, `${sent} bytes sent`);
    assertMatch(
      await quotaLine(telegram, user),
      literally(`${formatBytes(sent)} / ${formatBytes(MB)}`),
    );
  } finally {
    live.stop();
  }
});

Deno.test("[e2e/quota] a flood of requests stops at the plan's places, recordings at their smaller limit, in the user's language", async () => {
  await using lab = await startMediaLab();
  // no worker: every job stays waiting and keeps its place
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { telegram, system } = bed;
  const user = telegram.user(9405, { languageCode: "fr" });
  const live = lab.startLive();
  try {
    await reply(telegram, user, `/record ${live.url} 5`, /En file d’attente/);
    const heavy = await reply(telegram, user, `/record ${live.url} 5`, /Vous avez déjà/);
    assertMatch(heavy.text ?? "", /un enregistrement ou réencodage en attente ou en cours/);
    for (let i = 1; i <= 3; i++) {
      await reply(telegram, user, `${lab.urls.page}?n=${i}`, /J’analyse/);
    }
    const refused = await reply(telegram, user, `${lab.urls.page}?n=4`, /Vous avez déjà/);
    assertMatch(refused.text ?? "", /4 demandes en attente ou en cours/);
    assertEquals((await system.queue.listActiveByUser(user.id)).length, 4);
    // ended, the jobs free their places
    user.sendText("/cancel");
    await waitUntil(
      async () => (await system.queue.listActiveByUser(user.id)).length === 0,
      "every job cancelled",
    );
    await reply(telegram, user, `${lab.urls.page}?n=5`, /J’analyse/);
  } finally {
    live.stop();
  }
});

Deno.test("[e2e/quota] the app dying between its status message and the queue leaves no reservation behind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mediabot-crash-" });
  const path = `${dir}/bot.kv`;
  const kv = await Deno.openKv(path);
  const config = loadConfig({ BOT_TOKEN: "1:x", KV_PATH: path, DATA_DIR: dir });
  const deps = {
    kv,
    config,
    media: new MediaStore(kv),
    queue: new JobQueue(kv),
    quota: new QuotaStore(kv),
    events: new EventBus(createLogger("error")),
  };
  const info = {
    id: "clip",
    extractor: "generic",
    webpageUrl: "https://videos.example/clip",
    title: "clip",
    isLive: false,
    formats: [{ id: "720", ext: "mp4", height: 720, vcodec: "avc1", acodec: "mp4a", filesize: MB }],
  };
  const request = requestDownload(deps, {
    api: new Api("1:x"),
    userId: 9406,
    chatId: 9406,
    lang: "en",
    t: (key) => key,
    botUsername: "MediaTestBot",
    url: info.webpageUrl,
    info,
    variant: "720",
    key: "cb:crash",
  }, {
    // the process dies right after the status message: nothing it meant to write is written
    statusMessage: () => {
      kv.close();
      return Promise.resolve(1);
    },
  });
  await assertRejects(() => request);
  using reopened = await Deno.openKv(path);
  for (const prefix of ["jobs", "quota_ledger", "quota_used", "quota_reservations"]) {
    const entries = await Array.fromAsync(reopened.list({ prefix: [prefix] }));
    assertEquals(entries.map((e) => e.key), [], `nothing under ${prefix}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("[e2e/quota] a batch never fails for want of a place: its links wait until the user's jobs end", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { telegram, system } = bed;
  const user = telegram.user(9407, { languageCode: "en" });
  for (let i = 1; i <= 3; i++) {
    await reply(telegram, user, `${lab.urls.page}?single=${i}`, /Looking at the link/);
  }
  // the status message goes first, the job is queued right after it
  const singles = await waitUntil(async () => {
    const active = await system.queue.listActiveByUser(user.id);
    return active.length === 3 && active;
  }, "three links probing");
  user.sendText(`/batch ${lab.urls.page}?b=1 ${lab.urls.page}?b=2 ${lab.urls.page}?b=3`);
  const batchProbes = async () =>
    (await system.queue.listActiveByUser(user.id)).filter((job) =>
      job.payload.kind === "probe" && job.payload.autoDownload?.batchId
    );
  // three places taken: the batch gets the fourth, its other links wait
  await waitUntil(async () => (await batchProbes()).length === 1, "one batch link started");
  const refused = await reply(telegram, user, `${lab.urls.page}?single=4`, /already have 4/);
  assertMatch(refused.text ?? "", /4 requests waiting or running/);
  for (const job of singles) await system.jobs.cancel(job.id);
  // the ended jobs' places go to the batch, up to its two running links
  await waitUntil(async () => (await batchProbes()).length === 2, "a second batch link started");
  const [probe] = await batchProbes();
  const batchId = probe.payload.kind === "probe" ? probe.payload.autoDownload?.batchId : undefined;
  const batch = await getBatch(system.kv, batchId!);
  assertEquals([batch?.done, batch?.failed, batch?.cancelled], [0, 0, 0], "nothing failed");
  assertEquals((await system.queue.listActiveByUser(user.id)).length, 2);
});
