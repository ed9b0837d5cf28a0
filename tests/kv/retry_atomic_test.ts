/** retryAtomic: one read-check-write, retried while other writers win the race. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { AtomicContentionError, commit, retryAtomic } from "../../kv/retry_atomic.ts";

const COUNTER = ["counter"] as const;

/** Adds one to the counter; `interfere` may write it between the read and the commit. */
function increment(kv: Deno.Kv, interfere: (attempt: number) => Promise<unknown>) {
  let attempts = 0;
  const step = async (op: Deno.AtomicOperation) => {
    const entry = await kv.get<number>(COUNTER);
    await interfere(++attempts);
    const next = (entry.value ?? 0) + 1;
    op.check(entry).set(COUNTER, next);
    return commit(next);
  };
  return { step, attempts: () => attempts };
}

Deno.test("[kv/retry_atomic] a commit that lost its race is read and tried again, then lands once", async () => {
  await using kv = await Deno.openKv(":memory:");
  await kv.set(COUNTER, 10);
  // another writer changes the counter during the first two attempts only
  const run = increment(kv, (n) => n <= 2 ? kv.set(COUNTER, 100 + n) : Promise.resolve());
  const result = await retryAtomic(kv, run.step, { what: "counter", attempts: 5 });
  assertEquals(run.attempts(), 3);
  assertEquals(result, 103, "built on what the last attempt read");
  assertEquals((await kv.get(COUNTER)).value, 103);
});

Deno.test("[kv/retry_atomic] contention that never ends is a typed error after the given attempts, and writes nothing", async () => {
  await using kv = await Deno.openKv(":memory:");
  const run = increment(kv, (n) => kv.set(COUNTER, -n));
  const error = await assertRejects(() =>
    retryAtomic(kv, run.step, { what: "the counter", attempts: 4 })
  );
  assert(error instanceof AtomicContentionError, `${error}`);
  assertEquals([error.what, error.attempts], ["the counter", 4]);
  assertEquals(run.attempts(), 4);
  assertEquals((await kv.get(COUNTER)).value, -4, "only the other writer's value");
});

Deno.test("[kv/retry_atomic] onContention replaces the error by the caller's own, or by a fallback result", async () => {
  await using kv = await Deno.openKv(":memory:");
  const busy = increment(kv, (n) => kv.set(COUNTER, -n));
  class Busy extends Error {}
  const error = await assertRejects(() =>
    retryAtomic(kv, busy.step, {
      what: "counter",
      attempts: 2,
      onContention: (contention) => {
        throw new Busy(contention.message);
      },
    })
  );
  assert(error instanceof Busy, `${error}`);
  const fallback = await retryAtomic(kv, increment(kv, (n) => kv.set(COUNTER, -n)).step, {
    what: "counter",
    attempts: 2,
    onContention: () => 0,
  });
  assertEquals(fallback, 0);
});

Deno.test("[kv/retry_atomic] a step that gives up returns its answer and commits none of its writes", async () => {
  await using kv = await Deno.openKv(":memory:");
  let attempts = 0;
  const result = await retryAtomic(kv, async (op) => {
    attempts++;
    const entry = await kv.get<number>(COUNTER);
    op.check(entry).set(COUNTER, 1).set(["other"], 1);
    return entry.value === null ? "nothing to count" : commit("counted");
  }, { what: "counter", attempts: 5 });
  assertEquals(result, "nothing to count");
  assertEquals(attempts, 1);
  assertEquals((await kv.getMany([COUNTER, ["other"]])).map((e) => e.versionstamp), [null, null]);
});
