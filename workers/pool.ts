/** N worker loops that claim and run jobs until stopped. */
import { statfs } from "node:fs/promises";
import { runJob, type RunnerDeps, scratchRoot } from "./runner.ts";
import { startEgressGuard } from "./egress_guard.ts";
import { useEgressProxy } from "./process.ts";
import { ProxyRotation } from "./site_attempts.ts";
import { type AddressPolicy, UrlGuard } from "../lib/url_guard.ts";
import { ClaimGate } from "./claim_gate.ts";
import { tendSharedFolder, workerSharedFolder } from "../lib/shared_files.ts";
import { type YtdlpUpdateChannel, YtdlpUpkeep } from "./ytdlp_upkeep.ts";

/** How often YTDLP_UPDATE updates yt-dlp after the start, once the pool is idle. */
const YTDLP_UPDATE_INTERVAL_MS = 24 * 60 * 60_000;

/** A download needs room for the file and its merge or compression copy. */
function minimumFreeBytes(maxUploadBytes: number): number {
  return Math.max(2 * maxUploadBytes, 512 * 1024 * 1024);
}

async function freeDiskBytes(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

export interface WorkerPool {
  /** Stops claiming, lets running jobs finish for up to graceMs, then hands the rest back. */
  stop(graceMs?: number): Promise<void>;
  readonly running: number;
}

export interface WorkerPoolDeps extends RunnerDeps {
  config: RunnerDeps["config"] & { ytdlpUpdate?: YtdlpUpdateChannel };
  workerIdPrefix: string;
  /** tests only: how often yt-dlp is updated (YTDLP_UPDATE_INTERVAL_MS by default) */
  ytdlpUpdateIntervalMs?: number;
  /** tests only: where the egress guard connects (by default ALLOW_PRIVATE_URLS decides) */
  egressPolicy?: AddressPolicy;
}

/**
 * Where the pool's jobs keep their files: in the folder a local-mode Bot API server shares, one
 * folder per worker process (each empties its own at its start), else under DATA_DIR.
 */
function poolScratchRoot(config: WorkerPoolDeps["config"], workerIdPrefix: string): string {
  return config.telegramSharedDir
    ? workerSharedFolder(config.telegramSharedDir, workerIdPrefix)
    : scratchRoot(config.dataDir);
}

export async function startWorkerPool(
  count: number,
  deps: WorkerPoolDeps,
): Promise<WorkerPool> {
  // leftovers of a previous run that died midway
  const scratch = poolScratchRoot(deps.config, deps.workerIdPrefix);
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  await Deno.mkdir(scratch, { recursive: true });
  // a worker's id dies with its process or container: the folders of workers gone are swept here
  // not waited for: listing and sweeping a shared volume need not hold up the first claim
  const sharedFolder = deps.config.telegramSharedDir
    ? tendSharedFolder(
      deps.config.telegramSharedDir,
      scratch,
      (folder) =>
        deps.logger.info("removed the files of a worker gone from the shared folder", { folder }),
    )
    : undefined;
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
  // yt-dlp is updated (YTDLP_UPDATE) and its version read only while no claim is out and no job
  // runs: at start, before the first claim, then daily
  const gate = new ClaimGate();
  const upkeep = new YtdlpUpkeep({
    ytdlpPath: deps.config.ytdlpPath,
    channel: deps.config.ytdlpUpdate,
    worker: deps.workerIdPrefix,
    logger: deps.logger,
  });
  let refreshing = Promise.resolve();
  const refreshYtdlp = () => {
    deps.logger.debug("yt-dlp upkeep due: new claims wait until no job runs");
    refreshing = gate.whileIdle(async () => {
      if (!claiming.signal.aborted) await upkeep.refresh(claiming.signal);
    }).catch((error) => deps.logger.error("yt-dlp upkeep failed", { error }));
  };
  refreshYtdlp();
  const updates = deps.config.ytdlpUpdate
    ? setInterval(refreshYtdlp, deps.ytdlpUpdateIntervalMs ?? YTDLP_UPDATE_INTERVAL_MS)
    : undefined;
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
        if (!await gate.enter(claiming.signal)) break;
        try {
          const claim = await deps.transport.claim(workerId, claiming.signal, upkeep.status);
          if (!claim) continue;
          running++;
          try {
            await runJob(claim, { ...deps, egress, scratchRoot: scratch }, shutdown.signal);
          } finally {
            running--;
          }
        } finally {
          gate.leave();
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
      clearInterval(updates);
      (await sharedFolder)?.stop();
      const timer = setTimeout(() => shutdown.abort(), graceMs);
      await Promise.all(loops);
      await refreshing;
      clearTimeout(timer);
      releaseProxy();
      await guard.close();
      // a folder in the shared volume is named after this process: no later start empties it
      if (deps.config.telegramSharedDir) await Deno.remove(scratch).catch(() => {});
    },
  };
}
