import { assert, assertEquals } from "../support/assert.ts";
import { QuotaStore } from "../../kv/quota.ts";

const MB = 1024 * 1024;

Deno.test("[kv/quota] concurrent reservations at the edge of the quota never overrun it", async () => {
  using kv = await Deno.openKv(":memory:");
  const quota = new QuotaStore(kv);
  await quota.charge(7, "UTC", 100 * MB, 95 * MB);
  const attempts = await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) => quota.reserve(`job-${i}`, 7, "UTC", 100 * MB, 2 * MB, 2 * MB),
    ),
  );
  const granted = attempts.filter((r) => r.ok);
  assertEquals(granted.length, 2, "only two 2 MB downloads fit in the 5 MB left");
  assertEquals(await quota.usedToday(7, "UTC"), 99 * MB);
  const refused = attempts.find((r) => !r.ok);
  assert(refused && !refused.ok && refused.leftBytes === 1 * MB, "a refusal says what is left");
});

Deno.test("[kv/quota] settling replaces the reservation by the real size, once; failures release it", async () => {
  using kv = await Deno.openKv(":memory:");
  const quota = new QuotaStore(kv);
  const a = await quota.reserve("a", 1, "Europe/Paris", 50 * MB, 20 * MB);
  const b = await quota.reserve("b", 1, "Europe/Paris", 50 * MB, 20 * MB);
  assert(a.ok && b.ok);
  assertEquals(await quota.usedToday(1, "Europe/Paris"), 40 * MB);
  await quota.settle("a", 3 * MB);
  await quota.settle("a", 3 * MB);
  await quota.release("b");
  assertEquals(await quota.usedToday(1, "Europe/Paris"), 3 * MB);
  const c = await quota.reserve("c", 1, "Europe/Paris", 50 * MB, 100 * MB);
  assert(c.ok && c.reservation.bytes === 47 * MB, "an unknown size reserves what is left");
  assertEquals(await quota.charge(1, "Europe/Paris", 50 * MB, 1), false, "full");
});

Deno.test("[kv/quota] the day is the user's local day", async () => {
  using kv = await Deno.openKv(":memory:");
  // 23:30 UTC is already tomorrow in Paris
  let now = Date.UTC(2026, 10, 24, 23, 30);
  const quota = new QuotaStore(kv, () => now);
  await quota.charge(1, "UTC", 10 * MB, 4 * MB);
  await quota.charge(2, "Europe/Paris", 10 * MB, 1 * MB);
  now += 3600_000; // 00:30 UTC: a new day in UTC, still the same one in Paris
  assertEquals(await quota.usedToday(1, "UTC"), 0);
  assertEquals(await quota.usedToday(2, "Europe/Paris"), 1 * MB);
});
