/** /recommend: media picked from the user's downloads, each with its reason and a download button. */
import { InlineKeyboard } from "grammy";
import { listRecentHistory } from "../../kv/history.ts";
import {
  getRecommendationList,
  mediaKeyOf,
  saveRecommendationList,
} from "../../kv/recommendation_index.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { type Recommendation, recommendFor } from "../../services/recommendations.ts";
import type { BotContext } from "../context.ts";
import type { Translate } from "../../i18n/translations.ts";
import { redeliver } from "../redeliver.ts";
import { FeatureComposer } from "../composer.ts";

export const recommendationsFeature = new FeatureComposer<BotContext>();

export const RECOMMENDATIONS_SHOWN = 6;
/** media downloaded before the index existed are excluded through the recent history */
const HISTORY_EXCLUDED = 200;

export function renderReason(t: Translate, recommendation: Recommendation): string {
  const { reason } = recommendation;
  const because = escapeHtml(truncate(reason.because, 60));
  if (reason.kind === "creator") {
    return t("recommend-reason-creator", {
      creator: escapeHtml(truncate(reason.creator, 60)),
      because,
    });
  }
  if (reason.kind === "label") {
    const label = reason.label.replace(/^(tag|cat):/, "");
    return t("recommend-reason-label", { label: escapeHtml(truncate(label, 40)), because });
  }
  return t("recommend-reason-co-downloaded", { because });
}

async function replyWithRecommendations(ctx: BotContext) {
  if (!ctx.from) return;
  const { kv } = ctx.deps;
  const recent = await listRecentHistory(kv, ctx.from.id, HISTORY_EXCLUDED);
  const recommendations = await recommendFor(kv, ctx.from.id, {
    limit: RECOMMENDATIONS_SHOWN,
    exclude: await Promise.all(recent.map(mediaKeyOf)),
  });
  if (recommendations.length === 0) {
    await ctx.reply(ctx.t(recent.length === 0 ? "recommend-no-history" : "recommend-nothing-yet"));
    return;
  }
  const list = await saveRecommendationList(kv, ctx.from.id, recommendations.map((r) => r.item));
  const lines = [ctx.t("recommend-title"), ""];
  const keyboard = new InlineKeyboard();
  recommendations.forEach((recommendation, i) => {
    const { item } = recommendation;
    lines.push(
      `${i + 1}. <a href="${escapeHtml(item.url)}">${escapeHtml(truncate(item.title, 70))}</a>`,
      `    ${renderReason(ctx.t, recommendation)}`,
      "",
    );
    keyboard.text(
      ctx.t("recommend-button-download", { number: i + 1, title: truncate(item.title, 28) }),
      `rd:${list.id}:${i}`,
    ).row();
  });
  await ctx.reply(lines.join("\n").trimEnd(), {
    parse_mode: "HTML",
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

recommendationsFeature.command("recommend", replyWithRecommendations);
recommendationsFeature.callbackQuery("menu:recommend", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithRecommendations(ctx);
});

recommendationsFeature.callbackQuery(/^rd:([0-9A-Z]{26}):(\d{1,2})$/, async (ctx) => {
  const list = await getRecommendationList(ctx.deps.kv, ctx.match[1]);
  const item = list?.userId === ctx.from.id ? list.items[Number(ctx.match[2])] : undefined;
  if (!item) {
    await ctx.answerCallbackQuery({ text: ctx.t("recommend-expired"), show_alert: true });
    return;
  }
  await redeliver(ctx, item, "recommendation");
});
