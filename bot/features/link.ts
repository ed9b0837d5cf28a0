/** A message with a link becomes a preview (from cache) or a probe job. */
import { extractUrl } from "../../lib/url_guard.ts";
import type { BotContext } from "../context.ts";
import { offerPreview } from "../preview_request.ts";
import { FeatureComposer } from "../composer.ts";

export const linkFeature = new FeatureComposer<BotContext>();

linkFeature.chatType("private").on(["message:text", "message:caption"], async (ctx) => {
  const text = ctx.message.text ?? ctx.message.caption;
  const entities = ctx.message.entities ?? ctx.message.caption_entities;
  const raw = extractUrl(text, entities);
  if (!raw) {
    await ctx.reply(ctx.t("error-no-link"));
    return;
  }
  await offerPreview(ctx, raw, ctx.message.message_id);
});
