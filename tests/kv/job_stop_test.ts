import { assert, assertEquals, assertExists } from "../support/assert.ts";
import { JobQueue } from "../../kv/jobs.ts";

async function withQueue(fn: (queue: JobQueue) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(new JobQueue(kv));
  } finally {
    kv.close();
  }
}

const recording = {
  userId: 1,
  chatId: 1,
  payload: {
    kind: "record" as const,
    url: "https://example.com/live.m3u8",
    seconds: 600,
    lang: "en",
    uploadChatId: 1,
    caption: "",
    title: "live",
    partLabel: "part",
  },
};

Deno.test("[kv/jobs] requestStop() reaches the running worker through its heartbeat, once", async () => {
  await withQueue(async (queue) => {
    const job = await queue.enqueue(recording);
    assertEquals((await queue.requestStop(job.id)).changed, false, "a waiting job has no worker");
    const claim = await queue.claim("w");
    assertExists(claim);
    const before = await queue.heartbeat(job.id, claim.leaseId);
    assert(before.ok && !before.stop && !before.cancel);

    const stopped = await queue.requestStop(job.id);
    assertEquals(stopped.changed, true);
    assertEquals((await queue.requestStop(job.id)).changed, false, "asking twice changes nothing");
    const answer = await queue.heartbeat(job.id, claim.leaseId);
    assert(answer.ok && answer.stop, "the heartbeat carries the stop");
    assert(!answer.cancel, "a stop is not a cancel: what was recorded is still delivered");

    // the worker delivers what it has: the job completes normally
    const done = await queue.complete(job.id, claim.leaseId, {
      kind: "record",
      files: [{
        fileId: "f",
        fileUniqueId: "u",
        kind: "video",
        size: 1,
        chatId: 1,
        messageId: 2,
      }],
      seconds: 12,
      stopped: true,
    });
    assertEquals(done.job?.state, "done");
    assertEquals((await queue.requestStop(job.id)).changed, false, "a finished job cannot stop");
  });
});

Deno.test("[kv/jobs] a cancelled recording cannot be stopped into a delivery", async () => {
  await withQueue(async (queue) => {
    const job = await queue.enqueue(recording);
    const claim = await queue.claim("w");
    assertExists(claim);
    await queue.cancel(job.id);
    assertEquals((await queue.requestStop(job.id)).changed, false);
    const answer = await queue.heartbeat(job.id, claim.leaseId);
    assert(answer.ok && answer.cancel && !answer.stop);
  });
});
