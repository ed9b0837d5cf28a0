/** /schedule <link> <when>, /schedules: downloads at a time of the user's choosing. */
import {
  createSchedule,
  deleteSchedule,
  listSchedulesByUser,
  type Schedule,
  ScheduleLimitError,
} from "../../kv/schedules.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { extractUrl, type UrlRefusal } from "../../lib/url_guard.ts";
import { localTimeOf, parseWhen, type WhenRefusal } from "../../lib/when.ts";
import { timezoneOf } from "../../services/account.ts";
import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";
import { renderScheduled, renderScheduleList } from "../../views/schedules.ts";

export const scheduleFeature = new FeatureComposer<BotContext>();
const privateChats = scheduleFeature.chatType("private");

/** how far ahead a download may be scheduled */
const SCHEDULE_HORIZON_DAYS = 30;
const MAX_SCHEDULES_PER_USER = 20;

const ID = "[0-9A-Z]{26}";

const URL_REFUSALS: Record<UrlRefusal, string> = {
  not_a_url: "error-bad-link",
  bad_scheme: "error-bad-link",
  credentials: "error-bad-link",
  too_long: "error-bad-link",
  private_address: "error-private-link",
  unresolvable: "error-unresolvable",
};

const WHEN_REFUSALS: Record<WhenRefusal, string> = {
  unparsed: "schedule-unparsed",
  past: "schedule-past",
  too_far: "schedule-too-far",
};

privateChats.command("schedule", async (ctx) => {
  const raw = extractUrl(ctx.match);
  const when = raw ? ctx.match.replace(raw, " ").trim() : "";
  if (!raw || !when) {
    await ctx.reply(ctx.t("schedule-usage"), { parse_mode: "HTML" });
    return;
  }
  const { urlGuard, kv, config } = ctx.deps;
  const checked = await urlGuard.check(raw);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSALS[checked.reason]));
    return;
  }
  const locale = ctx.i18n.getLocale();
  const timezone = timezoneOf(config, ctx.user);
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
    await ctx.reply(text, { parse_mode: "HTML" });
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
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  });
});

privateChats.command("schedules", async (ctx) => {
  const locale = ctx.i18n.getLocale();
  const { text, keyboard } = await loadScheduleList(ctx, locale);
  await ctx.reply(text, {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  });
});

/** sc:x:<id> cancels from the confirmation; sc:l:<id> from the list, which is shown again. */
privateChats.callbackQuery(new RegExp(`^sc:([xl]):(${ID})$`), async (ctx) => {
  const [, from, id] = ctx.match;
  const cancelled = await deleteSchedule(ctx.deps.kv, id, ctx.from.id);
  await ctx.answerCallbackQuery(ctx.t(cancelled ? "schedule-cancelled" : "schedule-gone"));
  if (from === "x") {
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    if (cancelled) await ctx.reply(ctx.t("schedule-cancelled"));
    return;
  }
  const { text, keyboard } = await loadScheduleList(ctx, ctx.i18n.getLocale());
  await ctx.editMessageText(text, {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard,
  }).catch(() => {});
});

async function loadScheduleList(ctx: BotContext, locale: string) {
  const schedules = await listSchedulesByUser(ctx.deps.kv, ctx.from!.id, MAX_SCHEDULES_PER_USER);
  return renderScheduleList(ctx.t, locale, schedules);
}
