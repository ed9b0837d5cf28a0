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
import { downloadDocumentText } from "../documents.ts";

export const batchFeature = new FeatureComposer<BotContext>();
const privateChats = batchFeature.chatType("private");

/** a links file larger than this is not a list of links */
export const LINKS_FILE_MAX_BYTES = 64 * 1024;
const URLS = /\bhttps?:\/\/[^\s<>"']+/gi;
const ID = "[0-9A-Z]{26}";

privateChats.command("batch", async (ctx) => {
  const urls = [...(ctx.match.match(URLS) ?? [])].map((url) => url.replace(/[.,;:!?)\]]+$/, ""));
  if (urls.length === 0) {
    await ctx.reply(ctx.t("batch-usage"), { parse_mode: "HTML" });
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
    await ctx.reply(ctx.t("batch-file-empty"), { parse_mode: "HTML" });
    return;
  }
  await startLinks(ctx, urls, () => name);
});

/** "📚 All N" on a preview whose link is a playlist. */
privateChats.callbackQuery(new RegExp(`^px:(${ID})$`), async (ctx) => {
  const preview = await getPreview(ctx.deps.kv, ctx.match[1]);
  if (!preview || preview.userId !== ctx.from.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await listPlaylist(ctx, preview.url);
});

/** The answer to "Download all N?": bx:<expand job id>, or bx:<id>:x to decline. */
privateChats.callbackQuery(new RegExp(`^bx:(${ID})(:x)?$`), async (ctx) => {
  const [, jobId, declined] = ctx.match;
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
  await ctx.answerCallbackQuery(declined ? ctx.t("preview-cancelled") : ctx.t("download-started"));
  if (!declined) await jobs.batchDownloads.startListing(job, result);
});

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
    await ctx.reply(ctx.t("error-bad-link"));
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
