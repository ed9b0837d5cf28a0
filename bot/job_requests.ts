/** A job for the update's sender: the request's key, and the refusal told when it cannot start. */
import type { Job } from "../media/job_types.ts";
import { timezoneOf } from "../services/account.ts";
import { queueUserJob, type UserJobRequest } from "../services/job_requests.ts";
import { refusalShortText, refusalText } from "../views/refusals.ts";
import type { BotContext } from "./context.ts";
import type { JobRefusal } from "../services/job_requests.ts";

/**
 * The request an update carries, the same however often Telegram delivers it: a callback query's
 * id, or the message's chat and id.
 */
function requestKeyOf(ctx: BotContext): string {
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
  // a group sees that the request was refused, not the requester's quota
  await ctx.reply(
    inGroup(ctx)
      ? refusalShortText(ctx.t, refusal)
      : refusalText(ctx.t, ctx.i18n.getLocale(), timezone, refusal),
  );
  return undefined;
}

function inGroup(ctx: BotContext): boolean {
  return ctx.chat?.type === "group" || ctx.chat?.type === "supergroup";
}

/** Answers a button press that the quota or the user's limits refused, saying what is left. */
export async function refuseRequest(ctx: BotContext, timezone: string, refusal: JobRefusal) {
  // already answered when the job was about to start and lost its place to another request
  if (inGroup(ctx)) {
    // the requester alone sees why, in an alert: their quota is not the group's business
    await ctx.answerCallbackQuery({ text: refusalShortText(ctx.t, refusal), show_alert: true })
      .catch(() => {});
    return;
  }
  await ctx.answerCallbackQuery({ text: refusalShortText(ctx.t, refusal) }).catch(() => {});
  await ctx.reply(refusalText(ctx.t, ctx.i18n.getLocale(), timezone, refusal));
}
