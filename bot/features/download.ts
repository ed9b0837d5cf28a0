/** Choosing a quality on a preview: a cache hit is sent at once, otherwise a download job starts. */
import { Composer, InlineKeyboard } from "grammy";
import { getPreview } from "../../kv/previews.ts";
import { addHistoryEntry } from "../../kv/history.ts";
import type { Variant } from "../../workers/media_types.ts";
import type { BotContext } from "../context.ts";
import { isStaleFileId, sendCachedFile } from "../delivery.ts";
import { renderFileCaption, renderProgress } from "../views.ts";

export const downloadFeature = new Composer<BotContext>();

const VARIANTS = new Set<Variant>(["best", "1080", "720", "480", "360", "audio"]);

export function cancelKeyboard(label: string) {
  return new InlineKeyboard().text(label, "cx");
}

downloadFeature.callbackQuery(/^pv:([0-9A-Z]{26}):close$/, async (ctx) => {
  await ctx.answerCallbackQuery(ctx.t("preview-cancelled"));
  await ctx.deleteMessage().catch(() => {});
});

downloadFeature.callbackQuery(/^dl:([0-9A-Z]{26}):(\w+)$/, async (ctx) => {
  const [, previewId, variantText] = ctx.match;
  const variant = variantText as Variant;
  const { kv, media, queue, config } = ctx.deps;
  const preview = VARIANTS.has(variant) ? await getPreview(kv, previewId) : null;
  if (!preview) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  if (preview.userId !== ctx.from.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-not-yours"), show_alert: true });
    return;
  }
  const { info } = preview;
  const chatId = ctx.chat?.id ?? ctx.from.id;
  const caption = renderFileCaption(info, ctx.me.username);
  const cached = await media.getFile(info, variant);
  if (cached) {
    await ctx.answerCallbackQuery(ctx.t("download-cached"));
    try {
      await sendCachedFile(ctx.api, chatId, cached, caption);
      await addHistoryEntry(kv, {
        userId: ctx.from.id,
        title: info.title,
        url: preview.url,
        kind: cached.kind,
        variant,
        size: cached.size,
        extractor: info.extractor,
        mediaId: info.id,
        fromCache: true,
      });
      return;
    } catch (error) {
      if (!isStaleFileId(error)) throw error;
      await media.forgetFile(info, variant);
    }
  } else {
    await ctx.answerCallbackQuery(ctx.t("download-started"));
  }
  const locale = await ctx.i18n.getLocale();
  const status = await ctx.reply(renderProgress(ctx.t, locale, info.title, { phase: "queued" }), {
    parse_mode: "HTML",
    reply_markup: cancelKeyboard(ctx.t("button-stop")),
  });
  await queue.enqueue({
    userId: ctx.from.id,
    chatId,
    payload: {
      kind: "download",
      url: preview.url,
      variant,
      info,
      lang: locale,
      statusMessageId: status.message_id,
      uploadChatId: config.storageChatId ?? chatId,
      caption,
      title: info.title,
      performer: info.uploader,
    },
  });
});

/** The Cancel button of a status message stops the job that message follows. */
downloadFeature.callbackQuery("cx", async (ctx) => {
  const messageId = ctx.callbackQuery.message?.message_id;
  const jobs = await ctx.deps.queue.listActiveByUser(ctx.from.id);
  const job = jobs.find((j) => j.payload.statusMessageId === messageId);
  if (!job) {
    await ctx.answerCallbackQuery(ctx.t("download-nothing-to-cancel"));
    return;
  }
  await ctx.deps.jobs.cancel(job.id);
  await ctx.answerCallbackQuery(ctx.t("download-cancelling", { count: 1 }));
});

downloadFeature.command("cancel", async (ctx) => {
  if (!ctx.from) return;
  const jobs = await ctx.deps.queue.listActiveByUser(ctx.from.id);
  if (jobs.length === 0) {
    await ctx.reply(ctx.t("download-nothing-to-cancel"));
    return;
  }
  await Promise.all(jobs.map((job) => ctx.deps.jobs.cancel(job.id)));
  await ctx.reply(ctx.t("download-cancelling", { count: jobs.length }));
});
