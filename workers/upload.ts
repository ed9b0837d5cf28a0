/** Uploads a finished file to Telegram, streamed from disk. */
import type { Api } from "grammy";
import { DiskFile } from "../lib/curl_upload.ts";
import { withPriority } from "../lib/throttle.ts";
import type { Message } from "grammy/types";
import type { DownloadPayload, UploadedFile } from "../media/job_types.ts";
import type { DownloadedMedia } from "../media/media_types.ts";

/** A file name Telegram shows to users: the title without path or control characters. */
export function safeFileName(title: string, path: string): string {
  const ext = path.match(/\.([a-z0-9]{1,5})$/i)?.[1] ?? "bin";
  const base = title.replace(/[\\/:*?"<>|\p{Cc}]+/gu, " ").replace(/\s+/g, " ").trim().slice(0, 80);
  return `${base || "media"}.${ext}`;
}

/** grammY's npm build types its signal with a polyfill's AbortSignal; the runtime one works. */
type ApiSignal = Parameters<Api["sendVideo"]>[3];

/** Where a file goes and what it is called: a download's payload, or a recording's part. */
export type UploadTarget = Pick<
  DownloadPayload,
  "uploadChatId" | "caption" | "replyMarkup" | "title" | "performer" | "sendAs" | "replyToMessageId"
>;

export async function uploadMedia(
  api: Api,
  payload: UploadTarget,
  media: DownloadedMedia,
  abortSignal?: AbortSignal,
): Promise<UploadedFile> {
  // a job stopped (its lease lapsed, or the user cancelled) uploads nothing
  abortSignal?.throwIfAborted();
  const signal = abortSignal as ApiSignal;
  const file = new DiskFile(media.path, safeFileName(payload.title, media.path));
  const thumbnail = media.thumbnailPath
    ? new DiskFile(media.thumbnailPath, "thumb.jpg")
    : undefined;
  const duration = media.duration === undefined ? undefined : Math.round(media.duration);
  // the file a user asked for: a delivery, behind answers and ahead of notices and progress
  const common = withPriority("delivery", {
    caption: payload.caption,
    reply_markup: payload.replyMarkup,
    ...replyTo(payload.replyToMessageId),
  });
  let message: Message;
  const kind = payload.sendAs === "file" ? "document" : media.kind;
  if (kind === "video") {
    message = await api.sendVideo(payload.uploadChatId, file, {
      ...common,
      width: media.width,
      height: media.height,
      duration,
      thumbnail,
      supports_streaming: true,
    }, signal);
  } else if (kind === "audio") {
    message = await api.sendAudio(payload.uploadChatId, file, {
      ...common,
      title: payload.title.slice(0, 64),
      performer: payload.performer?.slice(0, 64),
      duration,
      thumbnail,
    }, signal);
  } else {
    message = await api.sendDocument(payload.uploadChatId, file, { ...common, thumbnail }, signal);
  }
  const sent = message.video ?? message.audio ?? message.document ?? message.animation;
  if (!sent) throw new Error("Telegram answered without a file");
  return {
    fileId: sent.file_id,
    fileUniqueId: sent.file_unique_id,
    kind: message.video ? "video" : message.audio ? "audio" : "document",
    size: sent.file_size ?? media.size,
    width: media.width,
    height: media.height,
    duration: media.duration,
    chatId: message.chat.id,
    messageId: message.message_id,
  };
}

/** Answers the request's message, or nothing when it is gone. */
function replyTo(messageId: number | undefined) {
  return messageId === undefined
    ? {}
    : { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } };
}
