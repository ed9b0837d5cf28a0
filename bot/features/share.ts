/**
 * Inline mode: "@bot …" in any chat (services/inline_mode.ts), which "📤 Share" buttons type for
 * the user; the deep links its results carry (/start sh_<token> for a media, /start dl_<token>
 * for a link the bot has no file of); chosen results counted as shares.
 */
import { getShare } from "../../kv/shares.ts";
import { getInlineLink } from "../../kv/inline_links.ts";
import { INLINE_LINK_PAYLOAD_PREFIX, MEDIA_SHARE_PAYLOAD_PREFIX } from "../../lib/links.ts";
import { countShare } from "../../services/shares.ts";
import { answerInline } from "../../services/inline_mode.ts";
import type { BotContext } from "../context.ts";
import { offerPreview } from "../preview_request.ts";
import { FeatureComposer } from "../composer.ts";

export const shareFeature = new FeatureComposer<BotContext>();

// one of our results that the user sent into their chat with the bot: nothing to answer
shareFeature.on("message", async (ctx, next) => {
  if (ctx.msg.via_bot?.id !== ctx.me.id) await next();
});

shareFeature.on("inline_query", async (ctx) => {
  await answerInline(ctx.deps, {
    userId: ctx.from.id,
    query: ctx.inlineQuery.query,
    offset: ctx.inlineQuery.offset,
    t: ctx.t,
    botUsername: ctx.me.username,
    answer: (results, options) => ctx.answerInlineQuery(results, options),
  });
});

shareFeature.on("chosen_inline_result", async (ctx) => {
  await countShare(ctx.deps, ctx.from.id, ctx.chosenInlineResult.result_id);
});

shareFeature.command("start", async (ctx, next) => {
  const payload = ctx.match.trim();
  if (payload.startsWith(MEDIA_SHARE_PAYLOAD_PREFIX)) {
    const share = await getShare(ctx.deps.kv, payload.slice(MEDIA_SHARE_PAYLOAD_PREFIX.length));
    if (share) await offerPreview(ctx, share.media.webpageUrl);
    else await ctx.reply(ctx.t("share-expired"));
    return;
  }
  if (payload.startsWith(INLINE_LINK_PAYLOAD_PREFIX)) {
    const token = payload.slice(INLINE_LINK_PAYLOAD_PREFIX.length);
    const link = await getInlineLink(ctx.deps.kv, token);
    // offerPreview checks the link with the URL guard again
    if (link) await offerPreview(ctx, link);
    else await ctx.reply(ctx.t("share-expired"));
    return;
  }
  await next();
});
