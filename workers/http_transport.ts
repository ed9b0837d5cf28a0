/**
 * The fleet worker's side of /worker/v1. Every call has a deadline, so a connection that died
 * silently (a partition, a dropped NAT entry) ends in an error the worker acts on, never a hang.
 */
import { delay } from "es-toolkit/promise";
import type { Claim, JobFailure, JobProgress } from "../media/job_types.ts";
import type { JobResult } from "../media/job_types.ts";
import type { HeartbeatReply } from "../media/job_protocol.ts";
import { CLAIM_WAIT_MS, type JobTransport } from "../media/job_protocol.ts";
import { jobCookieSetsSchema } from "../media/job_schemas.ts";
import {
  MemorySendBudget,
  type ReserveOptions,
  type SendBudget,
  TELEGRAM_LIMITS,
  type ThrottleLimits,
  type Turn,
} from "../lib/throttle.ts";

export class WorkerApiError extends Error {
  override name = "WorkerApiError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface AppCallTimeouts {
  /** one call (heartbeat, one attempt of a report), answer read included */
  callMs: number;
  /** how long the app holds a claim open waiting for a job; the call may take callMs more */
  claimWaitMs: number;
  /** how long a finished job's report is retried while the app cannot be reached */
  reportPatienceMs: number;
}

const DEFAULT_APP_CALL_TIMEOUTS: AppCallTimeouts = {
  callMs: 10_000,
  claimWaitMs: CLAIM_WAIT_MS,
  reportPatienceMs: 10 * 60_000,
};

export function httpTransport(
  appUrl: string,
  token: string,
  timeouts: AppCallTimeouts = DEFAULT_APP_CALL_TIMEOUTS,
): JobTransport {
  const call = async (
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Response> => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const response = await fetch(`${appUrl}/worker/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      // also bounds reading the answer
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    });
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new WorkerApiError(response.status, `app answered ${response.status}`);
    }
    return response;
  };
  /**
   * A report must reach the app: network failures, timeouts and 5xx are retried for
   * reportPatienceMs, a 4xx answer is final. True when the app took it, false when the job's
   * lease had moved on (the worker then takes back what it uploaded).
   */
  const report = async (path: string, body: unknown): Promise<boolean> => {
    const giveUpAt = Date.now() + timeouts.reportPatienceMs;
    for (let attempt = 0;; attempt++) {
      try {
        const response = await call(path, body, timeouts.callMs);
        const text = await response.text();
        if (response.status === 409) return false;
        if (!response.ok) throw new WorkerApiError(response.status, text);
        return true;
      } catch (error) {
        const pause = Math.min(500 * 2 ** attempt, 5_000);
        if (error instanceof WorkerApiError && error.status < 500) throw error;
        if (Date.now() + pause > giveUpAt) throw error;
        await delay(pause);
      }
    }
  };

  return {
    async claim(workerId, signal, status) {
      const body = { workerId, waitMs: timeouts.claimWaitMs, status };
      const response = await call("/claim", body, timeouts.claimWaitMs + timeouts.callMs, signal);
      if (response.status === 204) return null;
      if (!response.ok) throw new WorkerApiError(response.status, await response.text());
      return await response.json() as Claim;
    },
    async heartbeat(
      jobId: string,
      leaseId: string,
      progress?: JobProgress,
      signal?: AbortSignal,
    ): Promise<HeartbeatReply> {
      const body = { leaseId, progress };
      const response = await call(`/jobs/${jobId}/heartbeat`, body, timeouts.callMs, signal);
      if (response.status === 409) {
        await response.body?.cancel();
        return { ok: false, cancel: true };
      }
      if (!response.ok) throw new WorkerApiError(response.status, await response.text());
      return await response.json() as HeartbeatReply;
    },
    async cookies(jobId, leaseId, signal) {
      const response = await call(`/jobs/${jobId}/cookies`, { leaseId }, timeouts.callMs, signal);
      if (!response.ok) throw new WorkerApiError(response.status, await response.text());
      return jobCookieSetsSchema.parse((await response.json()).sets);
    },
    async reportCookies(jobId, leaseId, outcomes) {
      const body = { leaseId, outcomes };
      const response = await call(`/jobs/${jobId}/cookies/outcomes`, body, timeouts.callMs);
      const text = await response.text();
      if (!response.ok) throw new WorkerApiError(response.status, text);
    },
    complete(jobId: string, leaseId: string, result: JobResult) {
      return report(`/jobs/${jobId}/complete`, { leaseId, result });
    },
    async fail(jobId: string, leaseId: string, failure: JobFailure & { retryable: boolean }) {
      await report(`/jobs/${jobId}/fail`, { leaseId, failure });
    },
  };
}

/**
 * The bot's flood budget as a fleet worker reaches it: each message's turn comes from the app
 * (its KV budget, shared with every app instance), with the call's priority and what the worker
 * has waiting, so priorities hold between it and the app; and each 429 is told to it. While the
 * app cannot be reached, the worker keeps the limits alone, in memory.
 */
export class AppSendBudget implements SendBudget {
  readonly #alone: SendBudget;

  constructor(
    private readonly appUrl: string,
    private readonly token: string,
    limits: ThrottleLimits = TELEGRAM_LIMITS,
    private readonly callMs = DEFAULT_APP_CALL_TIMEOUTS.callMs,
  ) {
    this.#alone = new MemorySendBudget(limits);
  }

  async reserve(chatId: number | string, options: ReserveOptions = {}): Promise<Turn> {
    try {
      const response = await this.#call("/sends", { chatId, ...options });
      const { waitMs, congestionMs, yielded } = await response.json() as {
        waitMs: number;
        /** absent from an app of before priorities */
        congestionMs?: number;
        /** absent from an app of before priorities across senders */
        yielded?: boolean;
      };
      return { at: Date.now() + waitMs, congestionMs: congestionMs ?? 0, yielded };
    } catch {
      return await this.#alone.reserve(chatId);
    }
  }

  async pause(chatId: number | string | undefined, retryAfterMs: number): Promise<void> {
    await this.#alone.pause(chatId, retryAfterMs);
    const response = await this.#call("/sends/pause", { chatId, retryAfterMs });
    await response.body?.cancel();
  }

  async #call(path: string, body: unknown): Promise<Response> {
    const response = await fetch(`${this.appUrl}/worker/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.callMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new WorkerApiError(response.status, `app answered ${response.status}`);
    }
    return response;
  }
}
