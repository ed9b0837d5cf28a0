/**
 * Asking again for media someone already downloaded (from /history or /recommend): the file
 * Telegram already has is sent by its file_id, charged to the quota and recorded like any cache
 * hit; when the cache no longer has it, the link's preview is shown instead.
 */
import { addHistoryEntry, type HistoryEntry, mediaOfEntry } from "../kv/history.ts";
import type { SendMode } from "../kv/media.ts";
import type { RequestSource } from "../services/events.ts";
import { quotaLimit, timezoneOf } from "../services/account.ts";
import type { BotContext } from "./context.ts";
import { isStaleFileId, sendCachedFile } from "../services/delivery.ts";
import { refuseRequest } from "./features/download.ts";
import { offerPreview } from "./preview_request.ts";
import { renderFileCaption } from "../views/media.ts";

/** What is known of a download without probing its link again. */
export type StoredMedia = Pick<
  HistoryEntry,
  | "extractor"
  | "mediaId"
  | "webpageUrl"
  | "variant"
  | "kind"
  | "title"
  | "url"
  | "uploader"
  | "tags"
  | "categories"
>;

/** Sends the stored file, or its link's preview; answers the callback query either way. */
export async function redeliver(
  ctx: BotContext,
  stored: StoredMedia,
  source: RequestSource,
): Promise<void> {
  const { media, quota, config, kv, events } = ctx.deps;
  const userId = ctx.from!.id;
  const chatId = ctx.chat?.id ?? userId;
  const callbackId = ctx.callbackQuery!.id;
  const key = `cb:${callbackId}`;
  const ref = mediaOfEntry(stored);
  events.emit({
    type: "download_requested",
    userId,
    key,
    extractor: stored.extractor,
    variant: stored.variant,
    source,
  });
  // the user's current choice first, then the way it was sent before
  const preferred: SendMode = ctx.user?.prefs.sendAs ?? "video";
  const modes = [...new Set<SendMode>([preferred, stored.kind === "document" ? "file" : "video"])];
  for (const mode of modes) {
    const cached = await media.getFile(ref, stored.variant, mode);
    if (!cached) continue;
    const timezone = timezoneOf(config, ctx.user);
    const limit = quotaLimit(config, ctx.user);
    const charged = await quota.charge(userId, timezone, limit, cached.size, key);
    if (!charged.ok) {
      await refuseRequest(ctx, timezone, charged.refusal);
      return;
    }
    // Telegram delivered this press again: the file went with the first
    if (charged.duplicate) return;
    await ctx.answerCallbackQuery(ctx.t("download-cached"));
    try {
      const caption = renderFileCaption(
        { title: stored.title, webpageUrl: stored.url },
        ctx.me.username,
      );
      await sendCachedFile(ctx.api, chatId, cached, caption);
    } catch (error) {
      await quota.refund(userId, timezone, charged.charge);
      if (!isStaleFileId(error)) throw error;
      await media.forgetFile(ref, stored.variant, mode);
      continue;
    }
    events.emit({ type: "cache_hit", userId, key, extractor: stored.extractor, source });
    const entry = await addHistoryEntry(kv, {
      userId,
      title: stored.title,
      url: stored.url,
      kind: cached.kind,
      variant: stored.variant,
      size: cached.size,
      extractor: stored.extractor,
      mediaId: stored.mediaId,
      webpageUrl: ref.webpageUrl,
      fromCache: true,
      uploader: stored.uploader,
      tags: stored.tags,
      categories: stored.categories,
    }, key);
    if (entry) {
      events.emit({
        type: "download_delivered",
        userId,
        key,
        entry,
        chatId,
        lang: ctx.i18n.getLocale(),
      });
    }
    return;
  }
  await ctx.answerCallbackQuery().catch(() => {});
  await offerPreview(ctx, stored.url);
}
