/**
 * /record <url> <duration>, and a live preview's 🔴 buttons: record a live stream for that long
 * (within the plan's limit). The status message has Stop, which ends the recording early and
 * still sends it, and Cancel.
 */
import { truncate } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";
import { recordKeyboard, renderProgress } from "../../views/media.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { queueForSender } from "../job_requests.ts";
import { ownPreview } from "../preview_request.ts";
import { maxRecordMinutes, recordingRequest } from "../../services/recordings.ts";
import { planOf } from "../../kv/users.ts";

export const recordFeature = new FeatureComposer<BotContext>();

const UNIT_SECONDS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** "30" and "1.5" are minutes; "90s", "10m", "10min", "1h" say their unit. Undefined if unreadable. */
export function parseRecordDuration(text: string): number | undefined {
  const match = text.trim().toLowerCase().match(/^(\d+(?:[.,]\d+)?)\s*(s|sec|m|min|h)?$/);
  if (!match) return undefined;
  const seconds = Number(match[1].replace(",", ".")) * UNIT_SECONDS[match[2] ?? "min"];
  return seconds >= 1 ? Math.round(seconds) : undefined;
}

/** What the status message calls the stream until its title is known: host and path. */
function streamLabel(url: URL): string {
  return truncate(`${url.host}${url.pathname === "/" ? "" : url.pathname}`, 80);
}

/** Why a recording this long is refused, or undefined when the user's plan allows it. */
function tooLongText(ctx: BotContext, seconds: number): string | undefined {
  const maxMinutes = maxRecordMinutes(ctx.user);
  if (seconds <= maxMinutes * 60) return undefined;
  const premium = ctx.user !== undefined && planOf(ctx.user) === "premium";
  return ctx.t(premium ? "record-too-long-premium" : "record-too-long", { minutes: maxMinutes });
}

/** Queues the recording within the user's quota and places, with its Stop and Cancel message. */
async function queueRecording(ctx: BotContext, url: URL, seconds: number, title: string) {
  const locale = ctx.i18n.getLocale();
  const chatId = ctx.chat?.id ?? ctx.from!.id;
  return await queueForSender(ctx, {
    ...recordingRequest({
      chatId,
      url,
      seconds,
      lang: locale,
      uploadChatId: ctx.deps.config.storageChatId ?? chatId,
      botUsername: ctx.me.username,
      title,
      partLabel: ctx.t("record-part"),
    }),
    statusMessage: async () => {
      const status = await ctx.reply(renderProgress(ctx.t, locale, title, { phase: "queued" }), {
        reply_markup: recordKeyboard(ctx.t),
      });
      return status.message_id;
    },
  });
}

recordFeature.command("record", async (ctx) => {
  if (!ctx.from || !ctx.chat) return;
  const [rawUrl, rawDuration, ...rest] = ctx.match.trim().split(/\s+/).filter(Boolean);
  const seconds = rawDuration === undefined ? undefined : parseRecordDuration(rawDuration);
  if (!rawUrl || seconds === undefined || rest.length > 0) {
    await ctx.reply(ctx.t("record-usage"));
    return;
  }
  const refusal = tooLongText(ctx, seconds);
  if (refusal) {
    await ctx.reply(refusal);
    return;
  }
  const checked = await ctx.deps.urlGuard.check(rawUrl);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  await queueRecording(ctx, checked.url, seconds, streamLabel(checked.url));
});

/** A live preview's 🔴 button records the stream for that long. */
onCallback(recordFeature, "recordLive", async (ctx, { previewId, minutes }) => {
  const preview = await ownPreview(ctx, previewId);
  if (!preview) return;
  const seconds = minutes * 60;
  const refusal = seconds > 0 ? tooLongText(ctx, seconds) : ctx.t("preview-expired");
  if (refusal) {
    await ctx.answerCallbackQuery({ text: refusal, show_alert: true });
    return;
  }
  // checked again: the address a name points to may have changed since the preview
  const checked = await ctx.deps.urlGuard.check(preview.url);
  if (!checked.ok) {
    await ctx.answerCallbackQuery({ text: ctx.t(URL_REFUSAL_MESSAGES[checked.reason]) });
    return;
  }
  const title = truncate(preview.info.title, 120);
  const job = await queueRecording(ctx, checked.url, seconds, title);
  if (job) await ctx.answerCallbackQuery().catch(() => {});
});

/** Stop on a recording's status message: end it now and send what was recorded. */
onCallback(recordFeature, "recordStop", async (ctx) => {
  const messageId = ctx.callbackQuery.message?.message_id;
  const jobs = await ctx.deps.queue.listActiveByUser(ctx.from.id);
  const job = jobs.find((j) =>
    j.payload.kind === "record" && j.chatId === ctx.chat?.id &&
    j.payload.statusMessageId === messageId
  );
  if (!job) {
    await ctx.answerCallbackQuery(ctx.t("download-nothing-to-cancel"));
    return;
  }
  await ctx.deps.jobs.stop(job.id);
  await ctx.answerCallbackQuery(ctx.t("record-stopping"));
});
