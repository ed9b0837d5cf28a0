/**
 * Hostile shapes of the job pipeline itself: media ids too long for a KV key, and a worker cut
 * off from the app mid-job. Invariants: every link is answered, a batch frees its places, and a
 * user never gets a file twice.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { CuttableProxy } from "../support/cuttable_proxy.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import type { BotMessage } from "../support/fake_telegram.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { serveApp, spawnWorker, type WorkerProcess } from "../support/fleet.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { listRunningItems, listWaitingItems } from "../../kv/batch_items.ts";
import { MAX_URL_LENGTH } from "../../lib/url_guard.ts";

function videosIn(telegram: FakeTelegram, chatId: number): BotMessage[] {
  return telegram.messages(chatId).filter((m) => m.media?.kind === "video" && !m.deleted);
}

function batchSummary(telegram: FakeTelegram, chatId: number, total: number) {
  return telegram.waitFor(
    () =>
      telegram.messages(chatId).find((m) =>
        /— finished/.test(m.text ?? "") && new RegExp(`\\b${total}/${total} · `).test(m.text ?? "")
      ),
    { timeoutMs: 120_000 },
  );
}

Deno.test("[security] long ids: links whose media ids overflow a KV key are answered, and their batch frees its places", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({}, { reportRetryBaseMs: 50 });
  const { telegram, system } = bed;
  const user = telegram.user(9_401, { languageCode: "en" });
  // yt-dlp's generic extractor takes a file's name as the media's id: as long as a link allows
  const room = MAX_URL_LENGTH - lab.clipNamed("").length;
  const hostile = [
    lab.clipNamed("a".repeat(room)),
    lab.clipNamed("z9_-".repeat(room / 4)),
    lab.clipNamed("%C3%A9".repeat(room / 6)),
    `${lab.clipNamed("b".repeat(room - 7))}?copy=2`,
  ];
  assert(hostile.every((url) => url.length <= MAX_URL_LENGTH), "links the bot accepts");
  const links = [...hostile, lab.urls.page];
  user.sendDocument({
    fileName: "links.txt",
    mimeType: "text/plain",
    bytes: new TextEncoder().encode(links.join("\n")),
  });
  const summary = (await batchSummary(telegram, user.id, links.length)).text ?? "";
  const [, done, failed] = /· ✅ (\d+) · ❌ (\d+)/.exec(summary)!.map(Number);
  assertEquals(done + failed, links.length, "every link answered");
  assert(done >= 1, "the ordinary link was delivered");
  // a link that was not delivered is named in the summary, with why
  assertEquals(summary.match(/❌ .* — could not be finished/g)?.length ?? 0, failed, summary);
  await telegram.waitFor(() => videosIn(telegram, user.id).length >= done || undefined);
  const duplicates = videosIn(telegram, user.id).length - done;
  assertEquals(duplicates, 0, "one file a delivered link");

  await waitUntil(async () => {
    const running = await listRunningItems(system.kv, user.id);
    const waiting = await listWaitingItems(system.kv, user.id, 10);
    const { entries } = await system.queue.listOutbox();
    return running.length + waiting.length + entries.length === 0;
  }, "the batch's places freed and its reports settled");
  // the freed places take the next batch at once
  user.sendText(`/batch ${lab.urls.page}?copy=3 ${lab.urls.page}?copy=4`);
  const next = await batchSummary(telegram, user.id, 2);
  assertMatch(next.text ?? "", /2\/2 · ✅ 2 · ❌ 0/);
  await reportHostile({
    name: "long ids",
    inputs: hostile.length,
    escapes: 0,
    wrongFiles: duplicates,
    crashes: 0,
  });
});

const LEASE_MS = 3_000;
/** the 720p clip (~400 kB) takes about 10 s: a cut worker could finish within the partition */
const SLOW_CLIP_BYTES_PER_SECOND = 40_000;

Deno.test("[security] partitioned workers: one cut off from the app past its lease uploads nothing; the user gets one file", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-partition-" });
  const app = await serveApp(telegram, dataDir, { leaseMs: LEASE_MS });
  const proxy = CuttableProxy.start(app.port);
  const cutOff = spawnWorker(proxy.url, telegram, "wcut", { WORKER_CONCURRENCY: "1" });
  let other: WorkerProcess | undefined;
  try {
    const user = telegram.user(9_501, { languageCode: "en" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    lab.setThrottle(SLOW_CLIP_BYTES_PER_SECOND);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    const job = await waitUntil(async () => {
      const [active] = await app.system.queue.listActiveByUser(user.id);
      return active?.workerId?.startsWith("wcut-") && active.progress?.phase === "downloading" &&
        active;
    }, "the worker behind the proxy downloading");

    proxy.cut();
    other = spawnWorker(app.url, telegram, "wother");
    await waitUntil(
      async () => {
        const current = await app.system.queue.get(job.id);
        return current?.state === "leased" && current.workerId?.startsWith("wother-");
      },
      "the lease to run out and the other worker to take the job",
      60_000,
    );
    // the cut-off worker gave the job up: its scratch space is empty again
    await waitUntil(async () => {
      const left = await Array.fromAsync(Deno.readDir(`${cutOff.dataDir}/scratch`));
      return left.length === 0;
    }, "the cut-off worker to stop and clean up");
    const restoredAt = Date.now();
    proxy.restore();
    lab.setThrottle(undefined);

    await waitForFile(telegram, user.id, "video");
    await waitUntil(
      async () => (await app.system.queue.get(job.id))?.state === "done",
      "the job done",
    );
    // the cut-off worker's claims, stuck on dead connections, end and it comes back
    await waitUntil(
      () => Promise.resolve((app.system.jobs.workersSeen.get("wcut-0") ?? 0) > restoredAt),
      "the cut-off worker claiming again",
      60_000,
    );
    const finished = await app.system.queue.get(job.id);
    assert(finished?.workerId?.startsWith("wother-"), "the other worker delivered it");
    const uploads = telegram.callsTo("sendVideo").length;
    assertEquals(uploads, 1, "the cut-off worker uploaded nothing");
    assertEquals(videosIn(telegram, user.id).length, 1, "the user got exactly one file");
    await reportHostile({
      name: "partitioned workers",
      inputs: 1,
      escapes: 0,
      wrongFiles: uploads - 1,
      crashes: 0,
    });
  } finally {
    await Promise.all([cutOff, other].map((worker) => worker?.kill()));
    await proxy.close();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
