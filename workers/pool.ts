/** N worker loops that claim and run jobs until stopped. */
import { runJob, type RunnerDeps, scratchRoot } from "./runner.ts";

export interface WorkerPool {
  /** Stops claiming, lets running jobs finish for up to graceMs, then hands the rest back. */
  stop(graceMs?: number): Promise<void>;
  readonly running: number;
}

export async function startWorkerPool(
  count: number,
  deps: RunnerDeps & { workerIdPrefix: string },
): Promise<WorkerPool> {
  // leftovers of a previous run that died midway
  await Deno.remove(scratchRoot(deps.config.dataDir), { recursive: true }).catch(() => {});
  const claiming = new AbortController();
  const shutdown = new AbortController();
  let running = 0;
  const loops = Array.from({ length: count }, async (_, i) => {
    const workerId = `${deps.workerIdPrefix}-${i}`;
    while (!claiming.signal.aborted) {
      try {
        const claim = await deps.transport.claim(workerId, claiming.signal);
        if (!claim) continue;
        running++;
        try {
          await runJob(claim, deps, shutdown.signal);
        } finally {
          running--;
        }
      } catch (error) {
        if (claiming.signal.aborted) break;
        deps.logger.warn("claim failed; retrying", { workerId, error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  });
  return {
    get running() {
      return running;
    },
    async stop(graceMs = 20_000) {
      claiming.abort();
      const timer = setTimeout(() => shutdown.abort(), graceMs);
      await Promise.all(loops);
      clearTimeout(timer);
    },
  };
}
