import { assert, assertEquals } from "../support/assert.ts";
import { beginEdit, beginFinalEdit, endEdit } from "../../kv/message_edits.ts";

const LEASE = { leaseMs: 10_000 };

Deno.test("[kv/message_edits] one instance edits a message at a time, at the pace asked, never the same text twice", async () => {
  using kv = await Deno.openKv(":memory:");
  const paced = { ...LEASE, minIntervalMs: 3_000 };
  const a = await beginEdit(kv, "job:1", { ...paced, holder: "a", text: "10%", now: 0 });
  assert(a, "the first edit goes");
  assertEquals(
    await beginEdit(kv, "job:1", { ...paced, holder: "b", text: "20%", now: 5_000 }),
    null,
    "another instance waits while it is held",
  );
  await endEdit(kv, a);
  assertEquals(
    await beginEdit(kv, "job:1", { ...paced, holder: "b", text: "20%", now: 1_000 }),
    null,
    "too soon after the last one",
  );
  assertEquals(
    await beginEdit(kv, "job:1", { ...paced, holder: "b", text: "10%", now: 5_000 }),
    null,
    "the same text again",
  );
  assert(await beginEdit(kv, "job:1", { ...paced, holder: "b", text: "20%", now: 5_000 }));
  assert(
    await beginEdit(kv, "job:1", { ...paced, holder: "c", text: "30%", now: 16_000 }),
    "a holder that never gave it back loses it when its lease ends",
  );
});

Deno.test("[kv/message_edits] the final text waits for the edit in flight, and no progress edit comes after it", async () => {
  using kv = await Deno.openKv(":memory:");
  const progress = await beginEdit(kv, "job:2", { ...LEASE, holder: "a", now: Date.now() });
  assert(progress);
  let finalBegun = false;
  const final = beginFinalEdit(kv, "job:2", "b").then(() => finalBegun = true);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert(!finalBegun, "the final edit waits while a progress edit holds the message");
  await endEdit(kv, progress);
  await final;
  assertEquals(
    await beginEdit(kv, "job:2", { ...LEASE, holder: "a", now: Date.now() + 60_000 }),
    null,
    "no progress edit after the final text",
  );
});

Deno.test("[kv/message_edits] a holder gives the message back only if what it showed did not change meanwhile", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(["counts"], 1);
  const turn = await beginEdit(kv, "batch:3", { ...LEASE, holder: "a", now: 0 });
  assert(turn);
  const shown = await kv.get(["counts"]);
  // another instance counts an item while "a" edits; its own edit finds the message held
  await kv.set(["counts"], 2);
  assertEquals(await beginEdit(kv, "batch:3", { ...LEASE, holder: "b", now: 0 }), null);
  assertEquals(await endEdit(kv, turn, [shown]), false, "a must show the new counts");
  const again = await beginEdit(kv, "batch:3", { ...LEASE, holder: "a", now: 0 });
  assert(again, "the holder takes its turn again");
  assertEquals(await endEdit(kv, again, [await kv.get(["counts"])]), true);
});
