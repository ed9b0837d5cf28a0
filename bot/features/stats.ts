/** /stats: the user's last 30 days as a chart (per day by kind, top sites) and a short summary. */
import { InputFile } from "grammy";
import { listHistorySince } from "../../kv/history.ts";
import {
  CHART_DAYS,
  renderPng,
  renderStatsChart,
  summarizeActivity,
} from "../../views/stats_chart.ts";
import type { BotContext } from "../context.ts";
import { timezoneOf } from "../../services/account.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { renderStatsCaption } from "../../views/stats_chart.ts";
import { showChatAction } from "../../services/chat_actions.ts";

export const statsFeature = new FeatureComposer<BotContext>();

async function replyWithStats(ctx: BotContext) {
  if (!ctx.from) return;
  const { kv, config, logger } = ctx.deps;
  const now = Date.now();
  const timezone = timezoneOf(config, ctx.user);
  const locale = ctx.i18n.getLocale();
  // one day more than the chart covers, so the oldest local day is complete in any time zone
  const entries = await listHistorySince(kv, ctx.from.id, now - (CHART_DAYS + 1) * 86_400_000);
  const summary = summarizeActivity(entries, now, timezone);
  const caption = renderStatsCaption(ctx.t, locale, summary);
  let png: Uint8Array;
  try {
    const drawing = showChatAction(
      { kv, api: ctx.api, logger },
      ctx.chat?.id ?? ctx.from.id,
      "upload_photo",
    );
    [png] = await Promise.all([renderPng(renderStatsChart(ctx.t, locale, summary)), drawing]);
  } catch (error) {
    // the summary alone still answers the question
    logger.warn("stats chart could not be drawn", { error });
    await ctx.reply(caption);
    return;
  }
  await ctx.replyWithPhoto(new InputFile(png, "stats.png"), { caption });
}

statsFeature.command("stats", replyWithStats);
onCallback(statsFeature, "menuStats", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithStats(ctx);
});
