/**
 * Big files, self-hosted Bot API style (MAX_UPLOAD_MB=2000, nothing compressed):
 * - end to end, a 50 MiB media-lab clip from button press to sendVideo, against the same file
 *   fetched by a bare `yt-dlp` then uploaded by a bare `curl`;
 * - a fleet worker's peak RSS while it delivers a 1 GiB clip: the file streams from disk;
 * - a 1 GiB clip from button press to sendVideo with a local-mode Bot API server that shares the
 *   worker's folder (TELEGRAM_SHARED_DIR: sent by path), against today's upload.
 * - sources that cap each connection at 2 MiB/s, as CDNs do (a 60 MiB HLS VOD, a 60 MiB mp4):
 *   press → sendVideo against the same bare `yt-dlp` (its defaults: one connection, one fragment
 *   at a time) + `curl` upload.
 */
import { FakeTelegram, type FakeUser } from "../tests/support/fake_telegram.ts";
import { startMediaLab } from "../tests/support/media_lab.ts";
import { serveApp, spawnWorker, type WorkerProcess } from "../tests/support/fleet.ts";
import { dataFor, waitForPreview } from "../tests/support/chat.ts";
import { sharedFolders } from "../tests/support/shared_folders.ts";
import { ms, summarize } from "./stats.ts";
import { descendants, peakResidentBytes, residentBytes } from "../tests/support/processes.ts";

const MiB = 1024 * 1024;
const RUNS = 5;
const CAPPED_RUNS = 3;
/** what a CDN lets one connection have */
const CAP_PER_CONNECTION = 2 * MiB;
// a free user's daily quota would refuse the 1 GiB clip
const SELF_HOSTED = { MAX_UPLOAD_MB: "2000", FREE_QUOTA_MB: "10000" };

async function run(command: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
}

/** What a script with no bot around it would do: yt-dlp to disk, then curl to sendVideo. */
async function bareDelivery(telegram: FakeTelegram, chatId: number, url: string) {
  const dir = await Deno.makeTempDir();
  const started = performance.now();
  try {
    await run("yt-dlp", ["--quiet", "--no-progress", "-o", `${dir}/clip.%(ext)s`, "--", url]);
    await run("curl", [
      "--silent",
      "--fail",
      "-F",
      `chat_id=${chatId}`,
      "-F",
      `video=@${dir}/clip.mp4`,
      `${telegram.apiRoot}/bot${telegram.token}/sendVideo`,
    ]);
    return performance.now() - started;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Sends the link, waits for the preview, presses 1080p: resolves when the video is in the chat. */
async function pressFor1080p(
  telegram: FakeTelegram,
  user: FakeUser,
  url: string,
  beforePress?: () => void,
) {
  user.sendText(url);
  const preview = await waitForPreview(telegram, user.id);
  beforePress?.();
  const started = performance.now();
  user.pressButton(preview.message, dataFor(preview, /^1080p/));
  await telegram.waitFor(
    () => telegram.messages(user.id).find((m) => m.media?.kind === "video"),
    { timeoutMs: 300_000 },
  );
  return performance.now() - started;
}

/** The app, and one fleet worker in its own process: the fake Bot API's parsing is not its CPU. */
async function withFleet<T>(
  telegram: FakeTelegram,
  run: (worker: WorkerProcess) => Promise<T>,
  workerEnv: Record<string, string> = {},
): Promise<T> {
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir, { env: SELF_HOSTED });
  const worker = spawnWorker(app.url, telegram, "big", {
    ...SELF_HOSTED,
    WORKER_CONCURRENCY: "1",
    ...workerEnv,
  });
  try {
    return await run(worker);
  } finally {
    await worker.stop();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/**
 * Two sides `runs` times each, turn about, so neither always runs on a machine the other just
 * warmed or tired.
 */
async function inTurns(
  runs: number,
  one: (run: number) => Promise<unknown>,
  other: (run: number) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) await one(i).then(() => other(i));
    else await other(i).then(() => one(i));
  }
}

/**
 * One source, through the bot (press → sendVideo, a fleet worker) and through the bare tools
 * (yt-dlp then curl), `runs` times each in turn: their medians, and the bot's over the tools'.
 */
async function botAgainstBare(
  telegram: FakeTelegram,
  url: string,
  runs: number,
  firstUser: number,
) {
  const bare = telegram.user(firstUser, { languageCode: "en" });
  const bareTimes: number[] = [];
  const botTimes: number[] = [];
  await withFleet(telegram, () =>
    inTurns(
      runs,
      async () => bareTimes.push(await bareDelivery(telegram, bare.id, url)),
      async (i) => {
        // a new user and a new clip URL each time, or the second press is a cache hit
        const user = telegram.user(firstUser + 1 + i, { languageCode: "en" });
        botTimes.push(await pressFor1080p(telegram, user, `${url}?run=${i}`));
      },
    ));
  const bot = summarize(botTimes).p50;
  const baseline = summarize(bareTimes).p50;
  return { bot, baseline, ratio: bot / baseline };
}

export async function benchEndToEnd() {
  await using lab = await startMediaLab();
  const url = await lab.bigClip(50);
  await using telegram = await FakeTelegram.start({ maxUploadBytes: 2000 * MiB });
  // the first bare run puts the clip in the page cache for both sides
  await bareDelivery(telegram, telegram.user(8000, { languageCode: "en" }).id, url);
  const { bot, baseline, ratio } = await botAgainstBare(telegram, url, RUNS, 8001);
  return {
    name:
      `End to end: 50 MiB clip, press → sendVideo vs bare yt-dlp + curl upload (medians of ${RUNS})`,
    result: `${ms(bot)} vs ${ms(baseline)}: ${ratio.toFixed(2)}×`,
    target: "≤ 1.15×",
    met: ratio <= 1.15,
  };
}

export async function benchWorkerMemory() {
  await using lab = await startMediaLab();
  const url = await lab.bigClip(1024);
  await using telegram = await FakeTelegram.start({ maxUploadBytes: 2000 * MiB });
  return await withFleet(telegram, async (worker) => {
    const pid = worker.process.pid;
    // yt-dlp, ffmpeg and curl run beside the worker: their memory counts too
    let peakWithChildren = 0;
    const sampler = setInterval(() => {
      const pids = [pid, ...descendants([pid]).map((p) => p.pid)];
      const total = pids.reduce((sum, p) => sum + residentBytes(p), 0);
      peakWithChildren = Math.max(peakWithChildren, total);
    }, 100);
    const user = telegram.user(8101, { languageCode: "en" });
    // pressFor1080p times from the press, once the probe (a job too) is done
    let idle = 0;
    const elapsed = await pressFor1080p(telegram, user, url, () => idle = residentBytes(pid))
      .finally(() => clearInterval(sampler));
    const peak = peakResidentBytes(pid);
    const delivered = telegram.messages(user.id).find((m) => m.media?.kind === "video")!;
    const size = (await Deno.stat(telegram.filePath(delivered.media!.fileId))).size;
    return {
      name: `Worker memory: ${(size / MiB).toFixed(0)} MiB clip delivered (MAX_UPLOAD_MB=2000)`,
      result: `worker peak RSS ${(peak / MiB).toFixed(0)} MiB (idle ${
        (idle / MiB).toFixed(0)
      } MiB); with yt-dlp/ffmpeg/curl ${(peakWithChildren / MiB).toFixed(0)} MiB at most; in ${
        (elapsed / 1000).toFixed(1)
      } s`,
      target: "< 150 MiB",
      met: peak < 150 * MiB,
    };
  });
}

const LOCAL_RUNS = 5;

export async function benchLocalBotApi() {
  await using lab = await startMediaLab();
  const url = await lab.bigClip(1024);
  await using folders = await sharedFolders();
  const { shared, botApi } = folders;
  await using uploading = await FakeTelegram.start({ maxUploadBytes: 2000 * MiB });
  await using local = await FakeTelegram.start({
    maxUploadBytes: 2000 * MiB,
    localDir: botApi,
    localFilesDir: shared,
  });
  const uploadTimes: number[] = [];
  const pathTimes: number[] = [];
  // the sendVideo call alone, from its arrival to its answer: the upload, or the server's read
  const sendTime = (telegram: FakeTelegram) =>
    telegram.callsTo("sendVideo").filter((call) => call.ok).at(-1)!.durationMs;
  const uploadSends: number[] = [];
  const pathSends: number[] = [];
  let peak = 0;
  await withFleet(uploading, async () => {
    await withFleet(local, async (worker) => {
      // a new user and a new clip URL each time, or the second press is a cache hit
      const byUpload = async (i: number) => {
        const user = uploading.user(8201 + i, { languageCode: "en" });
        uploadTimes.push(await pressFor1080p(uploading, user, `${url}?upload=${i}`));
        uploadSends.push(sendTime(uploading));
      };
      const byPath = async (i: number) => {
        const user = local.user(8301 + i, { languageCode: "en" });
        pathTimes.push(await pressFor1080p(local, user, `${url}?path=${i}`));
        pathSends.push(sendTime(local));
      };
      await inTurns(LOCAL_RUNS, byUpload, byPath);
      peak = peakResidentBytes(worker.process.pid);
    }, { TELEGRAM_SHARED_DIR: shared });
  });
  const sentByPath =
    local.callsTo("sendVideo").filter((call) =>
      call.ok && String(call.params.video).startsWith("file://")
    ).length;
  const byPath = summarize(pathTimes).p50;
  const byUpload = summarize(uploadTimes).p50;
  const ratio = byPath / byUpload;
  return {
    name: `Local Bot API: 1 GiB clip, press → sendVideo by path (TELEGRAM_SHARED_DIR) vs upload ` +
      `(medians of ${LOCAL_RUNS})`,
    result: `${ms(byPath)} vs ${ms(byUpload)}: ${ratio.toFixed(2)}× (the sendVideo call ` +
      `${ms(summarize(pathSends).p50)} vs ${ms(summarize(uploadSends).p50)}); ${sentByPath}/` +
      `${LOCAL_RUNS} sent by path; worker peak RSS ${(peak / MiB).toFixed(0)} MiB`,
    target: "≤ 0.5×, peak RSS < 150 MiB",
    met: ratio <= 0.5 && peak < 150 * MiB && sentByPath === LOCAL_RUNS,
  };
}

/** One source at CAP_PER_CONNECTION: the bot and the bare tools in turn, CAPPED_RUNS each. */
async function cappedRow(kind: string, url: string, telegram: FakeTelegram, firstUser: number) {
  const { bot, baseline, ratio } = await botAgainstBare(telegram, url, CAPPED_RUNS, firstUser);
  return {
    name:
      `Capped source (2 MiB/s per connection): ${kind}, press → sendVideo vs bare yt-dlp + curl upload (medians of ${CAPPED_RUNS})`,
    result: `${ms(bot)} vs ${ms(baseline)}: ${ratio.toFixed(2)}×`,
    target: "≤ 0.5×",
    met: ratio <= 0.5,
  };
}

/** Sources that cap each connection, as CDNs do: what several connections per download buy. */
export async function benchCappedSources() {
  await using lab = await startMediaLab({ throttleBytesPerSecond: CAP_PER_CONNECTION });
  const hls = await lab.bigHls(60);
  const clip = await lab.bigClip(60);
  await using telegram = await FakeTelegram.start({ maxUploadBytes: 2000 * MiB });
  return [
    await cappedRow("60 MiB HLS VOD", hls, telegram, 8201),
    await cappedRow("60 MiB mp4", clip, telegram, 8301),
  ];
}
