/**
 * "📤 Share" through inline mode: the query a Share button types in the chat the user picks, the
 * result they send there, and the deep link (/start sh_<token>) a recipient opens.
 */
import { getShare } from "../../kv/shares.ts";
import { MEDIA_SHARE_PAYLOAD_PREFIX } from "../../lib/links.ts";
import { answerShareQuery, countShare } from "../../services/shares.ts";
import type { BotContext } from "../context.ts";
import { offerPreview } from "../preview_request.ts";
import { FeatureComposer } from "../composer.ts";

export const shareFeature = new FeatureComposer<BotContext>();

/** Short: once the file is in the cache, a new query offers it instead of the deep link. */
const SHARE_CACHE_SECONDS = 10;

// one of our results that the user sent into their chat with the bot: nothing to answer
shareFeature.on("message", async (ctx, next) => {
  if (ctx.msg.via_bot?.id !== ctx.me.id) await next();
});

shareFeature.on("inline_query", async (ctx) => {
  await answerShareQuery(ctx.deps, {
    token: ctx.inlineQuery.query.trim(),
    t: ctx.t,
    botUsername: ctx.me.username,
    answer: (results) =>
      ctx.answerInlineQuery(results, {
        cache_time: SHARE_CACHE_SECONDS,
        is_personal: true,
        // a query that names nothing to share: the way to the bot
        ...(results.length === 0
          ? { button: { text: ctx.t("share-nothing"), start_parameter: "share" } }
          : {}),
      }),
  });
});

shareFeature.on("chosen_inline_result", async (ctx) => {
  await countShare(ctx.deps, ctx.from.id, ctx.chosenInlineResult.result_id);
});

shareFeature.command("start", async (ctx, next) => {
  const payload = ctx.match.trim();
  if (!payload.startsWith(MEDIA_SHARE_PAYLOAD_PREFIX)) return await next();
  const share = await getShare(ctx.deps.kv, payload.slice(MEDIA_SHARE_PAYLOAD_PREFIX.length));
  if (share) await offerPreview(ctx, share.media.webpageUrl);
  else await ctx.reply(ctx.t("share-expired"));
});
