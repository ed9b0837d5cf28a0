/** The fleet worker's calls to the app over a connection that dies silently, then comes back. */
import { assert, assertEquals } from "../support/assert.ts";
import { CuttableProxy } from "../support/cuttable_proxy.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { serveApp, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { httpTransport } from "../../workers/http_transport.ts";
import type { JobResult } from "../../media/job_types.ts";

/** How a call ended; "hung" when it had not after 20 s, far past every deadline set here. */
function outcomeOf(call: Promise<unknown>): Promise<"answered" | "failed" | "hung"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => timer = setTimeout(() => resolve("hung"), 20_000));
  const ended = call.then(() => "answered" as const, () => "failed" as const);
  return Promise.race([ended, hung]).finally(() => clearTimeout(timer));
}

const PROBE_RESULT: JobResult = {
  kind: "probe",
  info: {
    id: "x",
    extractor: "generic",
    webpageUrl: "https://example.com/x",
    title: "x",
    isLive: false,
    formats: [],
  },
};

Deno.test("[workers/http_transport] over a silently dead connection every call ends in an error; restored, calls work", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-transport-" });
  const app = await serveApp(telegram, dataDir);
  const proxy = CuttableProxy.start(app.port);
  const transport = httpTransport(proxy.url, TEST_WORKER_TOKEN, {
    callMs: 500,
    claimWaitMs: 300,
    reportPatienceMs: 1_500,
  });
  const claiming = new AbortController();
  try {
    const job = await app.system.queue.enqueue({
      userId: 1,
      chatId: 1,
      payload: { kind: "probe", url: "https://example.com/x", lang: "en" },
    });
    const claim = await transport.claim("w1", claiming.signal);
    assertEquals(claim?.job.id, job.id);
    assertEquals(claim?.leaseMs, app.system.queue.options.leaseMs);

    proxy.cut();
    const outcomes = await Promise.all([
      outcomeOf(transport.heartbeat(job.id, claim!.leaseId, { phase: "downloading" })),
      outcomeOf(transport.claim("w2", claiming.signal)),
      outcomeOf(transport.complete(job.id, claim!.leaseId, PROBE_RESULT)),
      outcomeOf(transport.fail(job.id, claim!.leaseId, {
        code: "failed",
        message: "x",
        retryable: true,
      })),
    ]);
    assertEquals(outcomes, ["failed", "failed", "failed", "failed"], "nothing hangs");
    assertEquals((await app.system.queue.get(job.id))?.state, "leased", "nothing reached the app");

    proxy.restore();
    const beat = await transport.heartbeat(job.id, claim!.leaseId);
    assertEquals(beat, { ok: true, cancel: false, stop: false });
    assertEquals(await transport.complete(job.id, claim!.leaseId, PROBE_RESULT), true);
    assertEquals(
      await transport.complete(job.id, claim!.leaseId, PROBE_RESULT),
      true,
      "a completion sent again (its answer lost) is taken",
    );
    assertEquals(
      await transport.complete(job.id, "another-lease", PROBE_RESULT),
      false,
      "a completion from a lease that moved on is refused",
    );
    assert((await app.system.queue.get(job.id))?.state === "done");
  } finally {
    claiming.abort();
    await proxy.close();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
