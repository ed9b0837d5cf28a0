/** Uploads a gallery's items as albums of up to 10 (sendMediaGroup), in order. */
import type { Api } from "grammy";
import { DiskFile } from "../lib/curl_upload.ts";
import { withPriority } from "../lib/throttle.ts";
import type { InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message } from "grammy/types";
import type { DownloadPayload, UploadedFile } from "../media/job_types.ts";
import { albumGroups } from "../media/albums.ts";
import { basename } from "node:path";
import type { GalleryItem } from "./gallery.ts";

type AlbumMedia = InputMediaPhoto | InputMediaVideo | InputMediaDocument;
/** grammY's npm build types its signal with a polyfill's AbortSignal; the runtime one works. */
type ApiSignal = Parameters<Api["sendMediaGroup"]>[3];

/**
 * The items in albums (media/albums.ts); "send as file" makes every item a document. The caption
 * goes on the first item only; each album is one call, so a failure leaves no album half sent.
 */
export async function uploadAlbums(
  api: Api,
  payload: Pick<DownloadPayload, "uploadChatId" | "caption" | "sendAs">,
  items: readonly GalleryItem[],
  signal?: AbortSignal,
  onAlbum?: (sent: number) => void,
): Promise<UploadedFile[]> {
  const asFiles = payload.sendAs === "file";
  const sendable = items.map((item) => asFiles ? { ...item, kind: "document" as const } : item);
  const files: UploadedFile[] = [];
  for (const group of albumGroups(sendable)) {
    signal?.throwIfAborted();
    const media = group.map((item, index) =>
      inputMedia(item, files.length === 0 && index === 0 ? payload.caption : undefined)
    );
    const sent = group.length === 1
      ? [await sendOne(api, payload.uploadChatId, media[0], signal)]
      : await api.sendMediaGroup(
        payload.uploadChatId,
        albumOf(media),
        withPriority("delivery", {}),
        signal as ApiSignal,
      );
    sent.forEach((message, index) => files.push(uploadedOf(message, group[index])));
    onAlbum?.(files.length);
  }
  return files;
}

/** albumGroups never mixes documents with photos and videos, as sendMediaGroup's types ask. */
function albumOf(media: AlbumMedia[]): Parameters<Api["sendMediaGroup"]>[1] {
  return media as Parameters<Api["sendMediaGroup"]>[1];
}

function inputMedia(item: GalleryItem, caption: string | undefined): AlbumMedia {
  const file = new DiskFile(item.path, basename(item.path));
  if (item.kind === "photo") return { type: "photo", media: file, caption };
  if (item.kind === "video") {
    const duration = item.duration === undefined ? undefined : Math.round(item.duration);
    return {
      type: "video",
      media: file,
      caption,
      width: item.width,
      height: item.height,
      duration,
      supports_streaming: true,
    };
  }
  return { type: "document", media: file, caption };
}

/** A group of one: Telegram's albums take two items at least. */
function sendOne(
  api: Api,
  chatId: number,
  { type, media, ...options }: AlbumMedia,
  signal?: AbortSignal,
): Promise<Message> {
  const apiSignal = signal as ApiSignal;
  const delivery = withPriority("delivery", options);
  if (type === "photo") return api.sendPhoto(chatId, media, delivery, apiSignal);
  if (type === "video") return api.sendVideo(chatId, media, delivery, apiSignal);
  return api.sendDocument(chatId, media, delivery, apiSignal);
}

function uploadedOf(message: Message, item: GalleryItem): UploadedFile {
  const photo = message.photo?.at(-1);
  const sent = photo ?? message.video ?? message.document;
  if (!sent) throw new Error("Telegram answered an album item without a file");
  return {
    fileId: sent.file_id,
    fileUniqueId: sent.file_unique_id,
    kind: photo ? "photo" : message.video ? "video" : "document",
    size: sent.file_size ?? item.size,
    width: item.width,
    height: item.height,
    duration: item.duration,
    chatId: message.chat.id,
    messageId: message.message_id,
  };
}
