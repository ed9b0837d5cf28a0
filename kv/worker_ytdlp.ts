/**
 * The yt-dlp version each worker reported with its latest claims, kept a day, so every app
 * instance shows the same fleet on /healthz, /metrics and /admin.
 */
import type { WorkerStatus } from "../media/job_protocol.ts";

export interface WorkerYtdlp {
  worker: string;
  version: string;
  seenAt: number;
}

/** A worker not heard from for a day no longer counts. */
const WORKER_YTDLP_KEEP_MS = 24 * 60 * 60_000;
/** far more workers than a fleet has: one listing stays bounded */
const MAX_WORKERS = 1_000;

function workerYtdlpKey(worker: string) {
  return ["worker_ytdlp", worker] as const;
}

export async function recordWorkerYtdlp(
  kv: Deno.Kv,
  status: WorkerStatus,
  now = Date.now(),
): Promise<void> {
  const entry: WorkerYtdlp = { worker: status.worker, version: status.ytdlpVersion, seenAt: now };
  await kv.set(workerYtdlpKey(status.worker), entry, { expireIn: WORKER_YTDLP_KEEP_MS });
}

/** The workers heard from in the last day (KV's expiry is lazy: older entries are skipped). */
export async function listWorkerYtdlp(kv: Deno.Kv, now = Date.now()): Promise<WorkerYtdlp[]> {
  const workers: WorkerYtdlp[] = [];
  const entries = kv.list<WorkerYtdlp>({ prefix: ["worker_ytdlp"] }, { limit: MAX_WORKERS });
  for await (const { value } of entries) {
    if (value.seenAt > now - WORKER_YTDLP_KEEP_MS) workers.push(value);
  }
  return workers;
}
