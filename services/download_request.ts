/**
 * Asking for one variant of a probed media, the same way from a preview's button and from a
 * batch (a playlist's "download all"): a file Telegram already has is sent at once, otherwise
 * a download job is queued with its quota reservation. Both count against the quota.
 */
import type { Api } from "grammy";
import type { Job } from "../media/job_types.ts";
import { MIN_RESERVATION_BYTES } from "../kv/quota.ts";
import type { UserProfile } from "../kv/users.ts";
import { estimateDownloadBytes } from "../media/formats.ts";
import {
  concreteVariant,
  type GalleryCounts,
  MAX_PARTS,
  type ProbeInfo,
  type Variant,
} from "../media/media_types.ts";
import { quotaLimit, timezoneOf } from "./account.ts";
import type { ServiceDeps } from "./deps.ts";
import { deliveredMediaOf, sendFromCache } from "./delivery.ts";
import type { Translate } from "../i18n/translations.ts";
import { type JobRefusal, queueUserJob } from "./job_requests.ts";
import type { RequestSource } from "./events.ts";
import { renderFileCaption } from "../views/media.ts";
import { deliveredFileKeyboard } from "./shares.ts";

export interface DownloadRequest {
  api: Api;
  userId: number;
  user?: UserProfile;
  chatId: number;
  lang: string;
  t: Translate;
  botUsername: string;
  url: string;
  info: ProbeInfo;
  variant: Variant;
  /** the request's message in the chat (a link, a group's /dl), which the file answers */
  replyToMessageId?: number;
  /**
   * the same for the same request however often it is handled: history counts it once, the
   * quota charges or reserves once, one job is queued
   */
  key: string;
}

export interface DownloadOptions {
  /** where the request came from, for the events that follow it (default "preview") */
  source?: RequestSource;
  /** called once a cached file is about to be sent */
  onCached?: () => Promise<unknown>;
  /** makes the message the job's progress edits; called once the quota is reserved */
  statusMessage?: () => Promise<number | undefined>;
  /** the batch (kv/batches.ts) the job belongs to */
  batchId?: string;
  priority?: number;
  /** the download job's id, chosen in advance so a request handled twice queues it once */
  jobId?: string;
  /** the entry of a playlist page the media is (1-based), as it was probed */
  playlistItem?: number;
  /** the playlist the media is downloaded from (an audio file's album); a playlist page's title otherwise */
  album?: string;
}

export type DownloadStart =
  /** duplicate: Telegram delivered the request again and the file went with the first */
  | { kind: "cached"; duplicate: boolean }
  /** duplicate: Telegram delivered the request again and its job was already queued */
  | { kind: "queued"; job: Job; duplicate: boolean }
  | { kind: "refused"; refusal: JobRefusal; timezone: string };

export async function requestDownload(
  deps: Pick<ServiceDeps, "kv" | "media" | "queue" | "quota" | "config" | "events">,
  request: DownloadRequest,
  options: DownloadOptions = {},
): Promise<DownloadStart> {
  const { queue, config } = deps;
  const { info, userId, chatId } = request;
  // "audio" (a preview's button, a schedule's word) is the file in the user's chosen format
  const variant = concreteVariant(request.variant, request.user?.prefs.audioFormat);
  // delivered again by Telegram after its job was queued: that job answers it
  const earlier = await queue.getByRequest(userId, request.key);
  if (earlier) return { kind: "queued", job: earlier, duplicate: true };
  const caption = renderFileCaption(info, request.botUsername);
  const sendAs = request.user?.prefs.sendAs ?? "video";
  const timezone = timezoneOf(config, request.user);
  const fromCache = await sendFromCache(deps, {
    api: request.api,
    userId,
    chatId,
    lang: request.lang,
    key: request.key,
    media: deliveredMediaOf(request.url, info, variant),
    modes: [sendAs],
    caption,
    replyToMessageId: request.replyToMessageId,
    t: request.t,
    quota: { timezone, limitBytes: quotaLimit(config, request.user) },
    source: options.source ?? "preview",
    beforeSend: options.onCached,
  });
  if (fromCache.kind === "refused") {
    return { kind: "refused", refusal: fromCache.refusal, timezone };
  }
  if (fromCache.kind === "sent") return { kind: "cached", duplicate: false };
  // Telegram delivered this request again: the file went with the first
  if (fromCache.kind === "duplicate") return { kind: "cached", duplicate: true };
  // a split's parts together may weigh up to MAX_PARTS uploads, a gallery's items as much
  const several = variant === "split" || info.gallery !== undefined;
  const estimate = estimateDownloadBytes(info, variant);
  const sizeCap = several ? config.maxUploadBytes * MAX_PARTS : config.maxUploadBytes;
  const shared = { media: info, title: info.title };
  // an album's messages take no keyboard
  const replyMarkup = info.gallery
    ? undefined
    : await deliveredFileKeyboard(deps.kv, request.t, shared, variant, sendAs);
  const started = await queueUserJob({ ...deps, api: request.api }, {
    userId,
    user: request.user,
    chatId,
    id: options.jobId,
    requestKey: request.key,
    priority: options.priority,
    payload: {
      kind: "download",
      url: request.url,
      variant,
      info,
      lang: request.lang,
      uploadChatId: config.storageChatId ?? chatId,
      // a storage chat's upload answers nothing there; the app sends the file on by file_id
      replyToMessageId: config.storageChatId === undefined ? request.replyToMessageId : undefined,
      caption,
      replyMarkup,
      title: info.title,
      performer: info.uploader,
      album: options.album ?? info.playlist?.title,
      ...(variant === "split" ? { partLabel: request.t("quality-part") } : {}),
      sendAs,
      batchId: options.batchId,
      playlistItem: options.playlistItem,
    },
    quota: info.gallery
      ? {
        // what its items may weigh at most; small ones still go when less is left
        wantedBytes: Math.min(sizeCap, galleryBytesBound(info.gallery, config.maxUploadBytes)),
        minimumBytes: MIN_RESERVATION_BYTES,
      }
      : {
        // unknown sizes reserve up to the upload limit; the worker is held to what was reserved
        wantedBytes: estimate ? Math.min(sizeCap, Math.ceil(estimate * 1.25)) : sizeCap,
        minimumBytes: Math.min(estimate ?? MIN_RESERVATION_BYTES, sizeCap),
      },
    statusMessage: options.statusMessage,
  });
  if (started.kind === "refused") return { kind: "refused", refusal: started.refusal, timezone };
  return { kind: "queued", job: started.job, duplicate: started.duplicate };
}

/** Telegram's largest photo; a gallery's photos are reserved at this much each. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

/** The most a gallery's items may weigh: photos up to 10 MB, videos and files up to the limit. */
function galleryBytesBound(counts: GalleryCounts, maxUploadBytes: number): number {
  return counts.photos * PHOTO_MAX_BYTES + (counts.videos + counts.others) * maxUploadBytes;
}
