/** In-process workers reach the job service directly, through the same protocol as the fleet's. */
import { CLAIM_WAIT_MS, type JobTransport } from "../media/job_protocol.ts";
import type { JobService } from "./job_service.ts";

export function localTransport(jobs: JobService): JobTransport {
  return {
    claim: (workerId, signal, status) =>
      jobs.claim(workerId, { waitMs: CLAIM_WAIT_MS, signal, status }),
    heartbeat: (jobId, leaseId, progress) => jobs.heartbeat(jobId, leaseId, progress),
    cookies: async (jobId, leaseId) => {
      const sets = await jobs.cookiesFor(jobId, leaseId);
      if (!sets) throw new Error("the job's lease moved on");
      return sets;
    },
    reportCookies: async (jobId, leaseId, outcomes) => {
      await jobs.reportCookies(jobId, leaseId, outcomes);
    },
    complete: (jobId, leaseId, result) => jobs.complete(jobId, leaseId, result),
    fail: async (jobId, leaseId, failure) => {
      await jobs.fail(jobId, leaseId, failure);
    },
  };
}
