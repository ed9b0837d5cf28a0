/**
 * Sending what Telegram already has, by file_id: a cached file or the parts of a split download.
 */
import { type Api, GrammyError } from "grammy";
import type { CachedFile } from "../kv/media.ts";
import { DEFAULT_PART_LABEL, partCaption } from "../media/part_caption.ts";

/** Sends a file Telegram already has; no upload, no worker. */
export async function sendCachedFile(
  api: Api,
  chatId: number,
  file: CachedFile,
  caption: string,
): Promise<void> {
  const common = { caption, parse_mode: "HTML" as const };
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
  } else {
    await api.sendDocument(chatId, file.fileId, common);
  }
}

/** True when Telegram refused a file_id we stored (the file is gone on its side). */
export function isStaleFileId(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 &&
    /wrong file identifier|file reference/i.test(error.description);
}

/** Sends every part by file_id, in order, each captioned "part i/N". */
export async function sendCachedParts(
  api: Api,
  chatId: number,
  parts: CachedFile[],
  caption: string,
  partLabel = DEFAULT_PART_LABEL,
): Promise<void> {
  for (const [index, part] of parts.entries()) {
    await sendCachedFile(api, chatId, part, partCaption(caption, partLabel, index, parts.length));
  }
}
