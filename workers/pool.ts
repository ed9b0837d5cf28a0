/** N worker loops that claim and run jobs until stopped. */
import { statfs } from "node:fs/promises";
import { runJob, type RunnerDeps, scratchRoot } from "./runner.ts";
import { startEgressGuard } from "./egress_guard.ts";
import { setSubprocessEnv } from "./process.ts";

/** A download needs room for the file and its merge or compression copy. */
export function minimumFreeBytes(maxUploadBytes: number): number {
  return Math.max(2 * maxUploadBytes, 512 * 1024 * 1024);
}

export async function freeDiskBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

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
  const scratch = scratchRoot(deps.config.dataDir);
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch, { recursive: true });
  const needed = minimumFreeBytes(deps.config.maxUploadBytes);
  // yt-dlp and ffmpeg reach the network only through the guard, redirects included
  const guard = deps.config.allowPrivateUrls ? undefined : startEgressGuard();
  if (guard) {
    setSubprocessEnv({
      http_proxy: guard.url,
      https_proxy: guard.url,
      HTTP_PROXY: guard.url,
      HTTPS_PROXY: guard.url,
    });
  }
  const claiming = new AbortController();
  const shutdown = new AbortController();
  let running = 0;
  const loops = Array.from({ length: count }, async (_, i) => {
    const workerId = `${deps.workerIdPrefix}-${i}`;
    while (!claiming.signal.aborted) {
      try {
        const free = await freeDiskBytes(scratch);
        if (free < needed) {
          deps.logger.warn("disk almost full: not taking jobs", { workerId, free, needed });
          await new Promise((resolve) => setTimeout(resolve, 10_000));
          continue;
        }
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
      if (guard) {
        setSubprocessEnv({});
        await guard.close();
      }
    },
  };
}
