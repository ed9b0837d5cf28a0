/**
 * Batches of links: /batch link1 link2 …, a .txt file with one link per line, or a playlist or
 * channel link ("Download all N" once it is listed). /cancel also stops a batch's waiting links.
 */
import { getPreview } from "../../kv/previews.ts";
import { formatBytes } from "../../lib/format.ts";
import { batchLimitsFor } from "../../services/batch_downloads.ts";
import type { BotContext } from "../context.ts";
import { queueForSender } from "../job_requests.ts";
import { FeatureComposer } from "../composer.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";
import { onCallback } from "../callbacks.ts";
import type { CallbackQueryContext } from "grammy";
import { downloadDocumentText } from "../documents.ts";

export const batchFeature = new FeatureComposer<BotContext>();
const privateChats = batchFeature.chatType("private");

/** a links file larger than this is not a list of links */
const LINKS_FILE_MAX_BYTES = 64 * 1024;
const URLS = /\bhttps?:\/\/[^\s<>"']+/gi;

privateChats.command("batch", async (ctx) => {
  const urls = [...(ctx.match.match(URLS) ?? [])].map((url) => url.replace(/[.,;:!?)\]]+$/, ""));
  if (urls.length === 0) {
    await ctx.reply(ctx.t("batch-usage"));
    return;
  }
  if (urls.length === 1) {
    await listPlaylist(ctx, urls[0]);
    return;
  }
  await startLinks(ctx, urls, (count) => ctx.t("batch-title-links", { count }));
});

privateChats.on("message:document", async (ctx, next) => {
  const document = ctx.message.document;
  const name = document.file_name ?? "links.txt";
  if (document.mime_type !== "text/plain" && !/\.txt$/i.test(name)) return await next();
  const tooLarge = ctx.t("batch-file-too-large", {
    max: formatBytes(LINKS_FILE_MAX_BYTES, ctx.i18n.getLocale()),
  });
  if ((document.file_size ?? 0) > LINKS_FILE_MAX_BYTES) {
    await ctx.reply(tooLarge);
    return;
  }
  const text = await downloadDocumentText(ctx, LINKS_FILE_MAX_BYTES);
  if (text === undefined) {
    await ctx.reply(tooLarge);
    return;
  }
  const urls = text.split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((word) => /^https?:\/\//i.test(word));
  if (urls.length === 0) {
    await ctx.reply(ctx.t("batch-file-empty"));
    return;
  }
  await startLinks(ctx, urls, () => name);
});

/** "📚 All N" on a preview whose link is a playlist. */
onCallback(privateChats, "batchList", async (ctx, { previewId }) => {
  const preview = await getPreview(ctx.deps.kv, previewId);
  if (!preview || preview.userId !== ctx.from.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await listPlaylist(ctx, preview.url);
});

/** The answer to "Download all N?", for the listing job's result. */
onCallback(privateChats, "batchStart", (ctx, { jobId }) => answerOffer(ctx, jobId, true));
onCallback(privateChats, "batchDecline", (ctx, { jobId }) => answerOffer(ctx, jobId, false));

async function answerOffer(
  ctx: CallbackQueryContext<BotContext>,
  jobId: string,
  accepted: boolean,
) {
  const { queue, jobs } = ctx.deps;
  const job = await queue.get(jobId);
  const result = job?.state === "done" && job.userId === ctx.from.id ? job.result : undefined;
  // the keyboard goes first, so a second press finds nothing to start
  const removed = await ctx.editMessageReplyMarkup({ reply_markup: undefined }).then(
    () => true,
    () => false,
  );
  if (!job || result?.kind !== "playlist_entries" || !removed) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery(accepted ? ctx.t("download-started") : ctx.t("preview-cancelled"));
  if (accepted) await jobs.batchDownloads.startListing(job, result);
}

/** Before the download feature's /cancel, which then cancels the running jobs. */
privateChats.command("cancel", async (ctx, next) => {
  const dropped = await ctx.deps.jobs.batchDownloads.cancelForUser(ctx.from.id);
  if (dropped > 0) await ctx.reply(ctx.t("batch-cancelled-waiting", { count: dropped }));
  await next();
});

async function startLinks(
  ctx: BotContext,
  urls: string[],
  title: (count: number) => string,
): Promise<void> {
  const { batchDownloads } = ctx.deps.jobs;
  const { maxItems } = batchLimitsFor(ctx.user);
  const candidates = [...new Set(urls)];
  if (candidates.length > maxItems) {
    await ctx.reply(ctx.t("batch-capped", { count: maxItems, total: candidates.length }));
  }
  const { entries, refused } = await batchDownloads.checkLinks(candidates.slice(0, maxItems));
  // checked links are normalized: "HTTP://Site/a" and "http://site/a" are one download
  const unique = [...new Map(entries.map((entry) => [entry.url, entry])).values()];
  await batchDownloads.start({
    userId: ctx.from!.id,
    chatId: ctx.chat!.id,
    lang: ctx.i18n.getLocale(),
    title: title(unique.length + refused.length),
    entries: unique,
    refused,
  });
}

/** A link that may be a playlist: listed by a worker, then offered (services/batch_downloads.ts). */
async function listPlaylist(ctx: BotContext, url: string): Promise<void> {
  const checked = await ctx.deps.urlGuard.check(url);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  await queueForSender(ctx, {
    chatId: ctx.chat!.id,
    priority: 1, // quick, and the user is waiting on it
    payload: {
      kind: "expand",
      url: checked.url.href,
      lang: ctx.i18n.getLocale(),
      maxEntries: batchLimitsFor(ctx.user).maxItems,
    },
    statusMessage: async () => (await ctx.reply(ctx.t("batch-listing"))).message_id,
  });
}
