/**
 * The app's side of a split download and of a gallery's albums: the files cached, sent from a
 * storage chat, recorded once.
 */
import type { Job } from "../media/job_types.ts";
import type { DownloadPayload, JobResult, UploadedFile } from "../media/job_types.ts";
import { cachedFileOf } from "../kv/media.ts";
import { deliveredMediaOf, recordDelivery, sendCachedAlbum, sendCachedParts } from "./delivery.ts";
import type { ServiceDeps } from "./deps.ts";

/** Records the delivery once, creator and labels included, like any other (services/delivery.ts). */
export async function deliverSplit(
  deps: Pick<ServiceDeps, "api" | "kv" | "media" | "events">,
  job: Job,
  payload: DownloadPayload,
  files: UploadedFile[],
): Promise<void> {
  const parts = files.map((file) => cachedFileOf(file, payload));
  await deps.media.saveParts(payload.info, parts, payload.sendAs ?? "video");
  // uploaded to the storage chat: the user gets them by file_id, once (outbox guard)
  if (files[0].chatId !== job.chatId) {
    const message = { caption: payload.caption, keyboard: payload.replyMarkup };
    await sendCachedParts(deps.api, job.chatId, parts, message, payload.partLabel);
  }
  await recordDelivery(deps, {
    userId: job.userId,
    chatId: job.chatId,
    lang: payload.lang,
    key: job.id,
    media: deliveredMediaOf(payload.url, payload.info, payload.variant, payload.title),
    files,
    fromCache: false,
  });
}

/** A gallery's albums: cached as one album entry, sent from a storage chat, recorded once. */
export async function deliverAlbum(
  deps: Pick<ServiceDeps, "api" | "kv" | "media" | "events">,
  job: Job,
  payload: DownloadPayload,
  files: UploadedFile[],
): Promise<void> {
  const items = files.map((file) => cachedFileOf(file, payload));
  await deps.media.saveAlbum(payload.info, items, payload.sendAs ?? "video");
  // uploaded to the storage chat: the user gets them by file_id, once (outbox guard)
  if (files[0].chatId !== job.chatId) {
    await sendCachedAlbum(deps.api, job.chatId, items, payload.caption);
  }
  await recordDelivery(deps, {
    userId: job.userId,
    chatId: job.chatId,
    lang: payload.lang,
    key: job.id,
    media: deliveredMediaOf(payload.url, payload.info, payload.variant, payload.title),
    files,
    fromCache: false,
  });
}

/** What a finished job sent the user, in bytes: its file, or all its parts. */
export function deliveredBytes(result: JobResult | undefined): number {
  if (result?.kind === "download" || result?.kind === "subtitles") return result.file.size;
  if (result?.kind === "split" || result?.kind === "album" || result?.kind === "record") {
    return result.files.reduce((sum, file) => sum + file.size, 0);
  }
  return 0;
}
