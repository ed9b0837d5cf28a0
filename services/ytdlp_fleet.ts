/** The yt-dlp versions the workers report: recorded from their claims, summed up for admins. */
import { Lru } from "../lib/lru.ts";
import { listWorkerYtdlp, recordWorkerYtdlp } from "../kv/worker_ytdlp.ts";
import type { WorkerStatus } from "../media/job_protocol.ts";
import { YTDLP_STALE_DAYS, ytdlpAgeDays } from "../media/ytdlp_version.ts";
import type { YtdlpFleet } from "../views/admin.ts";

/** A worker claims every few seconds; its unchanged version is written again this often. */
const REWRITE_AFTER_MS = 10 * 60_000;

/** Records what workers say with their claims, writing KV only when it changed or ages. */
export class WorkerStatusLog {
  /** what this instance last wrote for each worker: only spares writes, never read as truth */
  readonly #written = new Lru<string, { version: string; at: number }>({ max: 10_000 });

  constructor(private readonly kv: Deno.Kv) {}

  async note(status: WorkerStatus, now = Date.now()): Promise<void> {
    const written = this.#written.get(status.worker);
    if (written?.version === status.ytdlpVersion && now - written.at < REWRITE_AFTER_MS) return;
    await recordWorkerYtdlp(this.kv, status, now);
    this.#written.set(status.worker, { version: status.ytdlpVersion, at: now });
  }
}

/** The versions heard from in the last day, oldest first, and whether the oldest is too old. */
export async function readYtdlpFleet(kv: Deno.Kv, now = Date.now()): Promise<YtdlpFleet> {
  const byVersion = new Map<string, string[]>();
  for (const { worker, version } of await listWorkerYtdlp(kv, now)) {
    byVersion.set(version, [...byVersion.get(version) ?? [], worker]);
  }
  const versions = [...byVersion].map(([version, workers]) => ({
    version,
    workers: workers.sort(),
    ageDays: ytdlpAgeDays(version, now),
  })).sort((a, b) => (b.ageDays ?? -1) - (a.ageDays ?? -1) || a.version.localeCompare(b.version));
  const oldest = versions.find((v) => v.ageDays !== undefined);
  const stale = oldest?.ageDays !== undefined && oldest.ageDays > YTDLP_STALE_DAYS
    ? { version: oldest.version, ageDays: oldest.ageDays }
    : undefined;
  return { versions, ...(stale ? { stale } : {}) };
}
