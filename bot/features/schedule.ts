/** /schedule <link> <when> [audio|quality], /schedules: downloads at a time of the user's choosing. */
import {
  createSchedule,
  deleteSchedule,
  listSchedulesByUser,
  type Schedule,
  ScheduleLimitError,
} from "../../kv/schedules.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { extractUrl } from "../../lib/url_guard.ts";
import { loadWhenParser, localTimeOf, parseWhen, type WhenRefusal } from "../../lib/when.ts";
import { timezoneOf } from "../../services/account.ts";
import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { type QualityVariant, VIDEO_HEIGHTS } from "../../media/media_types.ts";
import { renderScheduled, renderScheduleList } from "../../views/schedules.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";

export const scheduleFeature = new FeatureComposer<BotContext>();
const privateChats = scheduleFeature.chatType("private");

/** how far ahead a download may be scheduled */
const SCHEDULE_HORIZON_DAYS = 30;
const MAX_SCHEDULES_PER_USER = 20;

const WHEN_REFUSALS: Record<WhenRefusal, string> = {
  unparsed: "schedule-unparsed",
  past: "schedule-past",
  too_far: "schedule-too-far",
};

/** The words `/schedule` takes after its time, in English and French, and what they download. */
const QUALITY_WORDS: Record<string, QualityVariant> = {
  audio: "audio",
  son: "audio",
  best: "best",
  meilleure: "best",
  meilleur: "best",
  max: "best",
  ...Object.fromEntries(
    VIDEO_HEIGHTS.flatMap((height) => [[`${height}`, `${height}`], [`${height}p`, `${height}`]]),
  ),
};

/** "tomorrow 8am audio" → the time and the quality; the word may also come first. */
function splitQualityWord(text: string): { when: string; variant?: QualityVariant } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  for (const at of [words.length - 1, 0]) {
    const variant = QUALITY_WORDS[words[at]?.toLowerCase()];
    if (variant) return { when: words.toSpliced(at, 1).join(" "), variant };
  }
  return { when: words.join(" ") };
}

privateChats.command("schedule", async (ctx) => {
  const raw = extractUrl(ctx.match);
  const { when, variant } = splitQualityWord(raw ? ctx.match.replace(raw, " ") : "");
  if (!raw || !when) {
    await ctx.reply(ctx.t("schedule-usage"));
    return;
  }
  const { urlGuard, kv, config } = ctx.deps;
  const checked = await urlGuard.check(raw);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const locale = ctx.i18n.getLocale();
  const timezone = timezoneOf(config, ctx.user);
  await loadWhenParser();
  const parsed = parseWhen(when, {
    locale,
    timezone,
    now: Date.now(),
    horizonMs: SCHEDULE_HORIZON_DAYS * 86_400_000,
  });
  if (!parsed.ok) {
    const text = ctx.t(WHEN_REFUSALS[parsed.reason], {
      when: escapeHtml(truncate(when, 100)),
      days: SCHEDULE_HORIZON_DAYS,
    });
    await ctx.reply(text);
    return;
  }
  let schedule: Schedule;
  try {
    schedule = await createSchedule(kv, {
      userId: ctx.from.id,
      chatId: ctx.chat.id,
      lang: locale,
      url: checked.url.href,
      runAt: parsed.at,
      timezone,
      ...(variant ? { variant } : {}),
      ...(parsed.repeat
        ? { repeat: { every: parsed.repeat, ...localTimeOf(parsed.at, timezone) } }
        : {}),
    }, MAX_SCHEDULES_PER_USER);
  } catch (error) {
    if (!(error instanceof ScheduleLimitError)) throw error;
    await ctx.reply(ctx.t("schedule-too-many", { max: error.max }));
    return;
  }
  const { text, keyboard } = renderScheduled(ctx.t, locale, schedule);
  await ctx.reply(text, {
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  });
});

privateChats.command("schedules", async (ctx) => {
  const locale = ctx.i18n.getLocale();
  const { text, keyboard } = await loadScheduleList(ctx, locale);
  await ctx.reply(text, {
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  });
});

/** Cancel, from the confirmation or from the list (which is shown again). */
onCallback(privateChats, "scheduleCancel", async (ctx, { from, scheduleId }) => {
  const cancelled = await deleteSchedule(ctx.deps.kv, scheduleId, ctx.from.id);
  await ctx.answerCallbackQuery(ctx.t(cancelled ? "schedule-cancelled" : "schedule-gone"));
  if (from === "confirmation") {
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    if (cancelled) await ctx.reply(ctx.t("schedule-cancelled"));
    return;
  }
  const { text, keyboard } = await loadScheduleList(ctx, ctx.i18n.getLocale());
  await ctx.editMessageText(text, {
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  }).catch(() => {});
});

async function loadScheduleList(ctx: BotContext, locale: string) {
  const schedules = await listSchedulesByUser(ctx.deps.kv, ctx.from!.id, MAX_SCHEDULES_PER_USER);
  return renderScheduleList(ctx.t, locale, schedules);
}
