/**
 * The worker's side of how a job ended: runJob reports its result or its failure over /worker/v1
 * to a real app, keeps reporting while the app cannot take it, and stops cleanly when it never can.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { FakeYtdlp, type FakeYtdlpAnswer, isRunning } from "../support/fake_ytdlp.ts";
import { serveApp, type ServedApp, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { waitUntil } from "../support/wait.ts";
import type { Claim } from "../../media/job_types.ts";
import type { Logger } from "../../lib/logger.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { type AppCallTimeouts, httpTransport } from "../../workers/http_transport.ts";
import { runJob, type RunnerDeps, scratchRoot } from "../../workers/runner.ts";

const USER = 7_501;
const LINK = "https://media.example/clip";
/** what `yt-dlp -J` prints for a page with one 720p mp4 of known size (no size lookup needed) */
const PROBE_JSON = {
  id: "clip",
  extractor: "generic",
  webpage_url: LINK,
  title: "Fake clip",
  duration: 3,
  formats: [{
    format_id: "720p",
    ext: "mp4",
    protocol: "https",
    url: "https://media.example/clip.mp4",
    width: 1280,
    height: 720,
    vcodec: "avc1",
    acodec: "mp4a",
    filesize: 1_000_000,
  }],
};
const PRIVATE_VIDEO = "ERROR: [generic] clip: Private video. Sign in if you've been granted access";
const SERVER_ERROR = "ERROR: Unable to download webpage: HTTP Error 503: Service Unavailable";

/**
 * In front of the app: forwards the worker's calls, or answers its reports (complete, fail) 503
 * while `refusingReports`, as an app that is restarting behind its load balancer would.
 */
function startFront(appUrl: string) {
  const front = {
    refusingReports: false,
    refusedReports: 0,
    url: "",
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { pathname, search } = new URL(request.url);
    if (front.refusingReports && /\/(complete|fail)$/.test(pathname)) {
      front.refusedReports++;
      return new Response("restarting", { status: 503 });
    }
    return fetch(`${appUrl}${pathname}${search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
  });
  front.url = `http://127.0.0.1:${server.addr.port}`;
  return { front, close: () => server.shutdown() };
}

/** The app behind its front, a fleet worker's deps pointed at them, and a logger that keeps errors. */
async function startBench(ytdlpPath: string, timeouts: Partial<AppCallTimeouts> = {}) {
  const telegram = await FakeTelegram.start();
  telegram.user(USER, { languageCode: "en" });
  const appDir = await Deno.makeTempDir({ prefix: "mediabot-reports-app-" });
  const workerDir = await Deno.makeTempDir({ prefix: "mediabot-reports-worker-" });
  const app: ServedApp = await serveApp(telegram, appDir, { leaseMs: 60_000 });
  const { front, close: closeFront } = startFront(app.url);
  const errors: string[] = [];
  const quiet = () => {};
  const logger: Logger = {
    debug: quiet,
    info: quiet,
    warn: quiet,
    error: (message) => errors.push(message),
  };
  const worker: RunnerDeps = {
    transport: httpTransport(front.url, TEST_WORKER_TOKEN, {
      callMs: 10_000,
      claimWaitMs: 2_000,
      reportPatienceMs: 60_000,
      ...timeouts,
    }),
    api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
    config: {
      dataDir: workerDir,
      ytdlpPath,
      ffmpegPath: "ffmpeg",
      ffprobePath: "ffprobe",
      maxUploadBytes: 50_000_000,
      allowPrivateUrls: true,
    },
    logger,
    heartbeatMs: 200,
  };
  const claiming = new AbortController();
  return {
    app,
    front,
    worker,
    errors,
    workerDir,
    /** a probe of LINK, queued and claimed by the worker */
    async claimProbe(): Promise<Claim> {
      await app.system.queue.enqueue({
        userId: USER,
        chatId: USER,
        payload: { kind: "probe", url: LINK, lang: "en" },
      });
      const claim = await worker.transport.claim("worker-reports", claiming.signal);
      assert(claim, "the worker claims the probe");
      return claim;
    },
    async [Symbol.asyncDispose]() {
      claiming.abort();
      await closeFront();
      await app.stop();
      await telegram.close();
      await Deno.remove(appDir, { recursive: true });
      await Deno.remove(workerDir, { recursive: true });
    },
  };
}

Deno.test("[workers/runner] a finished job is reported over /worker/v1: the app has its result", async () => {
  await using ytdlp = await FakeYtdlp.create({ stdout: JSON.stringify(PROBE_JSON) });
  await using bench = await startBench(ytdlp.path);
  const claim = await bench.claimProbe();
  await runJob(claim, bench.worker);

  const run = await ytdlp.run(1);
  assert(run, "the probe ran the worker's configured yt-dlp");
  assertEquals(run.argv.slice(-2), ["--", LINK]);
  const job = await bench.app.system.queue.get(claim.job.id);
  assertEquals(job?.state, "done");
  assert(job?.result?.kind === "probe", `a probe result: ${JSON.stringify(job?.result)}`);
  assertEquals(job.result.info.title, "Fake clip");
  assertEquals(job.result.info.formats.map((f) => [f.id, f.height, f.filesize]), [
    ["720p", 720, 1_000_000],
  ]);
  assertEquals(bench.errors, []);
});

Deno.test("[workers/runner] a failed job is reported with its reason: final, or back in the queue when worth retrying", async () => {
  const cases = [
    {
      stderr: PRIVATE_VIDEO,
      state: "failed",
      code: "private",
      message: "Private video. Sign in if you've been granted access",
    },
    {
      stderr: SERVER_ERROR,
      state: "ready",
      code: "network",
      message: "Unable to download webpage: HTTP Error 503: Service Unavailable",
    },
  ];
  for (const expected of cases) {
    await using ytdlp = await FakeYtdlp.create({ stderr: expected.stderr, exitCode: 1 });
    await using bench = await startBench(ytdlp.path);
    const claim = await bench.claimProbe();
    await runJob(claim, bench.worker);

    const job = await bench.app.system.queue.get(claim.job.id);
    assertEquals(
      [job?.state, job?.error, job?.attempts],
      [expected.state, { code: expected.code, message: expected.message }, 1],
      expected.stderr,
    );
    assertEquals(bench.errors, []);
  }
});

Deno.test("[workers/runner] a report the app cannot take yet is sent again until it takes it", async () => {
  const answers: { answer: FakeYtdlpAnswer; state: string }[] = [
    { answer: { stdout: JSON.stringify(PROBE_JSON) }, state: "done" },
    { answer: { stderr: PRIVATE_VIDEO, exitCode: 1 }, state: "failed" },
  ];
  for (const { answer, state } of answers) {
    await using ytdlp = await FakeYtdlp.create({ ...answer, held: true });
    await using bench = await startBench(ytdlp.path);
    const claim = await bench.claimProbe();
    const running = runJob(claim, bench.worker);
    await waitUntil(() => ytdlp.run(1), "the probe to start");
    bench.front.refusingReports = true;
    await ytdlp.release();
    await waitUntil(
      () => Promise.resolve(bench.front.refusedReports >= 2),
      "the report to be refused twice",
    );
    assertEquals((await bench.app.system.queue.get(claim.job.id))?.state, "leased");
    bench.front.refusingReports = false;
    await running;
    assertEquals((await bench.app.system.queue.get(claim.job.id))?.state, state);
    assertEquals(bench.errors, []);
  }
});

Deno.test("[workers/runner] a failure report that never gets through: the job still ends, its scratch removed, its lease left to run out", async () => {
  await using ytdlp = await FakeYtdlp.create({ stderr: PRIVATE_VIDEO, exitCode: 1 });
  await using bench = await startBench(ytdlp.path, { reportPatienceMs: 1_500 });
  bench.front.refusingReports = true;
  const claim = await bench.claimProbe();
  await runJob(claim, bench.worker);

  assert(bench.front.refusedReports >= 2, `${bench.front.refusedReports} attempts`);
  assertEquals(bench.errors, ["could not report a failure; the lease will expire"]);
  const job = await bench.app.system.queue.get(claim.job.id);
  assertEquals([job?.state, job?.leaseId], ["leased", claim.leaseId], "for the sweep to retry");
  const scratch: string[] = [];
  for await (const entry of Deno.readDir(scratchRoot(bench.workerDir))) scratch.push(entry.name);
  assertEquals(scratch, []);
});

Deno.test("[workers/runner] a job stopped by the worker's shutdown is reported as interrupted and queued again, its yt-dlp ended", async () => {
  await using ytdlp = await FakeYtdlp.create({ hang: true });
  await using bench = await startBench(ytdlp.path);
  const claim = await bench.claimProbe();
  const shutdown = new AbortController();
  const running = runJob(claim, bench.worker, shutdown.signal);
  const run = await waitUntil(() => ytdlp.run(1), "the probe to start");
  shutdown.abort();
  await running;

  const job = await bench.app.system.queue.get(claim.job.id);
  assertEquals([job?.state, job?.error?.code], ["ready", "interrupted"]);
  await waitUntil(() => Promise.resolve(!run.pids.some(isRunning)), "no yt-dlp left running");
  assertEquals(bench.errors, []);
});
