/** "Translate title" on a preview whose media is in another language than the user's. */
import { ownPreview } from "../preview_request.ts";
import type { InlineKeyboardButton } from "grammy/types";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { contentLanguage } from "../../media/detect_language.ts";
import { translateOrKeep } from "../../media/translator.ts";
import type { BotContext } from "../context.ts";
import { languageName } from "../../views/subtitles.ts";
import { FeatureComposer } from "../composer.ts";

export const translateFeature = new FeatureComposer<BotContext>();

translateFeature.callbackQuery(/^tt:([0-9A-Z]{26})$/, async (ctx) => {
  const { translator, logger } = ctx.deps;
  const preview = await ownPreview(ctx, ctx.match[1]);
  if (!preview) return;
  const { info } = preview;
  const locale = ctx.i18n.getLocale();
  const source = contentLanguage(info.title, info.description);
  const outcome = source
    ? await translateOrKeep(translator, [info.title], source, locale, { logger })
    : { texts: [info.title], translated: false };
  await ctx.answerCallbackQuery();
  const language = source
    ? languageName(ctx.t, locale, { language: source, automatic: false })
    : "?";
  const lines = [
    ctx.t("translate-title", { language: escapeHtml(language) }),
    `<b>${escapeHtml(truncate(outcome.texts[0], 500))}</b>`,
  ];
  if (!outcome.translated) lines.push("", ctx.t("translate-failed"));
  const previewMessage = ctx.callbackQuery.message;
  await ctx.reply(lines.join("\n"), {
    parse_mode: "HTML",
    ...(previewMessage
      ? {
        reply_parameters: {
          message_id: previewMessage.message_id,
          allow_sending_without_reply: true,
        },
      }
      : {}),
  });
  // the translation is there now: the button has done its job
  const rows = previewMessage?.reply_markup?.inline_keyboard;
  if (rows) {
    await ctx.editMessageReplyMarkup({
      reply_markup: { inline_keyboard: withoutButton(rows, ctx.callbackQuery.data) },
    }).catch((error) => logger.warn("could not remove the translate button", { error }));
  }
});

function withoutButton(
  rows: InlineKeyboardButton[][],
  data: string,
): InlineKeyboardButton[][] {
  return rows
    .map((row) =>
      row.filter((button) => !("callback_data" in button) || button.callback_data !== data)
    )
    .filter((row) => row.length > 0);
}
