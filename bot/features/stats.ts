/** /stats: the user's last 30 days as a chart (per day by kind, top sites) and a short summary. */
import { InputFile } from "grammy";
import { listHistorySince } from "../../kv/history.ts";
import { escapeHtml, formatBytes } from "../../lib/format.ts";
import {
  CHART_DAYS,
  renderActivitySvg,
  renderPng,
  summarizeActivity,
} from "../../services/stats_chart.ts";
import type { BotContext } from "../context.ts";
import { timezoneOf } from "../../services/account.ts";
import { FeatureComposer } from "../composer.ts";

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
  const dayFormat = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  const formatDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));
  const lines = [
    ctx.t("stats-title"),
    ctx.t("stats-summary", {
      downloads: summary.downloads,
      bytes: formatBytes(summary.bytes, locale),
      videos: summary.byKind.video,
      audio: summary.byKind.audio,
      files: summary.byKind.document,
    }),
  ];
  if (summary.busiest) {
    const count = Object.values(summary.busiest.counts).reduce((a, b) => a + b, 0);
    lines.push(ctx.t("stats-busiest", { day: formatDay(summary.busiest.day), count }));
  }
  if (summary.sites.length > 0) {
    lines.push(
      ctx.t("stats-top-site", {
        site: escapeHtml(summary.sites[0][0]),
        count: summary.sites[0][1],
      }),
    );
  }
  const caption = lines.join("\n");
  let png: Uint8Array;
  try {
    png = await renderPng(renderActivitySvg(summary, {
      title: ctx.t("stats-chart-title"),
      perDay: ctx.t("stats-chart-per-day"),
      topSites: ctx.t("stats-chart-top-sites"),
      noDownloads: ctx.t("stats-chart-empty"),
      kinds: {
        video: ctx.t("stats-kind-video"),
        audio: ctx.t("stats-kind-audio"),
        document: ctx.t("stats-kind-document"),
      },
      formatDay,
    }));
  } catch (error) {
    // the summary alone still answers the question
    logger.warn("stats chart could not be drawn", { error });
    await ctx.reply(caption, { parse_mode: "HTML" });
    return;
  }
  await ctx.replyWithPhoto(new InputFile(png, "stats.png"), { caption, parse_mode: "HTML" });
}

statsFeature.command("stats", replyWithStats);
statsFeature.callbackQuery("menu:stats", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithStats(ctx);
});
