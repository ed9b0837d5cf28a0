/**
 * The worker protocol, spoken by fleet workers over /worker/v1 and by in-process workers directly:
 * claim, heartbeat, complete, fail.
 */
import type { Claim, JobFailure, JobProgress, JobResult } from "./job_types.ts";

export interface HeartbeatReply {
  ok: boolean;
  cancel: boolean;
  /** end early and deliver what there is (a recording's Stop) */
  stop?: boolean;
}

/** What a worker says about itself with each claim. */
export interface WorkerStatus {
  /** the worker process (its loops claim as `<worker>-<n>`) */
  worker: string;
  /** `yt-dlp --version`, its release date (see media/ytdlp_version.ts) */
  ytdlpVersion: string;
}

/** How a worker talks to the app: directly in one process, or over /worker/v1. */
export interface JobTransport {
  /**
   * waits (long poll) for a job; null when none came in time or the signal fired. A worker that
   * could not learn its yt-dlp version sends no status.
   */
  claim(workerId: string, signal: AbortSignal, status?: WorkerStatus): Promise<Claim | null>;
  heartbeat(
    jobId: string,
    leaseId: string,
    progress?: JobProgress,
    signal?: AbortSignal,
  ): Promise<HeartbeatReply>;
  /** true when the app took the result; false when the job's lease had moved on */
  complete(jobId: string, leaseId: string, result: JobResult): Promise<boolean>;
  fail(jobId: string, leaseId: string, failure: JobFailure & { retryable: boolean }): Promise<void>;
}

export const CLAIM_WAIT_MS = 25_000;
