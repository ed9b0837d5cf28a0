/**
 * /record <url> <duration>: records a live stream for that long (within the plan's limit). Its
 * status message has Stop, which ends the recording early and still sends it, and Cancel.
 */
import { MIN_RESERVATION_BYTES } from "../../kv/quota.ts";
import { type Plan, planOf } from "../../kv/users.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";
import { renderProgress } from "../../views/media.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";
import { FeatureComposer } from "../composer.ts";
import { queueForSender } from "../job_requests.ts";
import { recordKeyboard } from "../../views/media.ts";

export const recordFeature = new FeatureComposer<BotContext>();

/** The longest recording each plan allows, in minutes. */
const RECORD_MINUTES: Record<Plan, number> = { free: 30, premium: 180 };

/**
 * What a recording reserves per second asked: 10 Mbit/s, more than live streams send. The
 * recording stops at its reservation, so one asked with less quota left is shorter.
 */
const RECORD_BYTES_PER_SECOND = 1_250_000;

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

recordFeature.command("record", async (ctx) => {
  if (!ctx.from || !ctx.chat) return;
  const [rawUrl, rawDuration, ...rest] = ctx.match.trim().split(/\s+/).filter(Boolean);
  const seconds = rawDuration === undefined ? undefined : parseRecordDuration(rawDuration);
  if (!rawUrl || seconds === undefined || rest.length > 0) {
    await ctx.reply(ctx.t("record-usage"), { parse_mode: "HTML" });
    return;
  }
  const plan = ctx.user ? planOf(ctx.user) : "free";
  const maxMinutes = RECORD_MINUTES[plan];
  if (seconds > maxMinutes * 60) {
    const key = plan === "premium" ? "record-too-long-premium" : "record-too-long";
    await ctx.reply(ctx.t(key, { minutes: maxMinutes }));
    return;
  }
  const checked = await ctx.deps.urlGuard.check(rawUrl);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const url = checked.url;
  const locale = ctx.i18n.getLocale();
  const title = streamLabel(url);
  const link = `<a href="${escapeHtml(url.href)}">🔗 ${escapeHtml(url.host)}</a>`;
  await queueForSender(ctx, {
    chatId: ctx.chat.id,
    payload: {
      kind: "record",
      url: url.href,
      seconds,
      lang: locale,
      uploadChatId: ctx.deps.config.storageChatId ?? ctx.chat.id,
      caption: `${link}\n📥 @${escapeHtml(ctx.me.username)}`,
      title,
      partLabel: ctx.t("record-part"),
    },
    quota: {
      wantedBytes: seconds * RECORD_BYTES_PER_SECOND,
      minimumBytes: MIN_RESERVATION_BYTES,
    },
    statusMessage: async () => {
      const status = await ctx.reply(renderProgress(ctx.t, locale, title, { phase: "queued" }), {
        parse_mode: "HTML",
        reply_markup: recordKeyboard(ctx.t),
      });
      return status.message_id;
    },
  });
});

/** Stop on a recording's status message: end it now and send what was recorded. */
recordFeature.callbackQuery("rs", async (ctx) => {
  const messageId = ctx.callbackQuery.message?.message_id;
  const jobs = await ctx.deps.queue.listActiveByUser(ctx.from.id);
  const job = jobs.find((j) =>
    j.payload.kind === "record" && j.payload.statusMessageId === messageId
  );
  if (!job) {
    await ctx.answerCallbackQuery(ctx.t("download-nothing-to-cancel"));
    return;
  }
  await ctx.deps.jobs.stop(job.id);
  await ctx.answerCallbackQuery(ctx.t("record-stopping"));
});
