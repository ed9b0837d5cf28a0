/** The fleet worker's side of /worker/v1. */
import { retry } from "es-toolkit";
import type { Claim, JobFailure, JobProgress } from "../kv/jobs.ts";
import type { JobResult } from "../kv/job_types.ts";
import type { HeartbeatReply } from "../services/job_service.ts";
import { CLAIM_WAIT_MS, type JobTransport } from "./transport.ts";

export class WorkerApiError extends Error {
  override name = "WorkerApiError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function httpTransport(appUrl: string, token: string): JobTransport {
  const call = async (path: string, body: unknown, signal?: AbortSignal): Promise<Response> => {
    const response = await fetch(`${appUrl}/worker/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new WorkerApiError(response.status, `app answered ${response.status}`);
    }
    return response;
  };
  // a report must reach the app: retry network failures and 5xx, never 4xx answers
  const report = (path: string, body: unknown) =>
    retry(() => call(path, body), { retries: 5, delay: (attempt) => 500 * 2 ** attempt });
  const expectOk = async (response: Response): Promise<void> => {
    const text = await response.text();
    if (response.status === 409) return; // the lease moved on: nothing left to report
    if (!response.ok) throw new WorkerApiError(response.status, text);
  };

  return {
    async claim(workerId, signal) {
      const response = await call("/claim", { workerId, waitMs: CLAIM_WAIT_MS }, signal);
      if (response.status === 204) return null;
      if (!response.ok) throw new WorkerApiError(response.status, await response.text());
      return await response.json() as Claim;
    },
    async heartbeat(
      jobId: string,
      leaseId: string,
      progress?: JobProgress,
    ): Promise<HeartbeatReply> {
      const response = await call(`/jobs/${jobId}/heartbeat`, { leaseId, progress });
      if (response.status === 409) {
        await response.body?.cancel();
        return { ok: false, cancel: true };
      }
      if (!response.ok) throw new WorkerApiError(response.status, await response.text());
      return await response.json() as HeartbeatReply;
    },
    async complete(jobId: string, leaseId: string, result: JobResult) {
      await expectOk(await report(`/jobs/${jobId}/complete`, { leaseId, result }));
    },
    async fail(jobId: string, leaseId: string, failure: JobFailure & { retryable: boolean }) {
      await expectOk(await report(`/jobs/${jobId}/fail`, { leaseId, failure }));
    },
  };
}
