import { assert, assertEquals } from "../support/assert.ts";
import { FLUSH_EVERY, type HitCounts, hitCountsKey, RateLimits } from "../../kv/rate_limits.ts";

/** One update of a user on one instance: its read of the counts, then its hit. */
async function hit(limits: RateLimits, kv: Deno.Kv, userId: number): Promise<number> {
  return await limits.hit(userId, await kv.get<HitCounts>(hitCountsKey(userId)));
}

Deno.test("[kv/rate_limits] a burst past the limit waits for the window; others go on", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = 0;
  const limits = new RateLimits(kv, 3, 1_000, () => now);
  assertEquals([await hit(limits, kv, 1), await hit(limits, kv, 1), await hit(limits, kv, 1)], [
    0,
    0,
    0,
  ]);
  now = 400;
  const wait = await hit(limits, kv, 1);
  assert(wait > 0 && wait <= 1_600, `refused, for at most the rest of two windows (${wait})`);
  assertEquals(await hit(limits, kv, 2), 0, "another user is not held up");
  assert(await limits.shouldWarn(1));
  assert(!(await limits.shouldWarn(1)), "one warning per window");
  now = 2_001;
  assertEquals(await hit(limits, kv, 1), 0, "two windows later, room again");
  assert(await limits.shouldWarn(1), "a new window, a new warning");
});

Deno.test("[kv/rate_limits] a user's updates spread over three instances are limited as on one", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = 0;
  const instances = [1, 2, 3].map(() => new RateLimits(kv, 30, 30_000, () => now));
  let allowed = 0;
  for (let update = 0; update < 90; update++) {
    if (await hit(instances[update % 3], kv, 7) === 0) allowed++;
    now += 10;
  }
  // each instance alone would let 30 through, 90 in all
  assert(allowed >= 30, `the limit's worth is allowed (${allowed})`);
  assert(allowed <= 30 + 2 * FLUSH_EVERY, `at most the documented overshoot (${allowed})`);
  const warnings = await Promise.all(instances.map((limits) => limits.shouldWarn(7)));
  assertEquals(warnings.filter(Boolean).length, 1, "one warning, whichever instance refuses");
});

Deno.test("[kv/rate_limits] far from the limit, hits are written every few updates, not each", async () => {
  using kv = await Deno.openKv(":memory:");
  const limits = new RateLimits(kv, 30, 30_000, () => 0);
  for (let i = 1; i < FLUSH_EVERY; i++) assertEquals(await hit(limits, kv, 3), 0);
  assertEquals((await kv.get(hitCountsKey(3))).versionstamp, null, "nothing written yet");
  assertEquals(await hit(limits, kv, 3), 0);
  assertEquals((await kv.get<HitCounts>(hitCountsKey(3))).value?.count, FLUSH_EVERY);
});

Deno.test("[kv/rate_limits] near the limit, racing hits on two instances cannot both take the last place", async () => {
  using kv = await Deno.openKv(":memory:");
  const now = 0;
  const [a, b] = [1, 2].map(() => new RateLimits(kv, 10, 30_000, () => now));
  await kv.set(hitCountsKey(4), { window: 0, count: 9, previous: 0 });
  const entry = await kv.get<HitCounts>(hitCountsKey(4));
  // both read 9 of 10 before either counts its hit
  const waits = await Promise.all([a.hit(4, entry), b.hit(4, entry)]);
  assertEquals(waits.filter((wait) => wait === 0).length, 1);
  assertEquals((await kv.get<HitCounts>(hitCountsKey(4))).value?.count, 10);
});

Deno.test("[kv/rate_limits] a window's end writes nothing: its hits are written with the next ones", async () => {
  using kv = await Deno.openKv(":memory:");
  let now = 900;
  const limits = new RateLimits(kv, 30, 1_000, () => now);
  for (let i = 0; i < 3; i++) assertEquals(await hit(limits, kv, 5), 0);
  now = 1_100;
  assertEquals(await hit(limits, kv, 5), 0);
  assertEquals((await kv.get(hitCountsKey(5))).versionstamp, null, "nothing written at the end");
  now = 1_200;
  assertEquals(await hit(limits, kv, 5), 0);
  assertEquals(
    (await kv.get<HitCounts>(hitCountsKey(5))).value,
    { window: 1, count: 2, previous: 3 },
    "the late hits in the window they fell in",
  );
});
