/** /recommend: media picked from the user's downloads, each with its reason and a download button. */
import { listRecentHistory } from "../../kv/history.ts";
import {
  getRecommendationList,
  mediaKeyOf,
  saveRecommendationList,
} from "../../kv/recommendation_index.ts";
import { recommendFor } from "../../services/recommendations.ts";
import type { BotContext } from "../context.ts";
import { redeliver } from "../redeliver.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { renderRecommendations } from "../../views/recommendations.ts";

export const recommendationsFeature = new FeatureComposer<BotContext>();

const RECOMMENDATIONS_SHOWN = 6;
/** media downloaded before the index existed are excluded through the recent history */
const HISTORY_EXCLUDED = 200;

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
  const { text, keyboard } = renderRecommendations(ctx.t, list.id, recommendations);
  await ctx.reply(text, {
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

recommendationsFeature.command("recommend", replyWithRecommendations);
onCallback(recommendationsFeature, "menuRecommend", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithRecommendations(ctx);
});

onCallback(recommendationsFeature, "recommendationSend", async (ctx, { listId, index }) => {
  const list = await getRecommendationList(ctx.deps.kv, listId);
  const item = list?.userId === ctx.from.id ? list.items[index] : undefined;
  if (!item) {
    await ctx.answerCallbackQuery({ text: ctx.t("recommend-expired"), show_alert: true });
    return;
  }
  await redeliver(ctx, item, "recommendation");
});
