/** "⚙️ Compress…" on a preview: the button opens into the low/medium/high presets, in place. */
import { Composer } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { getPreview } from "../../kv/previews.ts";
import type { BotContext } from "../context.ts";
import { presetButtons } from "../views.ts";

export const qualityFeature = new Composer<BotContext>();

qualityFeature.callbackQuery(/^cz:([0-9A-Z]{26})$/, async (ctx) => {
  const [data, previewId] = ctx.match;
  const preview = await getPreview(ctx.deps.kv, previewId);
  if (!preview) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  if (preview.userId !== ctx.from.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-not-yours"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  // only this button changes: the rest of the keyboard (other features' buttons) stays as it is
  const rows = ctx.callbackQuery.message?.reply_markup?.inline_keyboard ?? [];
  const opened: InlineKeyboardButton[][] = rows.map((row) =>
    row.flatMap((button) =>
      "callback_data" in button && button.callback_data === data
        ? presetButtons(ctx.t, previewId)
        : [button]
    )
  );
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: opened } });
});
