/** Premium payments go through the user store: one atomic with the receipt, and the store's copy follows. */
import { assert, assertEquals } from "../support/assert.ts";
import {
  applyPayment,
  applyRefund,
  findPlan,
  getReceipt,
  starsRevenue,
} from "../../kv/payments.ts";
import { planOf, UserStore } from "../../kv/users.ts";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const month = findPlan("month")!;
const payer = { id: 77, first_name: "Paula" };

Deno.test("[kv/payments] a payment and its refund reach this instance's user store at once, once each", async () => {
  await using kv = await Deno.openKv(":memory:");
  const users = new UserStore(kv);
  await users.touch(payer);
  assertEquals(planOf((await users.get(payer.id))!, NOW), "free", "the store holds a copy now");

  const input = { chargeId: "charge-1", userId: payer.id, plan: month, stars: month.stars };
  const paid = await applyPayment(kv, users, input, NOW);
  assert(paid.applied);
  assertEquals((await users.get(payer.id))?.premiumUntil, NOW + 30 * DAY, "no stale copy");
  assertEquals((await users.getFresh(payer.id))?.premiumUntil, NOW + 30 * DAY);
  assertEquals(await starsRevenue(kv), month.stars);

  const again = await applyPayment(kv, users, input, NOW + 1_000);
  assertEquals(again, { applied: false, reason: "duplicate" });
  assertEquals((await users.getFresh(payer.id))?.premiumUntil, NOW + 30 * DAY, "granted once");

  const refunded = await applyRefund(kv, users, "charge-1", NOW + DAY);
  assert(refunded.refunded);
  assertEquals((await users.get(payer.id))?.premiumUntil, NOW, "the days bought are taken back");
  assertEquals(await applyRefund(kv, users, "charge-1", NOW + DAY), {
    refunded: false,
    reason: "already",
  });
  assertEquals(await starsRevenue(kv), 0);
  assert((await getReceipt(kv, "charge-1"))?.refundedAt === NOW + DAY);
});

Deno.test("[kv/payments] a payment for an unknown user grants nothing and writes no receipt", async () => {
  await using kv = await Deno.openKv(":memory:");
  const users = new UserStore(kv);
  const input = { chargeId: "charge-2", userId: 404, plan: month, stars: month.stars };
  assertEquals(await applyPayment(kv, users, input, NOW), {
    applied: false,
    reason: "unknown_user",
  });
  assertEquals(await getReceipt(kv, "charge-2"), null);
  assertEquals(await users.get(404), null);
  assertEquals(await starsRevenue(kv), 0);
});

Deno.test("[kv/users] updateWith: a user changed by another instance meanwhile is read again, and the caller's writes land once with it", async () => {
  await using kv = await Deno.openKv(":memory:");
  const users = new UserStore(kv);
  const otherInstance = new UserStore(kv);
  await users.touch(payer);
  let plans = 0;
  const result = await users.updateWith(payer.id, async (user, op) => {
    plans++;
    // another instance changes the user between this plan's read and its commit, once
    if (plans === 1) {
      await otherInstance.update(payer.id, (u) => ({ ...u!, timezone: "Europe/Paris" }));
    }
    op.sum(["premium_grants"], 1n);
    return { user: { ...user!, premiumUntil: NOW }, result: plans };
  });
  assertEquals(result, 2);
  const stored = await users.getFresh(payer.id);
  assertEquals([stored?.timezone, stored?.premiumUntil], ["Europe/Paris", NOW], "both changes");
  assertEquals((await users.get(payer.id))?.premiumUntil, NOW);
  assertEquals((await kv.get<Deno.KvU64>(["premium_grants"])).value?.value, 1n);
});
