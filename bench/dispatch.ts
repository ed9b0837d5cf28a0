/** Job ready → claimed by a fleet worker over /worker/v1, with 4 workers long polling. */
import { FakeTelegram } from "../tests/support/fake_telegram.ts";
import { serveApp, TEST_WORKER_TOKEN } from "../tests/support/fleet.ts";
import { httpTransport } from "../workers/http_transport.ts";
import { ms, summarize } from "./stats.ts";

export async function benchDispatch(jobs = 300, workers = 4) {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir);
  const transport = httpTransport(app.url, TEST_WORKER_TOKEN);
  // one user per job: Telegram's per-chat limit is not what this measures
  const users = Array.from(
    { length: jobs },
    (_, i) => telegram.user(1 + i, { languageCode: "en" }),
  );
  const latencies: number[] = [];
  const enqueuedAt = new Map<string, number>();
  const stop = new AbortController();
  const loops = Array.from({ length: workers }, async (_, i) => {
    while (!stop.signal.aborted) {
      const claim = await transport.claim(`bench-${i}`, stop.signal).catch(() => null);
      if (!claim) continue;
      const claimedAt = performance.now();
      const queuedAt = enqueuedAt.get(claim.job.id);
      if (queuedAt !== undefined) latencies.push(claimedAt - queuedAt);
      await transport.fail(claim.job.id, claim.leaseId, {
        code: "failed",
        message: "",
        retryable: false,
      });
    }
  });
  // let every worker reach its long poll first
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < jobs; i++) {
    const started = performance.now();
    const job = await app.system.queue.enqueue({
      userId: users[i].id,
      chatId: users[i].id,
      payload: { kind: "probe", url: "http://127.0.0.1/x", lang: "en" },
    });
    enqueuedAt.set(job.id, started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  while (latencies.length < jobs) await new Promise((resolve) => setTimeout(resolve, 50));
  stop.abort();
  await Promise.all(loops);
  await app.stop();
  await Deno.remove(dataDir, { recursive: true });
  const s = summarize(latencies);
  return {
    name: `Dispatch: job ready → claimed (${workers} HTTP workers, ${jobs} jobs)`,
    result: `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`,
    target: "p50 < 50 ms",
    met: s.p50 < 50,
  };
}
