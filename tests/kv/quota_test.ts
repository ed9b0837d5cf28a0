import { assert, assertEquals } from "../support/assert.ts";
import { HOUR_MS, type QuotaRefusal, QuotaStore } from "../../kv/quota.ts";
import { type EnqueueGate, JobQueue, type NewJob } from "../../kv/jobs.ts";
import type { ProbeInfo } from "../../media/media_types.ts";

const MB = 1024 * 1024;
const INFO: ProbeInfo = {
  id: "1",
  extractor: "generic",
  webpageUrl: "https://videos.example/1",
  title: "clip",
  isLive: false,
  formats: [],
};

function downloadJob(userId: number, id?: string): NewJob {
  return {
    id,
    userId,
    chatId: userId,
    payload: {
      kind: "download",
      url: "https://videos.example/1",
      variant: "720",
      info: INFO,
      lang: "en",
      uploadChatId: userId,
      caption: "",
      title: "clip",
    },
  };
}

function reserve(
  quota: QuotaStore,
  userId: number,
  limitBytes: number,
  wantedBytes: number,
  minimumBytes = 1,
): EnqueueGate<QuotaRefusal> {
  return quota.reservation({ userId, timezone: "UTC", limitBytes, wantedBytes, minimumBytes });
}

Deno.test("[kv/quota] concurrent reservations at the edge of the quota never overrun it", async () => {
  using kv = await Deno.openKv(":memory:");
  const quota = new QuotaStore(kv);
  const queue = new JobQueue(kv);
  await quota.charge(7, "UTC", 100 * MB, 95 * MB, "cached");
  const attempts = await Promise.all(
    Array.from(
      { length: 40 },
      () => queue.tryEnqueue(downloadJob(7), [reserve(quota, 7, 100 * MB, 2 * MB, 2 * MB)]),
    ),
  );
  const granted = attempts.filter((r) => r.ok);
  assertEquals(granted.length, 2, "only two 2 MB downloads fit in the 5 MB left");
  assertEquals((await quota.usage(7, "UTC", 100 * MB)).heldBytes, 4 * MB);
  assertEquals((await queue.countByState()).ready, 2, "a refused request queues nothing");
  const refused = attempts.find((r) => !r.ok);
  assert(refused && !refused.ok && refused.refusal.leftBytes === 1 * MB, "says what is left");
});

Deno.test("[kv/quota] settling replaces the hold by the real size, once; failures release it", async () => {
  using kv = await Deno.openKv(":memory:");
  const quota = new QuotaStore(kv);
  const queue = new JobQueue(kv);
  const a = await queue.tryEnqueue(downloadJob(1, "A"), [reserve(quota, 1, 50 * MB, 20 * MB)]);
  const b = await queue.tryEnqueue(downloadJob(1, "B"), [reserve(quota, 1, 50 * MB, 20 * MB)]);
  assert(a.ok && b.ok);
  assertEquals(a.job.payload.kind === "download" && a.job.payload.maxBytes, 20 * MB);
  assertEquals((await quota.usage(1, "UTC", 50 * MB)).leftBytes, 10 * MB);
  await quota.settle(1, "A", 3 * MB);
  await quota.settle(1, "A", 3 * MB);
  await quota.release(1, "B");
  const usage = await quota.usage(1, "UTC", 50 * MB);
  assertEquals([usage.usedBytes, usage.heldBytes], [3 * MB, 0]);
  const c = await queue.tryEnqueue(downloadJob(1), [reserve(quota, 1, 50 * MB, 100 * MB)]);
  assert(c.ok && c.job.payload.kind === "download" && c.job.payload.maxBytes === 47 * MB);
  const full = await quota.charge(1, "UTC", 50 * MB, 1, "cached");
  assertEquals(full.ok, false, "nothing left");
});

Deno.test("[kv/quota] a byte counts for 24 hours whatever the time zone, and a refusal says when enough frees up", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = Date.UTC(2026, 10, 24, 23, 30);
  const quota = new QuotaStore(kv, () => now);
  assert((await quota.charge(1, "UTC", 10 * MB, 6 * MB, "first")).ok);
  now += 2 * HOUR_MS; // 01:30: a new day in UTC, and in every zone at least once since
  assert((await quota.charge(1, "UTC", 10 * MB, 4 * MB, "second")).ok);
  for (const zone of ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"]) {
    const refused = await quota.charge(1, zone, 10 * MB, 1 * MB, `again in ${zone}`);
    assert(!refused.ok, `no new day in ${zone}`);
    assertEquals(refused.refusal.leftBytes, 0);
    // the 6 MB of 23:xx leave the window at 00:00 two days on: 24 to 25 hours after
    assertEquals(refused.refusal.freesAt, Date.UTC(2026, 10, 26, 0, 0));
  }
  now = Date.UTC(2026, 10, 25, 23, 59);
  assert(!(await quota.charge(1, "UTC", 10 * MB, 1 * MB, "just before")).ok, "still 24 h");
  now = Date.UTC(2026, 10, 26, 0, 0);
  const usage = await quota.usage(1, "Etc/GMT+12", 10 * MB);
  assertEquals([usage.usedBytes, usage.leftBytes], [4 * MB, 6 * MB], "the first 6 MB are free");
});

Deno.test("[kv/quota] a cache hit delivered twice is charged once", async () => {
  using kv = await Deno.openKv(":memory:");
  const quota = new QuotaStore(kv);
  const first = await quota.charge(1, "UTC", 10 * MB, 3 * MB, "cb:1");
  const again = await quota.charge(1, "UTC", 10 * MB, 3 * MB, "cb:1");
  assert(first.ok && !first.duplicate && again.ok && again.duplicate);
  assertEquals((await quota.usage(1, "UTC", 10 * MB)).usedBytes, 3 * MB);
  await quota.refund(1, "UTC", first.charge);
  assertEquals((await quota.usage(1, "UTC", 10 * MB)).usedBytes, 0);
});

Deno.test("[kv/quota] the count a user had for their local day before the upgrade is carried over once", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = Date.UTC(2026, 10, 24, 10, 0);
  const quota = new QuotaStore(kv, () => now);
  await kv.set(["quota_used", 1, "2026-11-24"], 7 * MB);
  await kv.set(["quota_used", 1, "2026-11-23"], 9 * MB);
  assertEquals((await quota.usage(1, "Europe/Paris", 10 * MB)).usedBytes, 7 * MB);
  assert((await quota.charge(1, "Europe/Paris", 10 * MB, 2 * MB, "cb:1")).ok);
  assertEquals((await kv.get(["quota_used", 1, "2026-11-24"])).value, null, "moved, not copied");
  // another zone names another day: what was carried stays counted, nothing is carried again
  const usage = await quota.usage(1, "Pacific/Kiritimati", 10 * MB);
  assertEquals(usage.usedBytes, 9 * MB);
});
