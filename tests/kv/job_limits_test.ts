import { assert, assertEquals } from "../support/assert.ts";
import { JobQueue, type NewJob } from "../../kv/jobs.ts";
import type { JobResult } from "../../media/job_types.ts";
import { placeGate, readPlaces } from "../../kv/job_limits.ts";
import {
  addWaitingItems,
  listWaitingItems,
  newBatchItems,
  startItem,
} from "../../kv/batch_items.ts";

const LIMITS = { places: 4, heavy: 1 };
const PROBED: JobResult = {
  kind: "probe",
  info: {
    id: "1",
    extractor: "generic",
    webpageUrl: "https://videos.example/1",
    title: "clip",
    isLive: false,
    formats: [],
  },
};

function probe(userId: number, n = 0): NewJob {
  return {
    userId,
    chatId: userId,
    payload: { kind: "probe", url: `https://videos.example/${n}`, lang: "en" },
  };
}

function recording(userId: number): NewJob {
  return {
    userId,
    chatId: userId,
    payload: {
      kind: "record",
      url: "https://live.example/stream.m3u8",
      seconds: 60,
      lang: "en",
      uploadChatId: userId,
      caption: "",
      title: "live",
      partLabel: "part",
    },
  };
}

Deno.test("[kv/job_limits] concurrent requests for the last places: exactly the plan's places are taken", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new JobQueue(kv);
  const gate = placeGate(kv, 1, LIMITS);
  const outcomes = await Promise.all(
    Array.from({ length: 30 }, (_, i) => queue.tryEnqueue(probe(1, i), [gate])),
  );
  assertEquals(outcomes.filter((o) => o.ok).length, 4);
  const refused = outcomes.find((o) => !o.ok);
  assert(refused && !refused.ok);
  assertEquals(refused.refusal, { reason: "busy", heavy: false, limit: 4 });
  assertEquals((await queue.countByState()).ready, 4);
  // another user's places are their own
  assert((await queue.tryEnqueue(probe(2), [placeGate(kv, 2, LIMITS)])).ok);
});

Deno.test("[kv/job_limits] a place is freed once when its job ends, not when a lease expires and the job is retried", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = Date.UTC(2026, 10, 24, 12);
  const queue = new JobQueue(kv, { now: () => now, leaseMs: 1_000, retryBaseMs: 1_000 });
  const gate = placeGate(kv, 1, LIMITS);
  const take = async (n: number) => (await queue.tryEnqueue(probe(1, n), [gate])).ok;
  for (let n = 0; n < 4; n++) assert(await take(n));
  const taken = async () => (await readPlaces(kv, 1)).taken;

  // a retryable failure and an expired lease put the job back: it keeps its place
  let claim = await queue.claim("w");
  assert(claim);
  await queue.fail(claim.job.id, claim.leaseId, { code: "x", message: "x", retryable: true });
  assertEquals(await taken(), 4);
  now += 10_000;
  claim = await queue.claim("w");
  assert(claim);
  now += 10_000;
  await queue.sweepExpiredLeases();
  assertEquals(await taken(), 4);
  assert(!(await take(4)), "still full");

  // done, failed, cancelled: each frees one place, once
  claim = await queue.claim("w");
  assert(claim);
  await queue.complete(claim.job.id, claim.leaseId, PROBED);
  await queue.complete(claim.job.id, claim.leaseId, PROBED);
  assertEquals(await taken(), 3);
  claim = await queue.claim("w");
  assert(claim);
  await queue.fail(claim.job.id, claim.leaseId, { code: "x", message: "x", retryable: false });
  assertEquals(await taken(), 2);
  const [waiting] = await queue.listActiveByUser(1);
  await queue.cancel(waiting.id);
  await queue.cancel(waiting.id);
  assertEquals(await taken(), 1);
  for (let n = 5; n < 8; n++) assert(await take(n));
  assert(!(await take(8)));
});

Deno.test("[kv/job_limits] heavy jobs have their own smaller limit within the places", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new JobQueue(kv);
  const gate = placeGate(kv, 1, LIMITS);
  assert((await queue.tryEnqueue(recording(1), [gate])).ok);
  const second = await queue.tryEnqueue(recording(1), [gate]);
  assert(!second.ok);
  assertEquals(second.refusal, { reason: "busy", heavy: true, limit: 1 });
  assert((await queue.tryEnqueue(probe(1), [gate])).ok, "light jobs still have places");
});

Deno.test("[kv/job_limits] a running batch item takes one place, whichever of its jobs runs", async () => {
  using kv = await Deno.openKv(":memory:");
  const queue = new JobQueue(kv);
  const gate = placeGate(kv, 1, LIMITS);
  const [item] = newBatchItems(
    { batchId: "B", userId: 1, chatId: 1, lang: "en" },
    [{ url: "https://videos.example/batch" }],
  );
  await addWaitingItems(kv, [item]);
  const [entry] = await listWaitingItems(kv, 1, 1);
  assert(await startItem(kv, entry));
  for (let n = 0; n < 3; n++) assert((await queue.tryEnqueue(probe(1, n), [gate])).ok);
  assert(!(await queue.tryEnqueue(probe(1, 3), [gate])).ok, "the item holds the fourth place");
  const itemProbe = await queue.tryEnqueue({
    id: item.probeJobId,
    userId: 1,
    chatId: 1,
    payload: {
      kind: "probe",
      url: item.url,
      lang: "en",
      autoDownload: { jobId: item.id, batchId: "B" },
    },
  }, [gate]);
  assert(itemProbe.ok, "its probe uses the item's place");
  assertEquals((await readPlaces(kv, 1)).taken, 4);
});
