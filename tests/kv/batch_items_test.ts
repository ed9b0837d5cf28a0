import { assert, assertEquals } from "../support/assert.ts";
import { listLapsedPumps, releasePump, renewPump, takePump } from "../../kv/batch_items.ts";

Deno.test("[kv/batch_items] one instance pumps a user's items at a time; a pump asked meanwhile is run by the holder", async () => {
  using kv = await Deno.openKv(":memory:");
  assert(await takePump(kv, 1, "a", 30_000, 0));
  assertEquals(await takePump(kv, 1, "b", 30_000, 10), false, "b leaves it to a");
  assertEquals(await releasePump(kv, 1, "a"), false, "a runs one more round for b");
  assertEquals(await releasePump(kv, 1, "a"), true, "then gives it back");
  assert(await takePump(kv, 1, "b", 30_000, 20), "free again");
  assert(await takePump(kv, 2, "a", 30_000, 20), "another user's pump is apart");
});

Deno.test("[kv/batch_items] a pump whose instance died is found lapsed and taken over", async () => {
  using kv = await Deno.openKv(":memory:");
  assert(await takePump(kv, 5, "dead", 30_000, 0));
  assert(await renewPump(kv, 5, "dead", 30_000, 20_000), "renewed while it runs");
  assertEquals(await listLapsedPumps(kv, 40_000), [], "held until 50 s");
  assertEquals(await listLapsedPumps(kv, 50_000), [5]);
  assert(await takePump(kv, 5, "alive", 30_000, 50_000), "taken over");
  assertEquals(await renewPump(kv, 5, "dead", 30_000, 50_001), false, "the dead one lost it");
  assertEquals(await releasePump(kv, 5, "alive", { force: true }), true);
  assertEquals(await listLapsedPumps(kv, 100_000), []);
});
