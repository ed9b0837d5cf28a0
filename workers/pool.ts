/** N worker loops that claim and run jobs until stopped. */
import { statfs } from "node:fs/promises";
import { runJob, type RunnerDeps, scratchRoot } from "./runner.ts";
import { startEgressGuard } from "./egress_guard.ts";
import { useEgressProxy } from "./process.ts";
import { ProxyRotation } from "./site_attempts.ts";
import { type AddressPolicy, UrlGuard } from "../lib/url_guard.ts";

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

export interface WorkerPoolDeps extends RunnerDeps {
  workerIdPrefix: string;
  /** tests only: where the egress guard connects (by default ALLOW_PRIVATE_URLS decides) */
  egressPolicy?: AddressPolicy;
}

export async function startWorkerPool(
  count: number,
  deps: WorkerPoolDeps,
): Promise<WorkerPool> {
  // leftovers of a previous run that died midway
  const scratch = scratchRoot(deps.config.dataDir);
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch, { recursive: true });
  const needed = minimumFreeBytes(deps.config.maxUploadBytes);
  // yt-dlp and ffmpeg reach the network only through the guard, redirects included; with
  // ALLOW_PRIVATE_URLS it still refuses every scheme but http(s)
  const policy = deps.egressPolicy ?? new UrlGuard(deps.config.allowPrivateUrls ?? false).addressOf;
  const guard = startEgressGuard(policy);
  const releaseProxy = useEgressProxy(guard.url);
  // one rotation for the pool's loops: its jobs take the upstream proxies in turn
  const egress = { policy, proxies: new ProxyRotation(deps.config.proxyUrls ?? []) };
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
          await runJob(claim, { ...deps, egress }, shutdown.signal);
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
      releaseProxy();
      await guard.close();
    },
  };
}
