/**
 * Queueing what a user asked for within their plan: a place among their active jobs
 * (kv/job_limits.ts) and, for what delivers media, a quota reservation (kv/quota.ts), both written
 * in the job's own atomic. The status message is sent only once the job can start.
 */
import { ulid } from "../lib/ids.ts";
import { activeJobLimitsFor, type BusyRefusal, placeGate } from "../kv/job_limits.ts";
import type { EnqueueGate, NewJob } from "../kv/jobs.ts";
import type { QuotaRefusal } from "../kv/quota.ts";
import type { UserProfile } from "../kv/users.ts";
import type { Job, JobPayload } from "../media/job_types.ts";
import { quotaLimit, timezoneOf } from "./account.ts";
import type { ServiceDeps } from "./deps.ts";

export type JobRefusal = BusyRefusal | QuotaRefusal;

export interface UserJobRequest {
  userId: number;
  user: UserProfile | undefined;
  chatId: number;
  /** without its status message, which is made once the job can start */
  payload: JobPayload;
  /** a ULID chosen in advance (a batch item's download, a scheduled run's) */
  id?: string;
  /** the callback query or message that asked: handled twice, it still queues one job */
  requestKey?: string;
  priority?: number;
  /** reserve quota: `wantedBytes` when that much is left, never less than `minimumBytes` */
  quota?: { wantedBytes: number; minimumBytes: number };
  statusMessage?: () => Promise<number | undefined>;
}

export type UserJobStart =
  | { kind: "queued"; job: Job; duplicate: boolean }
  | { kind: "refused"; refusal: JobRefusal };

export async function queueUserJob(
  deps: Pick<ServiceDeps, "kv" | "queue" | "quota" | "config" | "api">,
  request: UserJobRequest,
): Promise<UserJobStart> {
  const { kv, queue, quota, config, api } = deps;
  const { userId, user } = request;
  const gates: EnqueueGate<JobRefusal>[] = [placeGate(kv, userId, activeJobLimitsFor(user))];
  if (request.quota) {
    gates.push(quota.reservation({
      userId,
      timezone: timezoneOf(config, user),
      limitBytes: quotaLimit(config, user),
      ...request.quota,
    }));
  }
  const input: NewJob = {
    id: request.id ?? ulid(),
    requestKey: request.requestKey,
    userId,
    chatId: request.chatId,
    priority: request.priority,
    payload: request.payload,
  };
  const check = await queue.tryEnqueue(input, gates, { dryRun: true });
  if (!check.ok) return { kind: "refused", refusal: check.refusal };
  if (check.duplicate) return { kind: "queued", job: check.job, duplicate: true };
  const statusMessageId = await request.statusMessage?.();
  const payload = { ...request.payload, statusMessageId };
  const outcome = await queue.tryEnqueue({ ...input, payload }, gates);
  if (outcome.ok && !outcome.duplicate) {
    return { kind: "queued", job: outcome.job, duplicate: false };
  }
  // another request took the last place or bytes meanwhile, or a second delivery queued this one
  if (statusMessageId) await api.deleteMessage(request.chatId, statusMessageId).catch(() => {});
  return outcome.ok
    ? { kind: "queued", job: outcome.job, duplicate: true }
    : { kind: "refused", refusal: outcome.refusal };
}
