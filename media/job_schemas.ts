/** zod schemas for what crosses the worker API: a worker's reports are checked, not trusted. */
import { z } from "zod";
import { MAX_GALLERY_ITEMS, MAX_PARTS } from "./media_types.ts";
import { YTDLP_VERSION_PATTERN } from "./ytdlp_version.ts";
import { JOB_FAILURE_CODES } from "./failure_reasons.ts";
import { isId } from "../lib/ids.ts";

const probeFormat = z.object({
  id: z.string().max(200),
  ext: z.string().max(20),
  protocol: z.string().max(50).optional(),
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  vcodec: z.string().max(100).optional(),
  acodec: z.string().max(100).optional(),
  filesize: z.number().nonnegative().optional(),
  filesizeApprox: z.number().nonnegative().optional(),
  tbr: z.number().nonnegative().optional(),
  abr: z.number().nonnegative().optional(),
  vbr: z.number().nonnegative().optional(),
});

const probeInfoSchema = z.object({
  id: z.string().min(1).max(500),
  extractor: z.string().min(1).max(100),
  webpageUrl: z.string().max(4096),
  title: z.string().max(2000),
  description: z.string().max(2000).optional(),
  uploader: z.string().max(500).optional(),
  duration: z.number().nonnegative().optional(),
  thumbnail: z.string().max(4096).optional(),
  viewCount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  likeCount: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  tags: z.array(z.string().max(100)).max(20).optional(),
  categories: z.array(z.string().max(100)).max(20).optional(),
  isLive: z.boolean(),
  formats: z.array(probeFormat).max(500),
  playlist: z.object({ title: z.string().max(2000), count: z.number().int().min(2) }).optional(),
  gallery: z.object({
    photos: z.number().int().nonnegative().max(MAX_GALLERY_ITEMS),
    videos: z.number().int().nonnegative().max(MAX_GALLERY_ITEMS),
    others: z.number().int().nonnegative().max(MAX_GALLERY_ITEMS),
  }).optional(),
});

/** entries of a listed playlist; the app caps a batch far below this */
export const PLAYLIST_ENTRIES_MAX = 500;

const playlistEntry = z.object({
  url: z.string().regex(/^https?:\/\//i).max(2048),
  title: z.string().max(300).optional(),
  playlistItem: z.number().int().positive().optional(),
});

const uploadedFile = z.object({
  fileId: z.string().min(1).max(500),
  fileUniqueId: z.string().min(1).max(200),
  kind: z.enum(["video", "audio", "document", "photo"]),
  size: z.number().nonnegative(),
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  duration: z.number().nonnegative().optional(),
  chatId: z.number().int(),
  messageId: z.number().int(),
});

/** yt-dlp's subtitle keys: "en", "pt-BR", "zh-Hans", "en-orig"; safe in callback data and regexes */
export const subtitleLanguageSchema = z.string().regex(/^[A-Za-z0-9_-]{1,30}$/);
/** enough for every manual track and the automatic ones worth offering */
export const SUBTITLE_TRACKS_MAX = 200;

const subtitleTrack = z.object({
  language: subtitleLanguageSchema,
  name: z.string().max(200).optional(),
  automatic: z.boolean(),
});

export const jobResultSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("playlist_entries"),
    title: z.string().max(2000),
    count: z.number().int().nonnegative(),
    entries: z.array(playlistEntry).min(1).max(PLAYLIST_ENTRIES_MAX),
  }),
  z.object({ kind: z.literal("probe"), info: probeInfoSchema }),
  z.object({ kind: z.literal("download"), file: uploadedFile }),
  z.object({ kind: z.literal("split"), files: z.array(uploadedFile).min(1).max(MAX_PARTS) }),
  z.object({
    kind: z.literal("album"),
    files: z.array(uploadedFile).min(1).max(MAX_GALLERY_ITEMS),
  }),
  z.object({
    kind: z.literal("record"),
    files: z.array(uploadedFile).min(1).max(1000),
    seconds: z.number().nonnegative(),
    stopped: z.boolean(),
    quotaReached: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("not_live"), info: probeInfoSchema }),
  z.object({
    kind: z.literal("subtitle_tracks"),
    title: z.string().max(2000),
    tracks: z.array(subtitleTrack).max(SUBTITLE_TRACKS_MAX),
  }),
  z.object({
    kind: z.literal("subtitles"),
    file: uploadedFile,
    translation: z.enum(["done", "failed"]).optional(),
  }),
]);

export const jobProgressSchema = z.object({
  phase: z.enum(["queued", "downloading", "processing", "uploading"]),
  percent: z.number().min(0).max(100).optional(),
  downloadedBytes: z.number().nonnegative().optional(),
  totalBytes: z.number().nonnegative().optional(),
  speed: z.number().nonnegative().optional(),
  eta: z.number().nonnegative().optional(),
  elapsedSeconds: z.number().nonnegative().optional(),
  totalSeconds: z.number().nonnegative().optional(),
});

export const jobFailureSchema = z.object({
  code: z.enum(JOB_FAILURE_CODES),
  message: z.string().max(2000),
  retryable: z.boolean(),
});

/** A worker's name and yt-dlp version go into KV keys and metric labels: short and plain. */
export const workerStatusSchema = z.object({
  worker: z.string().regex(/^[\w.:-]{1,100}$/),
  ytdlpVersion: z.string().regex(YTDLP_VERSION_PATTERN),
});

/** the most sets a job tries: the first, then the next one once */
export const JOB_COOKIE_SETS_MAX = 2;

/** what the app hands the worker holding a job: Netscape text, sealed again nowhere */
export const jobCookieSetsSchema = z.array(
  z.object({ id: z.string().refine(isId), text: z.string().max(64 * 1024) }),
).max(JOB_COOKIE_SETS_MAX);

export const cookieOutcomesSchema = z.array(
  z.object({ setId: z.string().refine(isId), worked: z.boolean() }),
).max(JOB_COOKIE_SETS_MAX);
