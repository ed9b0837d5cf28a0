/**
 * Asking again for media someone already downloaded (from /history or /recommend): the file
 * Telegram already has is sent by its file_id, charged and recorded like any cache hit
 * (services/delivery.ts); the caller shows the link's preview when nothing usable is cached.
 */
import type { Api } from "grammy";
import { type HistoryEntry, mediaOfEntry } from "../kv/history.ts";
import type { SendMode } from "../kv/media.ts";
import type { UserProfile } from "../kv/users.ts";
import { renderFileCaption } from "../views/media.ts";
import { quotaLimit, timezoneOf } from "./account.ts";
import { type CacheOutcome, sendFromCache } from "./delivery.ts";
import type { ServiceDeps } from "./deps.ts";
import type { RequestSource } from "./events.ts";
import type { Translate } from "../i18n/translations.ts";
import { GALLERY_EXTRACTOR_PREFIX } from "../media/media_types.ts";

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

export interface RedeliverRequest {
  api: Api;
  userId: number;
  user: UserProfile | undefined;
  chatId: number;
  lang: string;
  key: string;
  botUsername: string;
  /** the user's words: the Share button under the file, the "part i/N" of a split's parts */
  t: Translate;
  stored: StoredMedia;
  source: RequestSource;
  /** called once, before the file goes */
  beforeSend?: () => Promise<unknown>;
}

export async function redeliver(
  deps: Pick<ServiceDeps, "kv" | "media" | "quota" | "events" | "config">,
  request: RedeliverRequest,
): Promise<CacheOutcome> {
  const { stored, userId, user } = request;
  deps.events.emit({
    type: "download_requested",
    userId,
    key: request.key,
    extractor: stored.extractor,
    variant: stored.variant,
    source: request.source,
  });
  // the user's current choice first, then the way it was sent before
  const preferred: SendMode = user?.prefs.sendAs ?? "video";
  const modes = [...new Set<SendMode>([preferred, stored.kind === "document" ? "file" : "video"])];
  return await sendFromCache(deps, {
    api: request.api,
    userId,
    chatId: request.chatId,
    lang: request.lang,
    key: request.key,
    media: {
      url: stored.url,
      title: stored.title,
      variant: stored.variant,
      extractor: stored.extractor,
      mediaId: stored.mediaId,
      webpageUrl: mediaOfEntry(stored).webpageUrl,
      uploader: stored.uploader,
      tags: stored.tags,
      categories: stored.categories,
      album: stored.extractor.startsWith(GALLERY_EXTRACTOR_PREFIX),
    },
    modes,
    caption: renderFileCaption(
      { title: stored.title, webpageUrl: stored.url },
      request.botUsername,
    ),
    t: request.t,
    quota: { timezone: timezoneOf(deps.config, user), limitBytes: quotaLimit(deps.config, user) },
    source: request.source,
    beforeSend: request.beforeSend,
  });
}
