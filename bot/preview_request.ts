/** A link the user wants to look at: checked, then previewed from the probe cache or probed. */
import { URL_REFUSAL_MESSAGES } from "../views/refusals.ts";
import type { BotContext } from "./context.ts";
import { sendPreview } from "../services/previews.ts";
import { getPreview, type Preview } from "../kv/previews.ts";
import { queueForSender } from "./job_requests.ts";

/** The link's preview, from the probe cache or a probe job; the link is checked again first. */
export async function offerPreview(
  ctx: BotContext,
  rawUrl: string,
  replyToMessageId?: number,
): Promise<void> {
  const { urlGuard, media, kv } = ctx.deps;
  const userId = ctx.from!.id;
  const chatId = ctx.chat?.id ?? userId;
  const checked = await urlGuard.check(rawUrl);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const url = checked.url.href;
  const locale = ctx.i18n.getLocale();
  const preferAudio = ctx.user?.prefs.preferAudio;
  const info = await media.getProbe(url);
  if (info) {
    await sendPreview(
      {
        api: ctx.api,
        kv,
        urlGuard,
        t: ctx.t,
        locale,
        userId,
        chatId,
        replyToMessageId,
        preview: { preferAudio, offerTranslation: ctx.deps.translator !== undefined },
        advice: ctx.deps,
      },
      url,
      info,
    );
    return;
  }
  await queueForSender(ctx, {
    chatId,
    priority: 1, // probes are quick and a user is waiting on them
    payload: { kind: "probe", url, lang: locale, preferAudio, replyToMessageId },
    statusMessage: async () => {
      const status = await ctx.reply(ctx.t("preview-analyzing"), {
        ...(replyToMessageId
          ? {
            reply_parameters: { message_id: replyToMessageId, allow_sending_without_reply: true },
          }
          : {}),
      });
      return status.message_id;
    },
  });
}

/** The preview a button belongs to, if it still exists and is the presser's; otherwise says why. */
export async function ownPreview(ctx: BotContext, previewId: string): Promise<Preview | null> {
  const preview = await getPreview(ctx.deps.kv, previewId);
  if (!preview) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return null;
  }
  if (preview.userId !== ctx.from?.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-not-yours"), show_alert: true });
    return null;
  }
  return preview;
}
