/**
 * The worker protocol, spoken by fleet workers over /worker/v1 and by in-process workers directly:
 * claim, heartbeat, the job's cookies and how they fared, complete, fail.
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

/** A cookie set an admin stored for the job's site: Netscape cookies.txt text, for yt-dlp only. */
export interface JobCookieSet {
  id: string;
  text: string;
}

/** Whether a site took a cookie set (worked) or refused it (asked to sign in again). */
export interface CookieOutcome {
  setId: string;
  worked: boolean;
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
  /** the cookie sets stored for the job's link, to try in order; only for the lease's holder */
  cookies(jobId: string, leaseId: string, signal?: AbortSignal): Promise<JobCookieSet[]>;
  reportCookies(jobId: string, leaseId: string, outcomes: CookieOutcome[]): Promise<void>;
  /** true when the app took the result; false when the job's lease had moved on */
  complete(jobId: string, leaseId: string, result: JobResult): Promise<boolean>;
  fail(jobId: string, leaseId: string, failure: JobFailure & { retryable: boolean }): Promise<void>;
}

export const CLAIM_WAIT_MS = 25_000;
