/** A worker whose lease moved on without it knowing: what it uploaded is taken back. */
import { assert, assertEquals } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { JobQueue } from "../../kv/jobs.ts";
import { createLogger } from "../../lib/logger.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { runJob, type RunnerDeps } from "../../workers/runner.ts";
import { localTransport } from "../../services/local_transport.ts";

Deno.test("[workers/runner] an upload whose completion the app refuses, the lease having moved on, is withdrawn", async () => {
  await using lab = await startMediaLab();
  // a lease and heartbeats far longer than the job, however busy the machine: the worker
  // cannot notice before it has uploaded
  const leaseMs = 3_600_000;
  await using bed = await startTestSystem({ WORKERS: "0" }, { leaseMs });
  const { telegram, system } = bed;
  const worker: RunnerDeps = {
    transport: localTransport(system.jobs),
    api: createTelegramApi(system.config),
    config: system.config,
    logger: createLogger("error"),
    heartbeatMs: leaseMs,
  };
  const user = telegram.user(7_401, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const probe = await system.jobs.claim("worker-0", { waitMs: 10_000 });
  assert(probe, "the link's probe");
  await runJob(probe, worker);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "720p"));
  const download = await system.jobs.claim("worker-0", { waitMs: 10_000 });
  assert(download?.job.payload.kind === "download");

  // slowed, so that the app gives the job up while the file is still coming however busy the machine
  lab.setThrottle(100_000);
  // the probe may have fetched the file already: the download is the next request for it
  const clipRequests = () => lab.requests.filter((r) => r.path === "/media/clip720.mp4").length;
  const fetchedBefore = clipRequests();
  const running = runJob(download, worker);
  await waitUntil(() => Promise.resolve(clipRequests() > fetchedBefore), "the download to start");
  // the app gives the job up meanwhile (as an instance whose clock runs ahead would)
  const ahead = new JobQueue(system.kv, { now: () => Date.now() + 2 * leaseMs });
  assertEquals((await ahead.sweepExpiredLeases()).map((job) => job.state), ["ready"]);
  lab.setThrottle(undefined);
  await running;

  const uploads = telegram.callsTo("sendVideo");
  assertEquals(uploads.length, 1, "the worker uploaded");
  const videos = telegram.messages(user.id).filter((m) => m.media?.kind === "video");
  assertEquals(videos.length, 1);
  assert(videos[0].deleted, "and took its copy back when the app refused the result");
  assertEquals((await system.queue.get(download.job.id))?.state, "ready", "for another worker");
});
