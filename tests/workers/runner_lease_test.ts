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
  // a long lease and rare heartbeats: the worker cannot notice before it has uploaded
  await using bed = await startTestSystem({ WORKERS: "0" }, { leaseMs: 120_000 });
  const { telegram, system } = bed;
  const worker: RunnerDeps = {
    transport: localTransport(system.jobs),
    api: createTelegramApi(system.config),
    config: system.config,
    logger: createLogger("error"),
    heartbeatMs: 60_000,
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
  const running = runJob(download, worker);
  await waitUntil(
    () => Promise.resolve(lab.requests.some((r) => r.path === "/media/clip720.mp4")),
    "the download to start",
  );
  // the app gives the job up meanwhile (as an instance whose clock runs ahead would)
  const ahead = new JobQueue(system.kv, { now: () => Date.now() + 600_000 });
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
