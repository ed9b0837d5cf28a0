/** /record against the media lab's live HLS stream: real yt-dlp, ffmpeg and the fake Bot API. */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import type { BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { middayTimezone, probeFile, startTestSystem } from "../support/system.ts";
import { outboxKey } from "../../kv/jobs.ts";
import { getXpCounters } from "../../kv/xp.ts";
import type { Job } from "../../media/job_types.ts";

/** at midday in the user's zone, so that no night owl joins the achievements counted here */
const MIDDAY = { DEFAULT_TIMEZONE: middayTimezone() };

/** The latest status message with a Stop button; messages are snapshots, so read it again. */
function recordingStatus(telegram: FakeTelegram, chatId: number): BotMessage | undefined {
  return telegram.messages(chatId).findLast((m) => buttons(m).some((b) => b.data === "rs"));
}

function isDeleted(telegram: FakeTelegram, message: BotMessage): boolean {
  return telegram.messages(message.chatId).some((m) =>
    m.messageId === message.messageId && m.deleted
  );
}

Deno.test("[e2e] /record records the live stream for the time asked, then Stop delivers early", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const live = lab.startLive();
  const user = telegram.user(7001, { languageCode: "en" });

  const startedAt = performance.now();
  user.sendText(`/record ${live.url} 4s`);
  const video = await waitForFile(telegram, user.id, "video");
  const recordMs = performance.now() - startedAt;
  const delivered = await probeFile(telegram.filePath(video.media!.fileId));
  assert(Math.abs(delivered.duration - 4) <= 1, `4 s asked, ${delivered.duration} s delivered`);
  assert(delivered.video && delivered.audio, "picture and sound");
  assertMatch(video.html ?? "", /🔴 <b>.*<\/b>/);
  assert(!/part \d/.test(video.caption ?? ""), "one file needs no part number");
  const firstStatus = recordingStatus(telegram, user.id);
  assertExists(firstStatus, "a status message with Stop was shown");
  await telegram.waitFor(() => isDeleted(telegram, firstStatus));

  // a long recording, stopped once it is under way: what was recorded still arrives
  const stopAsked = 600;
  user.sendText(`/record ${live.url} 10`);
  const status = await telegram.waitFor(() => {
    const message = recordingStatus(telegram, user.id);
    return message && !message.deleted && /⏺ \d+:\d+ \/ 10:00/.test(message.text ?? "") &&
      message;
  }, { timeoutMs: 30_000 });
  assertMatch(status.text ?? "", /Recording/);
  const stoppedAt = performance.now();
  user.pressButton(status.message, "rs");
  const early = await waitForFile(telegram, user.id, "video", video.messageId);
  const stopToFileMs = performance.now() - stoppedAt;
  const earlyFile = await probeFile(telegram.filePath(early.media!.fileId));
  assert(earlyFile.duration >= 1 && earlyFile.duration < 30, `stopped at ${earlyFile.duration} s`);
  assert(
    telegram.callbackAnswers.some((a) => a.data === "rs" && /Stopping/.test(a.text ?? "")),
    "the Stop press is acknowledged",
  );
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      /ended after 0:0\d \(of 10:00 asked\)/.test(m.text ?? "")
    )
  );
  const job = (await bed.system.queue.listActiveByUser(user.id)).length;
  assertEquals(job, 0, "nothing left running");
  live.stop();

  // the first recording earned Live Recorder, once: not again for the second, nor for a report
  // of the first delivered twice (an instance died before clearing its outbox entry)
  const { system } = bed;
  const unlocked = (m: BotMessage) => /Achievement unlocked: 🔴 Live Recorder/.test(m.text ?? "");
  await telegram.waitFor(() => telegram.messages(user.id).find(unlocked));
  const recordings: Job[] = [];
  for await (const { value } of system.kv.list<Job>({ prefix: ["jobs"] })) {
    if (value.userId === user.id && value.payload.kind === "record") recordings.push(value);
  }
  const [first] = recordings.sort((a, b) => a.createdAt - b.createdAt);
  await system.kv.set(outboxKey(first.id), { jobId: first.id, attempts: 1 });
  await system.jobs.report(first);
  await system.jobs.settled();
  await system.events.settled();
  assertEquals(telegram.messages(user.id).filter(unlocked).length, 1);
  assertEquals((await getXpCounters(system.kv, user.id)).recordings, 2, "two recordings");
  const before = telegram.messages(user.id).length;
  user.sendText("/achievements");
  const achievements = await telegram.waitFor(() =>
    telegram.messages(user.id).slice(before).find((m) => /Achievements ·/.test(m.text ?? ""))
  );
  assertMatch(achievements.text ?? "", /✅ 🔴 Live Recorder — a live stream recorded/);
  console.log(
    `record 4 s: ${recordMs.toFixed(0)} ms to the file, ${delivered.duration.toFixed(2)} s long; ` +
      `Stop → file ${stopToFileMs.toFixed(0)} ms, ${
        earlyFile.duration.toFixed(2)
      } s of ${stopAsked} s`,
  );
});

Deno.test("[e2e] /record splits a recording larger than the upload limit into ordered parts", async () => {
  await using lab = await startMediaLab();
  // about 40 kB a second of stream: 6 s cannot go in one 100 kB upload
  await using bed = await startTestSystem({ ...MIDDAY, MAX_UPLOAD_MB: "0.1" });
  const { telegram } = bed;
  const live = lab.startLive();
  const user = telegram.user(7002, { languageCode: "fr" });
  user.sendText(`/record ${live.url} 6s`);
  const status = await telegram.waitFor(() => recordingStatus(telegram, user.id));
  await telegram.waitFor(() => isDeleted(telegram, status), { timeoutMs: 60_000 });
  live.stop();
  const parts = telegram.messages(user.id).filter((m) => m.media?.kind === "video");
  assert(parts.length >= 2, `${parts.length} parts`);
  let total = 0;
  for (const [i, part] of parts.entries()) {
    assertMatch(part.caption ?? "", new RegExp(`partie ${i + 1}/${parts.length}`));
    const bytes = await telegram.fileBytes(part.media!.fileId);
    assert(bytes.length <= 0.1 * 1024 * 1024, `part ${i + 1} is ${bytes.length} bytes`);
    total += (await probeFile(telegram.filePath(part.media!.fileId))).duration;
  }
  assert(Math.abs(total - 6) <= 1, `parts add up to ${total} s`);
});

Deno.test("[e2e] /record of a link that is not live says so and offers the normal download", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const user = telegram.user(7003, { languageCode: "en" });

  user.sendText(`/record ${lab.urls.page} 31`);
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /up to 30 minutes/.test(m.text ?? ""))
  );
  user.sendText(`/record ${lab.urls.page}`);
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Record a live stream/.test(m.text ?? ""))
  );
  assertEquals((await bed.system.queue.countByState()).ready, 0, "no job for refused requests");

  user.sendText(`/record ${lab.urls.page} 1`);
  const preview = await waitForPreview(telegram, user.id);
  assert(buttons(preview).some((b) => b.text === "720p"), "the normal choices");
  assert(
    telegram.messages(user.id).some((m) => /not a live stream/.test(m.text ?? "")),
    "the user is told why",
  );
});

Deno.test("[e2e] a live link sent as a message offers 🔴 recordings, which start like /record within the user's limits", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const live = lab.startLive();
  const user = telegram.user(7004, { languageCode: "en" });

  user.sendText(live.url);
  const preview = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => buttons(m).some((b) => b.data.startsWith("rc:")))
  );
  assertMatch(preview.text ?? preview.caption ?? "", /Live stream/);
  assertMatch(preview.text ?? preview.caption ?? "", /Record this live stream for/);
  const labels = buttons(preview).filter((b) => b.data.startsWith("rc:")).map((b) => b.text);
  assertEquals(labels, ["🔴 5 min", "🔴 15 min", "🔴 30 min"], "the free plan's lengths");
  assert(!buttons(preview).some((b) => b.data.startsWith("dl:")), "no quality to download");

  // a press starts a recording with its quota reservation and its Stop button
  user.pressButton(preview.message, dataFor(preview, "🔴 5 min"));
  const status = await telegram.waitFor(() => {
    const message = recordingStatus(telegram, user.id);
    return message && /⏺ \d+:\d+ \/ 5:00/.test(message.text ?? "") && message;
  }, { timeoutMs: 30_000 });
  const [job] = await bed.system.queue.listActiveByUser(user.id);
  assertEquals(job.payload.kind, "record");
  assert(job.payload.kind === "record" && job.payload.seconds === 300);
  assertEquals(job.payload.maxBytes, 300 * 1_250_000, "quota reserved for the time asked");

  // the plan's one place for a recording is taken: a second press is refused, saying why
  user.pressButton(preview.message, dataFor(preview, "🔴 15 min"));
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /a recording or re-encoding waiting/.test(m.text ?? ""))
  );
  assertEquals((await bed.system.queue.listActiveByUser(user.id)).length, 1);

  user.pressButton(status.message, "rs");
  const video = await waitForFile(telegram, user.id, "video");
  const recorded = await probeFile(telegram.filePath(video.media!.fileId));
  assert(recorded.duration >= 1 && recorded.duration < 60, `${recorded.duration} s`);
  live.stop();
});
