import { assert, assertEquals, assertExists } from "../support/assert.ts";
import {
  isReportDue,
  JobQueue,
  MAX_REPORT_ATTEMPTS,
  type NewJob,
  type QueueOptions,
} from "../../kv/jobs.ts";

function probeJob(userId = 1): NewJob {
  return {
    userId,
    chatId: userId,
    payload: { kind: "probe", url: "https://example.com/v", lang: "en" },
  };
}

async function withQueue(
  fn: (queue: JobQueue, clock: { now: number }) => Promise<void>,
  options: Partial<Omit<QueueOptions, "now">> = {},
) {
  const kv = await Deno.openKv(":memory:");
  const clock = { now: 1_700_000_000_000 };
  try {
    await fn(new JobQueue(kv, { ...options, now: () => clock.now }), clock);
  } finally {
    kv.close();
  }
}

Deno.test("[kv/jobs] claim() never hands one job to two workers under concurrent claims", async () => {
  await withQueue(async (queue) => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await queue.enqueue(probeJob(i))).id);
    const claims = await Promise.all(
      Array.from({ length: 60 }, (_, i) => queue.claim(`worker-${i % 6}`)),
    );
    const won = claims.filter((c) => c !== null).map((c) => c!.job.id);
    assertEquals(won.length, 20);
    assertEquals(new Set(won).size, 20);
    assertEquals(new Set(won), ids);
    const counts = await queue.countByState();
    assertEquals(counts.ready, 0);
    assertEquals(counts.leased, 20);
  });
});

Deno.test("[kv/jobs] an expired lease returns the job to the queue with backoff, then dead letters", async () => {
  await withQueue(async (queue, clock) => {
    const job = await queue.enqueue({ ...probeJob(), maxAttempts: 2 });
    const first = await queue.claim("a");
    assertExists(first);
    assertEquals(await queue.sweepExpiredLeases(), []);
    clock.now += 1_001;
    const [swept] = await queue.sweepExpiredLeases();
    assertEquals(swept.state, "ready");
    assertEquals(swept.attempts, 1);
    assertEquals(await queue.claim("b"), null, "backoff keeps it waiting");
    clock.now += 100;
    const second = await queue.claim("b");
    assertEquals(second?.job.id, job.id);
    assertEquals(second?.job.attempts, 2);
    // the first worker's lease is gone: its completion changes nothing
    const late = await queue.complete(job.id, first.leaseId, {
      kind: "probe",
      info: {
        id: "x",
        extractor: "generic",
        webpageUrl: "",
        title: "",
        isLive: false,
        formats: [],
      },
    });
    assertEquals(late.changed, false);
    clock.now += 1_001;
    const [dead] = await queue.sweepExpiredLeases();
    assertEquals(dead.state, "dead");
    assertEquals(dead.error?.code, "lease_expired");
    assertEquals((await queue.listOutbox()).entries.map((e) => e.jobId), [job.id]);
  }, { leaseMs: 1_000, retryBaseMs: 100 });
});

Deno.test("[kv/jobs] completing twice settles once", async () => {
  await withQueue(async (queue) => {
    const job = await queue.enqueue(probeJob());
    const claim = await queue.claim("a");
    assertExists(claim);
    const result = {
      kind: "probe" as const,
      info: {
        id: "x",
        extractor: "generic",
        webpageUrl: "",
        title: "t",
        isLive: false,
        formats: [],
      },
    };
    const outcomes = await Promise.all([
      queue.complete(job.id, claim.leaseId, result),
      queue.complete(job.id, claim.leaseId, result),
    ]);
    assertEquals(outcomes.filter((o) => o.changed).length, 1);
    assertEquals((await queue.get(job.id))?.state, "done");
    assertEquals(await queue.clearOutbox(job.id), true);
    assertEquals(await queue.clearOutbox(job.id), false, "the outcome is reported once");
    const counts = await queue.countByState();
    assertEquals(counts.done, 1);
    assertEquals(counts.leased, 0);
  });
});

Deno.test("[kv/jobs] a retryable failure waits and retries; a permanent one ends the job", async () => {
  await withQueue(async (queue, clock) => {
    const job = await queue.enqueue(probeJob());
    const first = await queue.claim("a");
    const retried = await queue.fail(job.id, first!.leaseId, {
      code: "failed",
      message: "HTTP 503",
      retryable: true,
    });
    assertEquals(retried.job?.state, "ready");
    assertEquals(retried.job?.dueAt, clock.now + 50);
    clock.now += 50;
    const second = await queue.claim("a");
    const failed = await queue.fail(job.id, second!.leaseId, {
      code: "unsupported",
      message: "Unsupported URL",
      retryable: false,
    });
    assertEquals(failed.job?.state, "failed");
    assertEquals(await queue.claim("a"), null);
  }, { retryBaseMs: 50 });
});

Deno.test("[kv/jobs] cancelling a waiting job ends it; a running one is told by its heartbeat", async () => {
  await withQueue(async (queue) => {
    const waiting = await queue.enqueue(probeJob());
    const running = await queue.enqueue(probeJob());
    const claim = await queue.claim("a");
    assertEquals(claim?.job.id, waiting.id);
    // the claimed one is now "running"; the other one still waits
    assertEquals((await queue.cancel(running.id)).job?.state, "cancelled");
    assertEquals(await queue.claim("b"), null);
    await queue.cancel(waiting.id);
    const beat = await queue.heartbeat(waiting.id, claim!.leaseId, { phase: "downloading" });
    assert(beat.ok && beat.cancel);
    const ended = await queue.fail(waiting.id, claim!.leaseId, {
      code: "cancelled",
      message: "stopped",
      retryable: false,
    });
    assertEquals(ended.job?.state, "cancelled");
    assertEquals(await queue.listActiveByUser(1), []);
  });
});

Deno.test("[kv/jobs] heartbeats extend the lease and carry progress", async () => {
  await withQueue(async (queue, clock) => {
    const job = await queue.enqueue(probeJob());
    const claim = await queue.claim("a");
    clock.now += 800;
    const beat = await queue.heartbeat(job.id, claim!.leaseId, {
      phase: "downloading",
      percent: 40,
    });
    assert(beat.ok && !beat.cancel);
    clock.now += 800;
    assertEquals(await queue.sweepExpiredLeases(), [], "the renewed lease has not run out");
    assertEquals((await queue.get(job.id))?.progress?.percent, 40);
    assertEquals((await queue.heartbeat(job.id, "someone-else")).ok, false);
  }, { leaseMs: 1_000 });
});

Deno.test("[kv/jobs] waitForWork() wakes as soon as a job is queued", async () => {
  await withQueue(async (queue) => {
    const started = performance.now();
    const waiting = queue.waitForWork(5_000);
    setTimeout(() => queue.enqueue(probeJob()), 50);
    await waiting;
    assert(performance.now() - started < 4_000, "woken by the enqueue, not the timeout");
  });
});

async function finishedJob(queue: JobQueue, userId = 1) {
  const job = await queue.enqueue(probeJob(userId));
  const claim = await queue.claim("w");
  assertExists(claim);
  await queue.fail(job.id, claim.leaseId, { code: "failed", message: "x", retryable: false });
  return job;
}

Deno.test("[kv/jobs] one report lease at a time: concurrent instances get it once, an expired one is taken over", async () => {
  await withQueue(async (queue, clock) => {
    const job = await finishedJob(queue);
    const leases = await Promise.all(
      Array.from({ length: 10 }, (_, i) => queue.leaseReport(job.id, `instance-${i}`)),
    );
    const won = leases.filter((lease) => lease !== null);
    assertEquals(won.length, 1, "exactly one instance reports it");
    assertEquals(won[0]?.entry.attempts, 1);
    assertEquals(won[0]?.job.state, "failed");
    const owner = won[0]!.entry.owner!;
    assertEquals(await queue.leaseReport(job.id, "late"), null, "held: the others skip it");
    clock.now += 30_000;
    assert(await queue.renewReport(job.id, owner), "the holder extends its lease");
    assertEquals(await queue.renewReport(job.id, "late"), false, "nobody else can");
    clock.now += 50_000;
    assertEquals(await queue.leaseReport(job.id, "late"), null, "renewed: still held");
    clock.now += 10_001;
    const takeover = await queue.leaseReport(job.id, "late");
    assertEquals(takeover?.entry.attempts, 2, "the holder died: the next sweep retries it");
    assertEquals(await queue.clearOutbox(job.id), true);
    assertEquals(await queue.leaseReport(job.id, "another"), null, "reported: nothing to lease");
  }, { reportLeaseMs: 60_000 });
});

Deno.test("[kv/jobs] a failed report waits longer each time, then moves aside where admins see it", async () => {
  await withQueue(async (queue, clock) => {
    const job = await finishedJob(queue, 7);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_REPORT_ATTEMPTS; attempt++) {
      const lease = await queue.leaseReport(job.id, "me");
      assertEquals(lease?.entry.attempts, attempt);
      assert(await queue.deferReport(job.id, "me", `Telegram said no (${attempt})`));
      const { entries: [entry] } = await queue.listOutbox();
      assertEquals(entry.lastError, `Telegram said no (${attempt})`);
      assertEquals(isReportDue(entry, clock.now), false, "not before its time");
      waits.push(entry.retryAt! - clock.now);
      clock.now = entry.retryAt!;
    }
    assertEquals(waits, [100, 200, 400, 800, 1600]);
    assertEquals(await queue.deferReport(job.id, "someone-else", "x"), false);
    assertEquals((await queue.listUndeliverable(5)).count, 0);
    assert(await queue.moveReportAside(job, MAX_REPORT_ATTEMPTS, "Telegram said no"));
    assertEquals((await queue.listOutbox()).entries, [], "no longer in the outbox");
    const aside = await queue.listUndeliverable(5);
    assertEquals(aside.count, 1);
    assertEquals(aside.latest.map((r) => [r.jobId, r.userId, r.kind, r.attempts, r.error]), [
      [job.id, 7, "probe", MAX_REPORT_ATTEMPTS, "Telegram said no"],
    ]);
    assertEquals(await queue.moveReportAside(job, 5, "again"), false, "moved once");
  }, { reportRetryBaseMs: 100 });
});

Deno.test("[kv/jobs] the outbox is read page by page, every entry reachable", async () => {
  await withQueue(async (queue) => {
    const ids = new Set<string>();
    for (let i = 0; i < 250; i++) ids.add((await finishedJob(queue, i)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await queue.listOutbox({ cursor, limit: 100 });
      seen.push(...page.entries.map((entry) => entry.jobId));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    assertEquals(seen.length, 250);
    assertEquals(new Set(seen), ids);
    assert(pages >= 3);
  });
});
