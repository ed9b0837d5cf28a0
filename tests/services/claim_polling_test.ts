/**
 * An idle worker's claim waits on kv.watch, not by reading the queue every second: on Deno
 * Deploy every read is billed, and idle fleet workers hold claims open all day.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";

/** The same KV, counting the listings of the ready queue (each claim attempt is one). */
function countingQueueReads(kv: Deno.Kv): { kv: Deno.Kv; reads: () => number } {
  let reads = 0;
  const counted = new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          if ("prefix" in selector && selector.prefix[0] === "jobs_ready") reads++;
          return target.list(selector, options);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: counted, reads: () => reads };
}

Deno.test("[services/claim] an idle claim reads the queue twice in 3 s (on entry and at its end), woken at once by a new job", async () => {
  const memory = await Deno.openKv(":memory:");
  const { kv, reads } = countingQueueReads(memory);
  try {
    await using bed = await startTestSystem({ WORKERS: "0" }, { kv });
    const before = reads();
    assertEquals(await bed.system.jobs.claim("idle-worker", { waitMs: 3_000 }), null);
    assert(reads() - before <= 2, `${reads() - before} reads of the queue`);

    // a job queued while a claim waits is handed to it by the watch, not by the next poll
    const waiting = bed.system.jobs.claim("waiting-worker", { waitMs: 60_000 });
    const job = await bed.system.queue.enqueue({
      userId: 1,
      chatId: 1,
      payload: { kind: "probe", url: "https://example.com/v", lang: "en" },
    });
    assertEquals((await waiting)?.job.id, job.id);
  } finally {
    memory.close();
  }
});
