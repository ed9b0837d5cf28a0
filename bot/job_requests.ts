/**
 * Queueing what a user asked for within their plan: a place among their active jobs
 * (kv/job_limits.ts) and, for what delivers media, a quota reservation (kv/quota.ts), both written
 * in the job's own atomic. The status message is sent only once the job can start.
 */
import type { Api } from "grammy";
import { ulid } from "ulid";
import { activeJobLimitsFor, type BusyRefusal, placeGate } from "../kv/job_limits.ts";
import type { EnqueueGate, NewJob } from "../kv/jobs.ts";
import type { Job } from "../media/job_types.ts";
import type { JobPayload } from "../media/job_types.ts";
import type { QuotaRefusal } from "../kv/quota.ts";
import type { UserProfile } from "../kv/users.ts";
import { formatBytes } from "../lib/format.ts";
import { formatLocalTime, quotaLimit, timezoneOf } from "./account.ts";
import type { BotContext, BotDeps } from "./context.ts";
import type { Translate } from "./i18n.ts";

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
  deps: Pick<BotDeps, "kv" | "queue" | "quota" | "config"> & { api: Api },
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

/**
 * The request an update carries, the same however often Telegram delivers it: a callback query's
 * id, or the message's chat and id.
 */
export function requestKeyOf(ctx: BotContext): string {
  if (ctx.callbackQuery) return `cb:${ctx.callbackQuery.id}`;
  if (ctx.msg && ctx.chat) return `msg:${ctx.chat.id}:${ctx.msg.message_id}`;
  return `update:${ctx.update.update_id}`;
}

/** Queues a job for the update's sender, or answers with why it cannot start. */
export async function queueForSender(
  ctx: BotContext,
  request: Omit<UserJobRequest, "userId" | "user" | "requestKey">,
): Promise<Job | undefined> {
  const started = await queueUserJob({ ...ctx.deps, api: ctx.api }, {
    ...request,
    userId: ctx.from!.id,
    user: ctx.user,
    requestKey: requestKeyOf(ctx),
  });
  if (started.kind === "queued") {
    // a press Telegram delivered again: its job is under way, the spinner can stop
    if (started.duplicate && ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
    return started.job;
  }
  const { refusal } = started;
  const timezone = timezoneOf(ctx.deps.config, ctx.user);
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery({ text: refusalShortText(ctx.t, refusal) }).catch(() => {});
  }
  await ctx.reply(refusalText(ctx.t, ctx.i18n.getLocale(), timezone, refusal), {
    parse_mode: "HTML",
  });
  return undefined;
}

/** What a refusal tells the user: the limit reached, what is left and when it frees up. */
export function refusalText(
  t: Translate,
  locale: string,
  timezone: string,
  refusal: JobRefusal,
): string {
  if (refusal.reason === "busy") {
    return t(refusal.heavy ? "limit-heavy" : "limit-places", { limit: refusal.limit });
  }
  const amounts = {
    left: formatBytes(refusal.leftBytes, locale),
    limit: formatBytes(refusal.limitBytes, locale),
  };
  return refusal.freesAt === undefined
    ? t("quota-exceeded-held", amounts)
    : t("quota-exceeded", { ...amounts, at: formatLocalTime(locale, timezone, refusal.freesAt) });
}

/** The few words of a refusal that fit a callback query's answer. */
export function refusalShortText(t: Translate, refusal: JobRefusal): string {
  return t(refusal.reason === "busy" ? "limit-short" : "quota-exceeded-short");
}
