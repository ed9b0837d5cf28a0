/** The app's side of a split download: the parts cached, sent from a storage chat, recorded once. */
import type { Job } from "../media/job_types.ts";
import type { DownloadPayload, JobResult, UploadedFile } from "../media/job_types.ts";
import { cachedFileOf } from "../kv/media.ts";
import { addHistoryEntry, type HistoryEntry } from "../kv/history.ts";
import { sendCachedParts } from "./delivery.ts";
import type { ServiceDeps } from "./deps.ts";

/** Returns the history entry, or null when this job was already recorded. */
export async function deliverSplit(
  deps: Pick<ServiceDeps, "api" | "kv" | "media">,
  job: Job,
  payload: DownloadPayload,
  files: UploadedFile[],
): Promise<HistoryEntry | null> {
  const parts = files.map((file) => cachedFileOf(file, payload));
  await deps.media.saveParts(payload.info, parts, payload.sendAs ?? "video");
  // uploaded to the storage chat: the user gets them by file_id, once (outbox guard)
  if (files[0].chatId !== job.chatId) {
    await sendCachedParts(deps.api, job.chatId, parts, payload.caption, payload.partLabel);
  }
  return await addHistoryEntry(deps.kv, {
    userId: job.userId,
    title: payload.title,
    url: payload.url,
    kind: files[0].kind,
    variant: payload.variant,
    size: deliveredBytes({ kind: "split", files }),
    extractor: payload.info.extractor,
    mediaId: payload.info.id,
    webpageUrl: payload.info.webpageUrl,
    fromCache: false,
  }, job.id);
}

/** What a finished job sent the user, in bytes: its file, or all its parts. */
export function deliveredBytes(result: JobResult | undefined): number {
  if (result?.kind === "download" || result?.kind === "subtitles") return result.file.size;
  if (result?.kind === "split" || result?.kind === "record") {
    return result.files.reduce((sum, file) => sum + file.size, 0);
  }
  return 0;
}
