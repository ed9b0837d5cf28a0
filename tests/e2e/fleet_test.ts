/** Fleet workers over /worker/v1: crashes, restarts, flood limits and tokens. */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { serveApp, spawnWorker, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { readMetrics, startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { WORKER_BODY_MAX_BYTES } from "../../routes/worker_api.ts";
import { PLAYLIST_ENTRIES_MAX } from "../../media/job_schemas.ts";
import type { FakeUser } from "../support/fake_telegram.ts";

const LAB_CLIP_BYTES_PER_SECOND = 100_000; // the 720p clip (~400 kB) then takes about 4 s

function videosIn(telegram: FakeTelegram, chatId: number): number {
  return telegram.messages(chatId).filter((m) => m.media?.kind === "video").length;
}

async function requestDownload(
  telegram: FakeTelegram,
  user: FakeUser,
  url: string,
  quality = "720p",
) {
  user.sendText(url);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, quality));
}

Deno.test("[e2e/fleet] a worker killed mid-download loses nothing: every user gets exactly one file", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir, { leaseMs: 3_000 });
  const workers = [spawnWorker(app.url, telegram, "wa"), spawnWorker(app.url, telegram, "wb")];
  try {
    const users = [1, 2, 3, 4].map((i) => telegram.user(6000 + i, { languageCode: "en" }));
    for (const user of users) {
      user.sendText(lab.urls.page);
      await waitForPreview(telegram, user.id);
    }
    lab.setThrottle(LAB_CLIP_BYTES_PER_SECOND);
    for (const user of users) {
      const preview = await waitForPreview(telegram, user.id);
      user.pressButton(preview.message, dataFor(preview, "720p"));
    }
    // wait until a worker is downloading (whichever claimed first), then kill it without warning
    const victim = await waitUntil(async () => {
      const active = await Promise.all(users.map((u) => app.system.queue.listActiveByUser(u.id)));
      return active.flat().find((job) => job.progress?.phase === "downloading");
    }, "a worker downloading");
    const killed = workers.find((w) => victim.workerId?.startsWith(`${w.id}-`));
    assert(killed, `the downloading worker ${victim.workerId} is one of the fleet`);
    await killed.kill();
    lab.setThrottle(undefined);
    for (const user of users) await waitForFile(telegram, user.id, "video");
    await waitUntil(async () => {
      const counts = await app.system.queue.countByState();
      // one probe (the others hit the probe cache) and four downloads
      return counts.ready + counts.leased === 0 && counts.done === 5;
    }, "every job done");
    for (const user of users) assertEquals(videosIn(telegram, user.id), 1, `user ${user.id}`);
    const retried = await app.system.queue.get(victim.id);
    assertEquals(retried?.state, "done");
    assert((retried?.attempts ?? 0) >= 2, "the killed worker's job ran again");
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[e2e/fleet] the app restarts mid-job and the job still finishes", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir();
  let app = await serveApp(telegram, dataDir);
  const worker = spawnWorker(app.url, telegram, "wr");
  try {
    const user = telegram.user(6101, { languageCode: "en" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    lab.setThrottle(LAB_CLIP_BYTES_PER_SECOND);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    const queue = app.system.queue;
    await waitUntil(
      async () =>
        (await queue.listActiveByUser(user.id)).find((j) => j.progress?.phase === "downloading"),
      "the download to start",
    );
    const port = app.port;
    await app.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    lab.setThrottle(undefined);
    app = await serveApp(telegram, dataDir, { port });
    await waitForFile(telegram, user.id, "video");
    await waitUntil(
      async () => (await app.system.queue.countByState()).done === 2,
      "both jobs done",
    );
    assertEquals(videosIn(telegram, user.id), 1);
    const status = await worker.stop();
    assertEquals(status.code, 0, "SIGTERM ends the worker cleanly");
  } finally {
    await worker.kill();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[e2e/fleet] with 20% of Bot API calls answered 429, everything is delivered once", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start({ seed: 7 });
  await using bed = await startTestSystem({}, { telegram });
  telegram.setFailureRate("*", 0.2, 1);
  const users = [1, 2].map((i) => telegram.user(6200 + i, { languageCode: "en" }));
  await Promise.all(users.map((user) => requestDownload(telegram, user, lab.urls.page)));
  for (const user of users) await waitForFile(telegram, user.id, "video");
  // two downloads, and one or two probes (the second user may hit the probe cache)
  await waitUntil(async () => {
    const counts = await bed.system.queue.countByState();
    return counts.ready + counts.leased === 0 && counts.done >= 3;
  }, "all jobs done");
  const refused = telegram.calls.filter((c) => c.error_code === 429).length;
  assert(refused > 0, "some calls were refused");
  for (const user of users) assertEquals(videosIn(telegram, user.id), 1);
});

Deno.test("[e2e/fleet] the worker API refuses a wrong or missing token and changes nothing", async () => {
  await using bed = await startTestSystem({ WORKERS: "0", WORKER_TOKEN: TEST_WORKER_TOKEN });
  const { app, queue } = bed.system;
  const job = await queue.enqueue({
    userId: 1,
    chatId: 1,
    payload: { kind: "probe", url: "http://127.0.0.1/x", lang: "en" },
  });
  const claim = (headers: Record<string, string>) =>
    app.request("/worker/v1/claim", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ workerId: "intruder", waitMs: 0 }),
    });
  assertEquals((await claim({})).status, 401);
  assertEquals((await claim({ authorization: "Bearer wrong-token-wrong-token" })).status, 401);
  assertEquals(
    (await claim({ authorization: TEST_WORKER_TOKEN })).status,
    401,
    "Bearer scheme needed",
  );
  assertEquals((await queue.get(job.id))?.state, "ready", "nothing changed");

  const auth = { authorization: `Bearer ${TEST_WORKER_TOKEN}`, "content-type": "application/json" };
  const bad = await app.request("/worker/v1/claim", { method: "POST", headers: auth, body: "{" });
  assertEquals(bad.status, 400);
  const ok = await claim({ authorization: `Bearer ${TEST_WORKER_TOKEN}` });
  assertEquals(ok.status, 200);
  const { leaseId } = await ok.json();
  const forged = await app.request(`/worker/v1/jobs/${job.id}/complete`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ leaseId: "not-the-lease", result: { kind: "probe" } }),
  });
  assertEquals(forged.status, 400, "a malformed result is refused before anything else");
  const stale = await app.request(`/worker/v1/jobs/${job.id}/heartbeat`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ leaseId: "not-the-lease" }),
  });
  assertEquals(stale.status, 409);
  const beat = await app.request(`/worker/v1/jobs/${job.id}/heartbeat`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ leaseId, progress: { phase: "downloading", percent: 10 } }),
  });
  assertEquals(await beat.json(), { ok: true, cancel: false, stop: false });
});

Deno.test("[e2e/fleet] the worker API takes the largest report and refuses a larger body, declared or streamed", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-body-limit-" });
  const served = await serveApp(telegram, dataDir);
  try {
    const job = await served.system.queue.enqueue({
      userId: 1,
      chatId: 1,
      payload: { kind: "probe", url: "http://127.0.0.1/x", lang: "en" },
    });
    const auth = {
      authorization: `Bearer ${TEST_WORKER_TOKEN}`,
      "content-type": "application/json",
    };
    const claimed = await fetch(`${served.url}/worker/v1/claim`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ workerId: "w1", waitMs: 0 }),
    });
    const { leaseId } = await claimed.json();
    const complete = async (body: string | ReadableStream<Uint8Array>) => {
      const response = await fetch(`${served.url}/worker/v1/jobs/${job.id}/complete`, {
        method: "POST",
        headers: auth,
        body,
      });
      await response.body?.cancel();
      return response.status;
    };
    const entries = Array.from({ length: PLAYLIST_ENTRIES_MAX }, (_, i) => ({
      url: `https://example.com/${String(i).padEnd(2048 - 20, "v")}`,
      title: "é".repeat(300),
    }));
    const largest = JSON.stringify({
      leaseId: "another-lease",
      result: { kind: "playlist_entries", title: "t", count: entries.length, entries },
    });
    // read and validated: only the lease is wrong
    assertEquals(await complete(largest), 409, "the largest report is read");
    const tooLarge = JSON.stringify({ leaseId, padding: "x".repeat(WORKER_BODY_MAX_BYTES) });
    assertEquals(await complete(tooLarge), 413, "declared, too large");
    const streamed = new Blob([tooLarge]).stream().pipeThrough(new TransformStream());
    assertEquals(await complete(streamed), 413, "streamed, too large");
    assertEquals((await served.system.queue.get(job.id))?.state, "leased", "nothing changed");
  } finally {
    await served.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[e2e/fleet] Cancel on the status message stops yt-dlp within seconds", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(6301, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  lab.setThrottle(20_000);
  user.pressButton(preview.message, dataFor(preview, "720p"));
  const status = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Downloading/.test(m.text ?? ""))
  );
  const pressed = performance.now();
  user.pressButton(status.message, "cx");
  await telegram.waitFor(
    () =>
      telegram.messages(user.id).find((m) =>
        m.messageId === status.messageId && /cancelled/.test(m.text ?? "")
      ),
    { timeoutMs: 10_000 },
  );
  const stoppedMs = performance.now() - pressed;
  const running = await new Deno.Command("pgrep", { args: ["-f", lab.baseUrl], stdout: "piped" })
    .output();
  assertEquals(new TextDecoder().decode(running.stdout).trim(), "", "no yt-dlp left running");
  assertEquals(videosIn(telegram, user.id), 0);
  const counts = await bed.system.queue.countByState();
  assertEquals(counts.cancelled, 1);
  assert(stoppedMs < 10_000);
});

Deno.test("[e2e/fleet] /healthz and /metrics report the queue", async () => {
  await using bed = await startTestSystem({ WORKERS: "0" });
  await bed.system.queue.enqueue({
    userId: 1,
    chatId: 1,
    payload: { kind: "probe", url: "http://127.0.0.1/x", lang: "en" },
  });
  const health = await (await bed.system.app.request("/healthz")).json();
  assertEquals(health.status, "ok");
  assertEquals(health.queueDepth, 1);
  const metrics = await readMetrics(bed.system);
  assert(metrics.includes("mediabot_queue_depth 1"), metrics);
  assert(metrics.includes('mediabot_jobs{state="ready"} 1'));
  assert(metrics.includes('mediabot_cache_requests_total{cache="files",outcome="hit"} 0'));
  assert(!metrics.includes("mediabot_job_run_seconds_count"), "no job has ended yet");
  const resident = Number(/^mediabot_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1]);
  assert(resident > 10 * 1024 * 1024, `resident memory: ${resident}`);
  assert(/^mediabot_heap_space_size_bytes\{space="new"\} [1-9]\d*$/m.test(metrics), metrics);
  assert(/^mediabot_heap_space_used_bytes\{space="old"\} [1-9]\d*$/m.test(metrics), metrics);

  const claim = await bed.system.jobs.claim("w1");
  assert(claim, "the job is claimed");
  await bed.system.jobs.fail(claim.job.id, claim.leaseId, {
    code: "unsupported",
    message: "no media here",
    retryable: false,
  });
  const after = await readMetrics(bed.system);
  assert(after.includes('mediabot_job_run_seconds_count{kind="probe",state="failed"} 1'), after);
  assert(
    after.includes('mediabot_job_run_seconds_bucket{kind="probe",state="failed",le="+Inf"} 1'),
  );
  assert(after.includes('mediabot_job_wait_seconds_count{kind="probe"} 1'));
  await bed.system.jobs.settled();
});
