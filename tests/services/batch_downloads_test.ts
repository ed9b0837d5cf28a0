/**
 * Batches take turns in the queue: a few items per user at a time, each next one behind what
 * others queued meanwhile. No workers here: the test claims and ends the jobs itself.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import type { Job } from "../../media/job_types.ts";
import {
  addWaitingItems,
  listRunningItems,
  listWaitingItems,
  newBatchItems,
  startItem,
  stopBatchItems,
} from "../../kv/batch_items.ts";
import { getBatch } from "../../kv/batches.ts";
import { BATCH_LIMITS } from "../../services/batch_downloads.ts";

const links = (site: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ url: `https://${site}.example/${i + 1}` }));

Deno.test("[services/batches] users with batches take turns, a few items each, behind single downloads", async () => {
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { system, telegram } = bed;
  const [alice, bob, carol] = [9101, 9102, 9103].map((id) => telegram.user(id));
  const batches = system.jobs.batchDownloads;
  const start = (userId: number, site: string, count: number) =>
    batches.start({ userId, chatId: userId, lang: "en", title: site, entries: links(site, count) });
  await start(alice.id, "alice", 5);
  await start(bob.id, "bob", 2);
  // someone asks for one link after both batches started
  await system.queue.enqueue({
    userId: carol.id,
    chatId: carol.id,
    payload: { kind: "probe", url: "https://carol.example/1", lang: "en" },
  });

  const { parallel } = BATCH_LIMITS.free;
  const order: string[] = [];
  while (true) {
    const claim = await system.queue.claim("test-worker");
    if (!claim) break;
    order.push(new URL(jobUrl(claim.job)).hostname.split(".")[0]);
    for (const user of [alice, bob]) {
      const active = await system.queue.listActiveByUser(user.id);
      assert(active.length <= parallel, `at most ${parallel} of ${user.id}'s items at once`);
    }
    await system.jobs.fail(claim.job.id, claim.leaseId, {
      code: "unavailable",
      message: "HTTP Error 404",
      retryable: false,
    });
    await system.jobs.settled();
  }
  // carol first; alice's third item went behind bob's two, queued while her first ran
  assertEquals(order, ["carol", "alice", "alice", "bob", "bob", "alice", "alice", "alice"]);

  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => /5\/5 · ✅ 0 · ❌ 5/.test(m.text ?? ""))
  );
  const summary = telegram.messages(alice.id).find((m) => /finished/.test(m.text ?? ""))!;
  assertMatch(summary.text ?? "", /❌ https:\/\/alice\.example\/1 — not found or removed/);
  assertEquals(summary.text?.match(/❌ https/g)?.length, 5, "every failure named");
});

Deno.test("[services/batches] a pump repairs an item whose probe a crash never queued", async () => {
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { system, telegram } = bed;
  const user = telegram.user(9201);
  const batch = await system.jobs.batchDownloads.start({
    userId: user.id,
    chatId: user.id,
    lang: "en",
    title: "one running",
    entries: [],
  });
  const [item] = newBatchItems(
    { batchId: batch.id, userId: user.id, chatId: user.id, lang: "en" },
    links("crash", 1),
  );
  await addWaitingItems(system.kv, [item]);
  // what a crash between taking the place and queueing the probe leaves behind
  const [waiting] = await listWaitingItems(system.kv, user.id, 1);
  assert(await startItem(system.kv, waiting));
  assertEquals(await system.queue.get(item.probeJobId), null);

  await system.jobs.batchDownloads.pump(user.id);
  const probe = await system.queue.get(item.probeJobId);
  assertEquals(probe?.payload.kind, "probe");
  // and again: the probe's fixed id keeps it queued once
  await system.jobs.batchDownloads.pump(user.id);
  assertEquals((await system.queue.countByState()).ready, 1);
});

Deno.test("[services/batches] a pump drops the waiting items of a stopped batch and goes on with the others", async () => {
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { system, telegram } = bed;
  const user = telegram.user(9301);
  const batches = system.jobs.batchDownloads;
  const open = (title: string) =>
    batches.start({ userId: user.id, chatId: user.id, lang: "en", title, entries: [] });
  const [stopped, kept] = [await open("stopped"), await open("kept")];
  const item = (batchId: string, site: string) =>
    newBatchItems({ batchId, userId: user.id, chatId: user.id, lang: "en" }, links(site, 1));
  // what a /cancel during a batch's start leaves: items written after the batch was stopped
  const [late] = item(stopped.id, "late");
  const [next] = item(kept.id, "next");
  await stopBatchItems(system.kv, stopped.id);
  await addWaitingItems(system.kv, [late, next]);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<string>((resolve) =>
    timer = setTimeout(() => resolve("stuck"), 10_000)
  );
  const pumped = await Promise.race([batches.pump(user.id).then(() => "pumped"), stuck]);
  clearTimeout(timer);
  assertEquals(pumped, "pumped");
  assertEquals((await getBatch(system.kv, stopped.id))?.cancelled, 1);
  assertEquals(await listWaitingItems(system.kv, user.id, 10), []);
  assertEquals(
    await listRunningItems(system.kv, user.id),
    [next],
    "the stopped item holds no place",
  );
  assertEquals((await system.queue.get(next.probeJobId))?.payload.kind, "probe");
  assertEquals(await system.queue.get(late.probeJobId), null);
});

function jobUrl(job: Job): string {
  return "url" in job.payload ? job.payload.url : "";
}
