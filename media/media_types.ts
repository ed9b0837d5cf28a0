import type { JobFailureCode } from "./failure_reasons.ts";

/** The qualities on a preview; "best" and heights are video, "audio" is audio only. */
const QUALITY_VARIANTS = ["best", "1080", "720", "480", "360", "audio"] as const;
export type QualityVariant = (typeof QUALITY_VARIANTS)[number];

export const COMPRESS_PRESETS = ["low", "medium", "high"] as const;
export type CompressPreset = (typeof COMPRESS_PRESETS)[number];

/** The audio files a user may choose in /settings: MP3 at a bitrate, or M4A as the source has it. */
export const AUDIO_FORMATS = ["mp3_128", "mp3_192", "mp3_320", "m4a"] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];
export const DEFAULT_AUDIO_FORMAT: AudioFormat = "mp3_192";

/**
 * What the bot offers: a quality, the best video re-encoded with a preset, split into parts, or
 * audio in one format. "audio" on a button means the user's chosen format; a download and its
 * cached file always name the format ("audio" jobs and files from before formats are M4A).
 */
export const VARIANTS = [
  ...QUALITY_VARIANTS,
  ...COMPRESS_PRESETS.map((preset) => `c_${preset}` as const),
  "split",
  ...AUDIO_FORMATS.map((format) => `audio_${format}` as const),
] as const;
export type Variant = QualityVariant | `c_${CompressPreset}` | "split" | `audio_${AudioFormat}`;

/** A split download sends at most this many parts. */
export const MAX_PARTS = 20;

/** The quality a variant downloads: presets and parts start from the best video. */
export function qualityOf(variant: Variant): QualityVariant {
  if (variant.startsWith("audio_")) return "audio";
  return variant.startsWith("c_") || variant === "split" ? "best" : variant as QualityVariant;
}

/** The audio file a variant makes; undefined for video. */
export function audioFormatOf(variant: Variant): AudioFormat | undefined {
  if (variant === "audio") return "m4a";
  return variant.startsWith("audio_") ? variant.slice("audio_".length) as AudioFormat : undefined;
}

/** What a download of `variant` makes: "audio" becomes the user's format, the rest is itself. */
export function concreteVariant(variant: Variant, audioFormat: AudioFormat | undefined): Variant {
  return variant === "audio" ? `audio_${audioFormat ?? DEFAULT_AUDIO_FORMAT}` : variant;
}

/** An MP3 format's bitrate in kbit/s; undefined for M4A, which keeps the source's. */
export function mp3Kbps(format: AudioFormat): number | undefined {
  return format === "m4a" ? undefined : Number(format.slice("mp3_".length));
}

/** The preset of a "c_<preset>" variant. */
export function presetOf(variant: Variant): CompressPreset | undefined {
  return variant.startsWith("c_") ? variant.slice(2) as CompressPreset : undefined;
}

export const VIDEO_HEIGHTS = [1080, 720, 480, 360] as const;

/** One format from `yt-dlp -J`, trimmed to what selection needs. */
export interface ProbeFormat {
  id: string;
  ext: string;
  protocol?: string;
  width?: number;
  height?: number;
  vcodec?: string;
  acodec?: string;
  filesize?: number;
  filesizeApprox?: number;
  /** total bitrate, kbit/s */
  tbr?: number;
  /** audio bitrate, kbit/s */
  abr?: number;
  /** video bitrate, kbit/s */
  vbr?: number;
}

/** A probe result trimmed for storage (KV values stay well under 64 KiB). */
export interface ProbeInfo {
  /** yt-dlp's id of the media within its extractor */
  id: string;
  extractor: string;
  webpageUrl: string;
  title: string;
  /** the start of it, for language detection */
  description?: string;
  uploader?: string;
  duration?: number;
  thumbnail?: string;
  /** as the site counts them, when it says */
  viewCount?: number;
  likeCount?: number;
  tags?: string[];
  categories?: string[];
  isLive: boolean;
  formats: ProbeFormat[];
  /** the link is a playlist or channel of `count` entries; this is its first */
  playlist?: { title: string; count: number };
  /** the link is a post or page of images (and videos) found by gallery-dl, sent as albums */
  gallery?: GalleryCounts;
}

/** What a gallery holds, as its probe counted it (at most MAX_GALLERY_ITEMS in all). */
export interface GalleryCounts {
  photos: number;
  videos: number;
  /** items neither a photo nor an mp4 video (GIF, WebM…), sent as documents */
  others: number;
}

/** How a gallery's ProbeInfo names its extractor: "gallery-dl:" and gallery-dl's category. */
export const GALLERY_EXTRACTOR_PREFIX = "gallery-dl:";

/** A gallery delivers at most this many items: the first ones, in order. */
export const MAX_GALLERY_ITEMS = 100;
/** Telegram's limit on the items of one album (sendMediaGroup). */
export const MAX_ALBUM_ITEMS = 10;

export type MediaKind = "video" | "audio" | "document" | "photo";

/** A finished file on local disk, ready to upload. */
export interface DownloadedMedia {
  path: string;
  kind: MediaKind;
  mimeType: string;
  size: number;
  width?: number;
  height?: number;
  duration?: number;
  /** a JPEG within Telegram's thumbnail limits (320 px, 200 kB), when one could be made */
  thumbnailPath?: string;
}

export type MediaErrorCode = Exclude<JobFailureCode, "interrupted">;

/** A failure of yt-dlp or ffmpeg, classified so the app can answer the user clearly. */
export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    /** whether trying again later may succeed */
    readonly retryable = false,
  ) {
    super(message);
    this.name = "MediaError";
  }
}
