/** "Translate title" on a preview whose media is in another language than the user's. */
import { ownPreview } from "../preview_request.ts";
import { contentLanguage, loadLanguageDetection } from "../../media/detect_language.ts";
import { noTranslator, translateOrKeep } from "../../media/translator.ts";
import type { BotContext } from "../context.ts";
import { languageName } from "../../views/subtitles.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { renderTitleTranslation, withoutButton } from "../../views/media.ts";

export const translateFeature = new FeatureComposer<BotContext>();

onCallback(translateFeature, "translateTitle", async (ctx, { previewId }) => {
  const { logger } = ctx.deps;
  // a button sent before the translator was taken away gets the original, with the note
  const translator = ctx.deps.translator ?? noTranslator;
  const preview = await ownPreview(ctx, previewId);
  if (!preview) return;
  const { info } = preview;
  const locale = ctx.i18n.getLocale();
  await loadLanguageDetection();
  const source = contentLanguage(info.title, info.description);
  const outcome = source
    ? await translateOrKeep(translator, [info.title], source, locale, { logger })
    : { texts: [info.title], translated: false };
  await ctx.answerCallbackQuery();
  const previewMessage = ctx.callbackQuery.message;
  const language = source
    ? languageName(ctx.t, locale, { language: source, automatic: false })
    : "?";
  await ctx.reply(renderTitleTranslation(ctx.t, language, outcome), {
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
