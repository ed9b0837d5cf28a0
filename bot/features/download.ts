/** Choosing a quality on a preview: a cache hit is sent at once, otherwise a download job starts. */
import { ownPreview } from "../preview_request.ts";
import { recordChoice } from "../../kv/choices.ts";
import type { BotContext } from "../context.ts";
import { requestDownload } from "../../services/download_request.ts";
import { renderProgress } from "../../views/media.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { cancelKeyboard } from "../../views/media.ts";
import { refuseRequest } from "../job_requests.ts";

export const downloadFeature = new FeatureComposer<BotContext>();

onCallback(downloadFeature, "previewClose", async (ctx, { previewId }) => {
  // in a group, only the one who asked may close it
  if (!await ownPreview(ctx, previewId)) return;
  await ctx.answerCallbackQuery(ctx.t("preview-cancelled"));
  await ctx.deleteMessage().catch(() => {});
});

onCallback(downloadFeature, "download", async (ctx, { previewId, variant }) => {
  const { kv } = ctx.deps;
  const preview = await ownPreview(ctx, previewId);
  if (!preview) return;
  const { info } = preview;
  const requestKey = `cb:${ctx.callbackQuery.id}`;
  ctx.deps.events.emit({
    type: "download_requested",
    userId: ctx.from.id,
    key: requestKey,
    extractor: info.extractor,
    variant,
  });
  await recordChoice(kv, {
    userId: ctx.from.id,
    extractor: info.extractor,
    durationSeconds: info.duration,
    variant,
  });
  const chatId = ctx.chat?.id ?? ctx.from.id;
  let answered = false;
  const started = await requestDownload(ctx.deps, {
    api: ctx.api,
    userId: ctx.from.id,
    user: ctx.user,
    chatId,
    lang: ctx.i18n.getLocale(),
    t: ctx.t,
    botUsername: ctx.me.username,
    url: preview.url,
    info,
    variant,
    key: requestKey,
    replyToMessageId: preview.replyToMessageId,
  }, {
    source: "preview",
    onCached: async () => {
      answered = true;
      await ctx.answerCallbackQuery(ctx.t("download-cached"));
    },
    statusMessage: async () => {
      // a press delivered twice and handled at once is answered by whichever comes first
      if (!answered) await ctx.answerCallbackQuery(ctx.t("download-started")).catch(() => {});
      answered = true;
      const locale = ctx.i18n.getLocale();
      const text = renderProgress(ctx.t, locale, info.title, { phase: "queued" });
      const status = await ctx.reply(text, {
        reply_markup: cancelKeyboard(ctx.t("button-stop")),
      });
      return status.message_id;
    },
  });
  if (started.kind === "refused") await refuseRequest(ctx, started.timezone, started.refusal);
  // a press Telegram delivered again: its download is under way, the spinner can stop
  else if (!answered) await ctx.answerCallbackQuery().catch(() => {});
});

/** The Cancel button of a status message stops the job that message follows. */
onCallback(downloadFeature, "jobCancel", async (ctx) => {
  const message = ctx.callbackQuery.message;
  const jobs = await ctx.deps.queue.listActiveByUser(ctx.from.id);
  // message ids are per chat: the presser's job must follow this very message
  const job = message &&
    jobs.find((j) =>
      j.chatId === message.chat.id && j.payload.statusMessageId === message.message_id
    );
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
