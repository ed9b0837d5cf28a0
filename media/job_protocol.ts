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

/** How a worker talks to the app: directly in one process, or over /worker/v1. */
export interface JobTransport {
  /** waits (long poll) for a job; null when none came in time or the signal fired */
  claim(workerId: string, signal: AbortSignal): Promise<Claim | null>;
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
