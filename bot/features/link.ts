/** A message with a link becomes a preview (from cache) or a probe job. */
import { Composer } from "grammy";
import { extractUrl, type UrlRefusal } from "../../lib/url_guard.ts";
import type { BotContext } from "../context.ts";
import { sendPreview } from "../delivery.ts";

export const linkFeature = new Composer<BotContext>();

export const REFUSAL_MESSAGES: Record<UrlRefusal, string> = {
  not_a_url: "error-bad-link",
  bad_scheme: "error-bad-link",
  credentials: "error-bad-link",
  too_long: "error-bad-link",
  private_address: "error-private-link",
  unresolvable: "error-unresolvable",
};

linkFeature.chatType("private").on(["message:text", "message:caption"], async (ctx) => {
  const text = ctx.message.text ?? ctx.message.caption;
  const entities = ctx.message.entities ?? ctx.message.caption_entities;
  const raw = extractUrl(text, entities);
  if (!raw) {
    await ctx.reply(ctx.t("error-no-link"));
    return;
  }
  const { urlGuard, media, queue, kv } = ctx.deps;
  const checked = await urlGuard.check(raw);
  if (!checked.ok) {
    await ctx.reply(ctx.t(REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const url = checked.url.href;
  const locale = await ctx.i18n.getLocale();
  const cached = await media.getProbe(url);
  if (cached) {
    await sendPreview(
      {
        api: ctx.api,
        kv,
        urlGuard,
        t: ctx.t,
        locale,
        userId: ctx.from.id,
        chatId: ctx.chat.id,
        replyToMessageId: ctx.message.message_id,
        preview: { preferAudio: ctx.user?.prefs.preferAudio },
        config: ctx.deps.config,
      },
      url,
      cached,
    );
    return;
  }
  const status = await ctx.reply(ctx.t("preview-analyzing"), {
    reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
  });
  await queue.enqueue({
    userId: ctx.from.id,
    chatId: ctx.chat.id,
    priority: 1, // probes are quick and a user is waiting on them
    payload: {
      kind: "probe",
      url,
      lang: locale,
      preferAudio: ctx.user?.prefs.preferAudio,
      statusMessageId: status.message_id,
      replyToMessageId: ctx.message.message_id,
    },
  });
});
