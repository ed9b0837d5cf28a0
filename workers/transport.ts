import type { Claim, JobFailure, JobProgress } from "../kv/jobs.ts";
import type { JobResult } from "../kv/job_types.ts";
import type { HeartbeatReply, JobService } from "../services/job_service.ts";

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

export function localTransport(jobs: JobService): JobTransport {
  return {
    claim: (workerId, signal) => jobs.claim(workerId, { waitMs: CLAIM_WAIT_MS, signal }),
    heartbeat: (jobId, leaseId, progress) => jobs.heartbeat(jobId, leaseId, progress),
    complete: (jobId, leaseId, result) => jobs.complete(jobId, leaseId, result),
    fail: async (jobId, leaseId, failure) => {
      await jobs.fail(jobId, leaseId, failure);
    },
  };
}
