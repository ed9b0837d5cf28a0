/** Jobs as the app and the workers both see them: payloads, results, progress, the claimed job. */
import type { InlineKeyboardMarkup } from "grammy/types";
import type { MediaKind, ProbeInfo, QualityVariant, Variant } from "./media_types.ts";

/** Look up a link: `yt-dlp -J`, answered with a preview. */
export interface ProbePayload {
  kind: "probe";
  url: string;
  lang: string;
  preferAudio?: boolean;
  /** the "analyzing…" message to replace with the preview */
  statusMessageId?: number;
  replyToMessageId?: number;
  /** `/playlist add`: the probed media goes into this playlist instead of a preview */
  playlistId?: string;
  /** the entry of a playlist page to probe (1-based), for entries without a link of their own */
  playlistItem?: number;
  /** download at once instead of showing a preview: a scheduled run or an item of a batch */
  autoDownload?: AutoDownload;
}

/** What a probe that downloads at once goes on to do. */
export interface AutoDownload {
  /** the download job's id, chosen in advance so a report retried after a crash queues it once */
  jobId: string;
  scheduleId?: string;
  /** the batch (kv/batches.ts) the item counts in; its entry id is jobId */
  batchId?: string;
  /** how the batch's summary names the item until the probe knows its title */
  title?: string;
  /** the quality asked for (`/schedule … audio`); otherwise chosen when the probe is done */
  variant?: QualityVariant;
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
  /** the request's message (a link, a group's /dl) the upload answers; unset with a storage chat */
  replyToMessageId?: number;
  /** HTML caption, already escaped by the app */
  caption: string;
  /** the keyboard under the file (its Share button), made by the app */
  replyMarkup?: InlineKeyboardMarkup;
  title: string;
  performer?: string;
  /** an audio file's album tag: the title of the playlist the media came from */
  album?: string;
  /** the quota reservation this download settles; the worker never exceeds maxBytes */
  reservationId?: string;
  maxBytes?: number;
  /** "file" sends a document instead of a playable video or audio */
  sendAs?: "video" | "file";
  /** the translated word before "i/N" in the captions of a split download's parts */
  partLabel?: string;
  /** set when the download is one of a batch (kv/batches.ts) that shows one progress message */
  batchId?: string;
  /** the entry of a playlist page to download (1-based), as probed */
  playlistItem?: number;
}

/** List the entries of a playlist or channel (`yt-dlp --flat-playlist`) to download as a batch. */
export interface ExpandPayload {
  kind: "expand";
  url: string;
  lang: string;
  /** entries past this many are not listed: the user's plan caps a batch */
  maxEntries: number;
  statusMessageId?: number;
}

/** An entry of a listed playlist: its own link, or the page's link and its position there. */
export interface PlaylistEntry {
  url: string;
  title?: string;
  playlistItem?: number;
}

/** Record a live stream for a while (stream copy), then upload it in parts within the limit. */
export interface RecordPayload {
  kind: "record";
  url: string;
  /** how long to record; the app keeps it within the user's plan */
  seconds: number;
  lang: string;
  statusMessageId?: number;
  uploadChatId: number;
  /** HTML that ends every part's caption, already escaped by the app */
  caption: string;
  /** shown until the stream's own title is known */
  title: string;
  /** the translated word before "i/N" on parts, e.g. "part" */
  partLabel: string;
  /** the quota reservation this recording settles; it stops before sending more than maxBytes */
  reservationId?: string;
  maxBytes?: number;
}

/** srt: the subtitle file; soft: the video with a subtitle track; burned: drawn into the picture */
export type SubtitleOutput = "srt" | "soft" | "burned";

export interface SubtitleTrack {
  /** yt-dlp's key: a language code such as "en", "pt-BR" or "en-orig" */
  language: string;
  name?: string;
  /** made by speech recognition rather than by people */
  automatic: boolean;
}

/** List a media's subtitle tracks (no language), or deliver one, translated when target is set. */
export interface SubtitlesPayload {
  kind: "subtitles";
  url: string;
  language?: string;
  automatic?: boolean;
  target?: string;
  output: SubtitleOutput;
  lang: string;
  statusMessageId?: number;
  uploadChatId: number;
  title: string;
  /** the quota reservation a video output settles; the video never exceeds maxBytes */
  reservationId?: string;
  maxBytes?: number;
}

export type JobPayload =
  | ProbePayload
  | DownloadPayload
  | RecordPayload
  | SubtitlesPayload
  | ExpandPayload;

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
  | { kind: "download"; file: UploadedFile }
  /** a download cut into parts that each fit the upload limit, in order */
  | { kind: "split"; files: UploadedFile[] }
  /** a gallery's items in order, sent as albums of up to 10 (each file its own message) */
  | { kind: "album"; files: UploadedFile[] }
  /**
   * the parts in order; stopped: ended early by the user or by the stream; quotaReached: ended
   * once it had used the quota it reserved
   */
  | {
    kind: "record";
    files: UploadedFile[];
    seconds: number;
    stopped: boolean;
    quotaReached?: boolean;
  }
  | { kind: "not_live"; info: ProbeInfo }
  | { kind: "subtitle_tracks"; title: string; tracks: SubtitleTrack[] }
  /** translation "failed": the original text was kept */
  | { kind: "subtitles"; file: UploadedFile; translation?: "done" | "failed" }
  /** count: as the site reports it, which may be more than the entries listed */
  | { kind: "playlist_entries"; title: string; count: number; entries: PlaylistEntry[] };

export type JobKind = JobPayload["kind"];
export type JobState = "ready" | "leased" | "done" | "failed" | "dead" | "cancelled";
export type JobPhase = "queued" | "downloading" | "processing" | "uploading";

export interface JobProgress {
  phase: JobPhase;
  percent?: number;
  downloadedBytes?: number;
  totalBytes?: number;
  /** bytes per second */
  speed?: number;
  /** seconds */
  eta?: number;
  /** a recording's position and length, in seconds */
  elapsedSeconds?: number;
  totalSeconds?: number;
}

export interface JobFailure {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  userId: number;
  chatId: number;
  payload: JobPayload;
  state: JobState;
  priority: number;
  dueAt: number;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  updatedAt: number;
  /** set while leased: who holds it, until when, and the claim's own id */
  workerId?: string;
  leaseId?: string;
  leaseUntil?: number;
  cancelRequested?: boolean;
  /** end early and deliver what there is (a recording), unlike a cancel */
  stopRequested?: boolean;
  progress?: JobProgress;
  result?: JobResult;
  error?: JobFailure;
  startedAt?: number;
  finishedAt?: number;
}

export interface Claim {
  job: Job;
  leaseId: string;
  /** how long the lease lasts from each accepted heartbeat: the worker stops before it runs out */
  leaseMs: number;
}
