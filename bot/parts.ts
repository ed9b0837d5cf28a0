/** Resending the parts of a split download that Telegram already has. */
import type { SendMode } from "../kv/media.ts";
import { addHistoryEntry, mediaLabels } from "../kv/history.ts";
import type { Preview } from "../kv/previews.ts";
import type { BotContext } from "./context.ts";
import { isStaleFileId, sendCachedParts } from "../services/delivery.ts";

/**
 * A split delivered before: its parts again, charged to the quota like any cache hit. False when
 * there is nothing usable to resend (then the caller downloads, or refuses over quota).
 */
export async function resendSplit(
  ctx: BotContext & { from: { id: number } },
  preview: Preview,
  caption: string,
  user: { sendAs: SendMode; timezone: string; limit: number },
): Promise<boolean> {
  const { kv, media, quota } = ctx.deps;
  const { info } = preview;
  const parts = await media.getParts(info, user.sendAs);
  if (!parts) return false;
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const key = `cb:${ctx.callbackQuery!.id}`;
  const charged = await quota.charge(ctx.from.id, user.timezone, user.limit, size, key);
  if (!charged.ok) return false;
  // Telegram delivered this press again: the parts went with the first
  if (charged.duplicate) return true;
  const chatId = ctx.chat?.id ?? ctx.from.id;
  try {
    await sendCachedParts(ctx.api, chatId, parts, caption, ctx.t("quality-part"));
  } catch (error) {
    await quota.refund(ctx.from.id, user.timezone, charged.charge);
    if (!isStaleFileId(error)) throw error;
    await media.forgetParts(info, user.sendAs);
    return false;
  }
  // answered once sent: a stale part leaves the query to the download that follows
  await ctx.answerCallbackQuery(ctx.t("download-cached"));
  const entry = await addHistoryEntry(kv, {
    userId: ctx.from.id,
    title: info.title,
    url: preview.url,
    kind: parts[0].kind,
    variant: "split",
    size,
    extractor: info.extractor,
    mediaId: info.id,
    webpageUrl: info.webpageUrl,
    fromCache: true,
    ...mediaLabels(info),
  }, key);
  if (entry) {
    ctx.deps.events.emit({
      type: "download_delivered",
      userId: ctx.from.id,
      key,
      entry,
      chatId,
      lang: ctx.i18n.getLocale(),
    });
  }
  return true;
}
