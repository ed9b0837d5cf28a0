/** Runs one claimed job: the same code for in-process workers and fleet workers. */
import { type Api, GrammyError, HttpError } from "grammy";
import type { Claim, JobFailure, JobProgress } from "../kv/jobs.ts";
import type { DownloadPayload, JobResult, ProbePayload } from "../kv/job_types.ts";
import type { Logger } from "../lib/logger.ts";
import { MediaError } from "./media_types.ts";
import { downloadMedia, probeMedia } from "./ytdlp.ts";
import { uploadMedia } from "./upload.ts";
import type { JobTransport } from "./transport.ts";

export interface RunnerConfig {
  dataDir: string;
  ytdlpPath: string;
  ffmpegPath: string;
  ffprobePath: string;
  maxUploadBytes: number;
}

export interface RunnerDeps {
  transport: JobTransport;
  api: Api;
  config: RunnerConfig;
  logger: Logger;
  heartbeatMs?: number;
}

export const PROBE_TIMEOUT_MS = 90_000;
export const DOWNLOAD_TIMEOUT_MS = 60 * 60_000;

export function scratchRoot(dataDir: string): string {
  return `${dataDir}/scratch`;
}

export async function runJob(
  claim: Claim,
  deps: RunnerDeps,
  shutdown?: AbortSignal,
): Promise<void> {
  const { job, leaseId } = claim;
  const { transport, logger } = deps;
  const controller = new AbortController();
  const stop = () => controller.abort(shutdown?.reason);
  shutdown?.addEventListener("abort", stop, { once: true });
  let progress: JobProgress | undefined;
  let leaseLost = false;
  const beat = async () => {
    try {
      const reply = await transport.heartbeat(job.id, leaseId, progress);
      if (!reply.ok) leaseLost = true;
      if (!reply.ok || reply.cancel) controller.abort(new MediaError("cancelled", "cancelled"));
    } catch (error) {
      logger.warn("heartbeat failed", { jobId: job.id, error });
    }
  };
  const heartbeat = setInterval(beat, deps.heartbeatMs ?? 2_000);
  const scratch = `${scratchRoot(deps.config.dataDir)}/${job.id}-${job.attempts}`;
  try {
    await Deno.mkdir(scratch, { recursive: true });
    const result = job.payload.kind === "probe"
      ? await runProbe(job.payload, controller.signal)
      : await runDownload(job.payload, scratch, deps, controller.signal, (p) => {
        progress = p;
      });
    await transport.complete(job.id, leaseId, result);
  } catch (error) {
    if (leaseLost) return; // another worker owns the job now; reporting would be refused anyway
    const failure = describeFailure(error, shutdown?.aborted ?? false);
    if (failure.code !== "cancelled") logger.warn("job failed", { jobId: job.id, ...failure });
    await transport.fail(job.id, leaseId, failure).catch((e) =>
      logger.error("could not report a failure; the lease will expire", { jobId: job.id, error: e })
    );
  } finally {
    clearInterval(heartbeat);
    shutdown?.removeEventListener("abort", stop);
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

async function runProbe(payload: ProbePayload, signal: AbortSignal): Promise<JobResult> {
  const info = await probeMedia(payload.url, { signal, timeoutMs: PROBE_TIMEOUT_MS });
  return { kind: "probe", info };
}

async function runDownload(
  payload: DownloadPayload,
  scratch: string,
  deps: RunnerDeps,
  signal: AbortSignal,
  onProgress: (progress: JobProgress) => void,
): Promise<JobResult> {
  const { config } = deps;
  const media = await downloadMedia(payload.url, {
    variant: payload.variant,
    info: payload.info,
    outDir: scratch,
    maxBytes: config.maxUploadBytes,
    ytdlpPath: config.ytdlpPath,
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    signal,
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    onProgress,
  });
  onProgress({ phase: "uploading" });
  const file = await uploadMedia(deps.api, payload, media, signal);
  return { kind: "download", file };
}

/** Maps any error to what the queue needs: a code for the user's message and whether to retry. */
export function describeFailure(
  error: unknown,
  shuttingDown: boolean,
): JobFailure & { retryable: boolean } {
  if (shuttingDown) return { code: "interrupted", message: "worker shut down", retryable: true };
  if (error instanceof MediaError) {
    return { code: error.code, message: error.message, retryable: error.retryable };
  }
  if (error instanceof GrammyError) {
    const retryable = error.error_code === 429 || error.error_code >= 500;
    const code = error.error_code === 413 ? "too_large" : "failed";
    return { code, message: `Telegram: ${error.description}`, retryable };
  }
  if (error instanceof HttpError) {
    return { code: "failed", message: error.message, retryable: true };
  }
  return {
    code: "failed",
    message: error instanceof Error ? error.message : String(error),
    retryable: true,
  };
}
