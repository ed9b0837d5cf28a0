import type { MediaKind, ProbeInfo, Variant } from "../workers/media_types.ts";

/** Look up a link: `yt-dlp -J`, answered with a preview. */
export interface ProbePayload {
  kind: "probe";
  url: string;
  lang: string;
  /** the "analyzing…" message to replace with the preview */
  statusMessageId?: number;
  replyToMessageId?: number;
}

/** Download one variant of a probed media and upload it to Telegram. */
export interface DownloadPayload {
  kind: "download";
  url: string;
  variant: Variant;
  info: ProbeInfo;
  lang: string;
  statusMessageId?: number;
  /** where the worker uploads: the user's chat, or STORAGE_CHAT_ID */
  uploadChatId: number;
  /** HTML caption, already escaped by the app */
  caption: string;
  title: string;
  performer?: string;
}

export type JobPayload = ProbePayload | DownloadPayload;

export interface UploadedFile {
  fileId: string;
  fileUniqueId: string;
  kind: MediaKind;
  size: number;
  width?: number;
  height?: number;
  duration?: number;
  /** the message the worker's upload created */
  chatId: number;
  messageId: number;
}

export type JobResult =
  | { kind: "probe"; info: ProbeInfo }
  | { kind: "download"; file: UploadedFile };
