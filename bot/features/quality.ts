/** "⚙️ Compress…" on a preview: the button opens into the low/medium/high presets, in place. */
import { ownPreview } from "../preview_request.ts";
import type { BotContext } from "../context.ts";
import { withPresetsOpened } from "../../views/media.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";

export const qualityFeature = new FeatureComposer<BotContext>();

onCallback(qualityFeature, "compressOpen", async (ctx, { previewId }) => {
  const data = ctx.callbackQuery.data;
  const preview = await ownPreview(ctx, previewId);
  if (!preview) return;
  await ctx.answerCallbackQuery();
  // only this button changes: the rest of the keyboard (other features' buttons) stays as it is
  const rows = ctx.callbackQuery.message?.reply_markup?.inline_keyboard ?? [];
  const opened = withPresetsOpened(ctx.t, rows, data, previewId);
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: opened } });
});
