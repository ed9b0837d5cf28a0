/**
 * Delivering media, in one place for every path (a worker's upload, a split's parts, a cache hit
 * on a preview's button, a resend from /history or /recommend, a batch's item):
 * - `recordDelivery`: the history entry and the `download_delivered` event that XP,
 *   recommendations and analytics follow, once per delivery key;
 * - `sendFromCache`: a file (or a split's parts) Telegram already has, charged to the quota; when
 *   Telegram says the file is gone, the charge is refunded, the cache entry forgotten, and the
 *   caller told so it can download or preview instead.
 */
import type { Api } from "grammy";
import type {
  InlineKeyboardMarkup,
  InputMediaDocument,
  InputMediaPhoto,
  InputMediaVideo,
} from "grammy/types";
import { albumGroups } from "../media/albums.ts";
import { addHistoryEntry, type HistoryEntry, mediaLabels } from "../kv/history.ts";
import type { CachedFile, SendMode } from "../kv/media.ts";
import type { QuotaRefusal } from "../kv/quota.ts";
import type { MediaRef } from "../media/media_identity.ts";
import type { MediaKind, ProbeInfo, Variant } from "../media/media_types.ts";
import { DEFAULT_PART_LABEL, partCaption } from "../media/part_caption.ts";
import type { ServiceDeps } from "./deps.ts";
import type { RequestSource } from "./events.ts";
import type { Translate } from "../i18n/translations.ts";
import { deliveredFileKeyboard } from "./shares.ts";
import { isStaleFileId } from "../lib/telegram.ts";
import { withPriority } from "../lib/throttle.ts";

/** What a history entry keeps of the media delivered, and what finds it in the file cache. */
export interface DeliveredMedia {
  /** the link asked for */
  url: string;
  title: string;
  variant: Variant;
  extractor: string;
  mediaId: string;
  /** yt-dlp's page URL; part of the identity of media whose site ids are not known */
  webpageUrl: string;
  uploader?: string;
  tags?: string[];
  categories?: string[];
  /** a gallery, cached and sent as albums */
  album?: boolean;
}

export function deliveredMediaOf(
  url: string,
  info: ProbeInfo,
  variant: Variant,
  title = info.title,
): DeliveredMedia {
  return {
    url,
    title,
    variant,
    extractor: info.extractor,
    mediaId: info.id,
    webpageUrl: info.webpageUrl,
    ...mediaLabels(info),
    ...(info.gallery ? { album: true } : {}),
  };
}

function mediaRefOf(media: DeliveredMedia): MediaRef {
  return { extractor: media.extractor, id: media.mediaId, webpageUrl: media.webpageUrl };
}

export interface Delivery {
  userId: number;
  chatId: number;
  lang: string;
  /** the same for the same delivery however often it is reported: it is recorded once */
  key: string;
  media: DeliveredMedia;
  /** the file sent, or each part of a split download */
  files: readonly { kind: MediaKind; size: number }[];
  fromCache: boolean;
}

/** The history entry and the event; null (and no event) when this key was recorded already. */
export async function recordDelivery(
  deps: Pick<ServiceDeps, "kv" | "events">,
  delivery: Delivery,
): Promise<HistoryEntry | null> {
  const { userId, chatId, key, media, files } = delivery;
  const entry = await addHistoryEntry(deps.kv, {
    userId,
    title: media.title,
    url: media.url,
    kind: historyKindOf(files),
    variant: media.variant,
    size: files.reduce((sum, file) => sum + file.size, 0),
    extractor: media.extractor,
    mediaId: media.mediaId,
    webpageUrl: media.webpageUrl,
    fromCache: delivery.fromCache,
    uploader: media.uploader,
    tags: media.tags,
    categories: media.categories,
  }, key);
  if (entry) {
    deps.events.emit({
      type: "download_delivered",
      userId,
      key,
      entry,
      chatId,
      lang: delivery.lang,
    });
  }
  return entry;
}

/** What history and stats count a delivery as: an album with a photo counts as images. */
function historyKindOf(files: readonly { kind: MediaKind }[]): MediaKind {
  return files.some((file) => file.kind === "photo") ? "photo" : files[0].kind;
}

export interface CacheRequest {
  api: Api;
  userId: number;
  chatId: number;
  lang: string;
  /** the request's key: charged, sent and recorded once however often it is handled */
  key: string;
  media: DeliveredMedia;
  /** the ways of sending to look for, in order of preference */
  modes: readonly SendMode[];
  caption: string;
  /** the request's message in the chat (a link, a group's /dl), which the file answers */
  replyToMessageId?: number;
  /** the user's words: the Share button under the file, the "part i/N" of a split's parts */
  t: Translate;
  quota: { timezone: string; limitBytes: number };
  source: RequestSource;
  /** called once, before the first file goes (a button is answered while the file travels) */
  beforeSend?: () => Promise<unknown>;
}

export type CacheOutcome =
  | { kind: "sent"; entry: HistoryEntry | null }
  /** the same request handled again: what it charged went with its first handling */
  | { kind: "duplicate" }
  | { kind: "refused"; refusal: QuotaRefusal }
  /** nothing Telegram still has: the caller downloads, or shows the link's preview */
  | { kind: "missing" };

/**
 * Sends the cached file (or parts) in the first mode that has one, charged to the quota: the
 * user still receives the bytes. A file Telegram no longer has is refunded and forgotten, and
 * the next mode tried.
 */
export async function sendFromCache(
  deps: Pick<ServiceDeps, "kv" | "media" | "quota" | "events">,
  request: CacheRequest,
): Promise<CacheOutcome> {
  const { kv, media, quota, events } = deps;
  const { userId, quota: limits } = request;
  const ref = mediaRefOf(request.media);
  const split = request.media.variant === "split";
  const album = request.media.album === true;
  let announced = false;
  for (const mode of request.modes) {
    const cached = album
      ? await media.getAlbum(ref, mode)
      : split
      ? await media.getParts(ref, mode)
      : await media.getFile(ref, request.media.variant, mode).then((file) => file && [file]);
    if (!cached || cached.length === 0) continue;
    const size = cached.reduce((sum, file) => sum + file.size, 0);
    // per mode: a mode refunded as stale must not read as already charged for the next one
    const chargeKey = `${request.key}:${mode}`;
    const charged = await quota.charge(userId, limits.timezone, limits.limitBytes, size, chargeKey);
    if (!charged.ok) return { kind: "refused", refusal: charged.refusal };
    if (charged.duplicate) return { kind: "duplicate" };
    if (!announced) {
      announced = true;
      await request.beforeSend?.();
    }
    const keyboard = await deliveredFileKeyboard(
      kv,
      request.t,
      { media: ref, title: request.media.title },
      request.media.variant,
      mode,
    );
    try {
      if (album) {
        await sendCachedAlbum(request.api, request.chatId, cached, request.caption);
      } else if (split) {
        await sendCachedParts(
          request.api,
          request.chatId,
          cached,
          { caption: request.caption, keyboard, replyToMessageId: request.replyToMessageId },
          request.t("quality-part"),
        );
      } else {
        await sendCachedFile(request.api, request.chatId, cached[0], {
          caption: request.caption,
          keyboard,
          replyToMessageId: request.replyToMessageId,
        });
      }
    } catch (error) {
      await quota.refund(userId, limits.timezone, charged.charge);
      if (!isStaleFileId(error)) throw error;
      if (album) await media.forgetAlbum(ref, mode);
      else if (split) await media.forgetParts(ref, mode);
      else await media.forgetFile(ref, request.media.variant, mode);
      continue;
    }
    events.emit({
      type: "cache_hit",
      userId,
      key: request.key,
      extractor: request.media.extractor,
      source: request.source,
    });
    const entry = await recordDelivery(deps, {
      userId,
      chatId: request.chatId,
      lang: request.lang,
      key: request.key,
      media: request.media,
      files: cached,
      fromCache: true,
    });
    return { kind: "sent", entry };
  }
  return { kind: "missing" };
}

/** What goes with a delivered file: its HTML caption and the keyboard with its Share button. */
export interface FileMessage {
  caption: string;
  keyboard?: InlineKeyboardMarkup;
  /** the message the file answers, if it still exists */
  replyToMessageId?: number;
}

/** Sends a file Telegram already has; no upload, no worker. */
export async function sendCachedFile(
  api: Api,
  chatId: number,
  file: CachedFile,
  message: FileMessage,
): Promise<void> {
  const common = withPriority("delivery", {
    caption: message.caption,
    reply_markup: message.keyboard,
    ...(message.replyToMessageId === undefined ? {} : {
      reply_parameters: { message_id: message.replyToMessageId, allow_sending_without_reply: true },
    }),
  });
  if (file.kind === "video") {
    await api.sendVideo(chatId, file.fileId, {
      ...common,
      width: file.width,
      height: file.height,
      duration: file.duration === undefined ? undefined : Math.round(file.duration),
      supports_streaming: true,
    });
  } else if (file.kind === "audio") {
    await api.sendAudio(chatId, file.fileId, {
      ...common,
      title: file.title,
      performer: file.performer,
      duration: file.duration === undefined ? undefined : Math.round(file.duration),
    });
  } else if (file.kind === "photo") {
    await api.sendPhoto(chatId, file.fileId, common);
  } else {
    await api.sendDocument(chatId, file.fileId, common);
  }
}

/** Sends every part by file_id, in order, each captioned "part i/N". */
export async function sendCachedParts(
  api: Api,
  chatId: number,
  parts: CachedFile[],
  message: FileMessage,
  partLabel = DEFAULT_PART_LABEL,
): Promise<void> {
  for (const [index, part] of parts.entries()) {
    const caption = partCaption(message.caption, partLabel, index, parts.length);
    await sendCachedFile(api, chatId, part, { ...message, caption });
  }
}

/**
 * Sends a gallery's items by file_id in albums of up to 10 (media/albums.ts), the caption on the
 * first item; an album needs two items, so a group of one goes on its own.
 */
export async function sendCachedAlbum(
  api: Api,
  chatId: number,
  items: readonly CachedFile[],
  caption: string,
): Promise<void> {
  let first = true;
  for (const group of albumGroups(items)) {
    const media = group.map((item) => {
      const itemCaption = first ? caption : undefined;
      first = false;
      return inputMediaOf(item, itemCaption);
    });
    if (media.length > 1) {
      await api.sendMediaGroup(
        chatId,
        media as Parameters<Api["sendMediaGroup"]>[1],
        withPriority("delivery", {}),
      );
    } else {
      await sendCachedFile(api, chatId, group[0], { caption: media[0].caption ?? "" });
    }
  }
}

function inputMediaOf(
  item: CachedFile,
  caption: string | undefined,
): InputMediaPhoto | InputMediaVideo | InputMediaDocument {
  if (item.kind === "photo") return { type: "photo", media: item.fileId, caption };
  if (item.kind === "video") {
    return {
      type: "video",
      media: item.fileId,
      caption,
      width: item.width,
      height: item.height,
      duration: item.duration === undefined ? undefined : Math.round(item.duration),
      supports_streaming: true,
    };
  }
  return { type: "document", media: item.fileId, caption };
}
