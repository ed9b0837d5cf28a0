/** ffprobe and ffmpeg for finished files: what is inside, and a thumbnail Telegram accepts. */
import { extname, resolve } from "node:path";
import { z } from "zod";
import { type DownloadedMedia, MediaError, type MediaKind } from "../media/media_types.ts";
import { formatMegabytes } from "../media/formats.ts";
import { runProcess } from "./process.ts";
import { mp4Duration } from "./mp4_duration.ts";

export interface MediaFileInfo {
  width?: number;
  height?: number;
  /** seconds */
  duration?: number;
  /** frames per second of the video stream */
  frameRate?: number;
  hasVideo: boolean;
  hasAudio: boolean;
  /** an audio file's embedded cover art (a one-frame "video" stream marked attached_pic) */
  hasCover: boolean;
  /** ffprobe's demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  formatName: string;
}

export interface FfprobeOptions {
  ffprobePath?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ThumbnailOptions {
  ffmpegPath?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** where to take the frame; the first frame is often black */
  atSeconds?: number;
}

/** Protocols ffmpeg may use for a stream from the network (httpproxy: https through the egress guard). */
export const NETWORK_PROTOCOLS = "http,https,tcp,tls,crypto,httpproxy";

/**
 * Demuxers of the media files (and thumbnails) the bot handles. A downloaded "video" can be a
 * playlist (HLS, DASH, concat) naming file: segments elsewhere on disk: those are not among them.
 */
const MEDIA_DEMUXERS = [
  ...["mov", "matroska", "mp3", "aac", "ogg", "mpegts", "flv", "wav", "flac", "avi", "asf"],
  ...["mpeg", "m4v", "h264", "hevc", "ac3", "eac3", "caf", "aiff", "amr", "ivf", "wv", "ape"],
  ...["dts", "image2", "jpeg_pipe", "png_pipe", "webp_pipe"],
].join(",");

/** Input options for a media file on disk: read from that file as media, from nowhere else. */
export const LOCAL_MEDIA_INPUT = [
  "-protocol_whitelist",
  "file",
  "-format_whitelist",
  MEDIA_DEMUXERS,
];

/** `-i` of a media file on disk, with LOCAL_MEDIA_INPUT. */
export function localMediaInput(path: string): string[] {
  return [...LOCAL_MEDIA_INPUT, "-i", fileUrl(path)];
}

/** Telegram's limits for a thumbnail: JPEG, at most 320 px a side, under 200 kB. */
const THUMBNAIL_MAX_SIDE = 320;
const THUMBNAIL_MAX_BYTES = 200_000;
/** ffmpeg's JPEG quality scale (2 best … 31 worst), tried in turn until the file is small enough */
const THUMBNAIL_QUALITIES = [4, 12, 31];

const optionalNumber = z.coerce.number().optional().catch(undefined);
const ffprobeOutput = z.object({
  streams: z.array(z.object({
    codec_type: z.string().optional().catch(undefined),
    width: optionalNumber,
    height: optionalNumber,
    duration: optionalNumber,
    avg_frame_rate: z.string().optional().catch(undefined),
    disposition: z.object({ attached_pic: optionalNumber }).optional().catch(undefined),
  })).catch([]),
  format: z.object({
    format_name: z.string().catch(""),
    duration: optionalNumber,
  }).catch({ format_name: "", duration: undefined }),
});

export async function ffprobeMedia(
  path: string,
  options: FfprobeOptions = {},
): Promise<MediaFileInfo> {
  const { ffprobePath = "ffprobe", signal, timeoutMs = 30_000 } = options;
  const args = ["-v", "error", "-print_format", "json", "-show_format", "-show_streams"];
  const result = await runProcess(ffprobePath, [...args, ...localMediaInput(path)], {
    signal,
    timeoutMs,
  });
  if (result.code !== 0) {
    throw new MediaError(
      "failed",
      `ffprobe could not read the file: ${lastLine(result.stderrTail)}`,
    );
  }
  const parsed = ffprobeOutput.safeParse(parseJson(result.stdout));
  if (!parsed.success) throw new MediaError("failed", "ffprobe printed unexpected output");
  const { streams, format } = parsed.data;
  // cover art in audio files shows up as a one-frame "video" stream
  const video = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === "audio");
  return {
    width: video?.width,
    height: video?.height,
    duration: format.duration ?? video?.duration ?? audio?.duration,
    frameRate: parseFrameRate(video?.avg_frame_rate),
    hasVideo: video !== undefined,
    hasAudio: audio !== undefined,
    hasCover: streams.some((s) => s.codec_type === "video" && s.disposition?.attached_pic),
    formatName: format.format_name,
  };
}

/** Writes one frame as a JPEG within Telegram's thumbnail limits; throws when it cannot. */
async function makeThumbnail(
  videoPath: string,
  outPath: string,
  options: ThumbnailOptions = {},
): Promise<void> {
  const { ffmpegPath = "ffmpeg", signal, timeoutMs = 60_000, atSeconds = 0 } = options;
  const side = THUMBNAIL_MAX_SIDE;
  const scale =
    `scale=w='min(${side},iw)':h='min(${side},ih)':force_original_aspect_ratio=decrease`;
  for (const quality of THUMBNAIL_QUALITIES) {
    const args = [
      ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y"],
      // an audio file's cover is its one frame: any -ss, even 0, passes it by in an mp3
      ...(atSeconds > 0 ? ["-ss", atSeconds.toFixed(3)] : []),
      ...localMediaInput(videoPath),
      ...["-map", "0:v:0", "-frames:v", "1", "-vf", scale, "-q:v", String(quality)],
      ...["-f", "mjpeg", fileUrl(outPath)],
    ];
    const result = await runProcess(ffmpegPath, args, { signal, timeoutMs });
    const size = await fileSize(outPath);
    if (result.code !== 0 || size === undefined || size === 0) {
      throw new MediaError(
        "failed",
        `ffmpeg could not make a thumbnail: ${lastLine(result.stderrTail)}`,
      );
    }
    if (size < THUMBNAIL_MAX_BYTES) return;
  }
  throw new MediaError("failed", "the thumbnail stays too large even at the lowest quality");
}

export interface DescribeOptions {
  maxBytes: number;
  /** where a video's thumbnail (or an audio file's cover) goes */
  thumbnailPath: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  signal?: AbortSignal;
}

const MIME_TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4a": "audio/mp4",
  ".mp3": "audio/mpeg",
  ".webm": "video/webm",
  ".mkv": "video/x-matroska",
  ".mov": "video/quicktime",
  ".opus": "audio/ogg",
  ".ogg": "audio/ogg",
};

/** What an upload needs to know about a finished file, with a thumbnail of a video or a cover. */
export async function describeMediaFile(
  path: string,
  options: DescribeOptions,
): Promise<DownloadedMedia> {
  const { size } = await Deno.stat(path);
  if (size > options.maxBytes) {
    throw new MediaError(
      "too_large",
      `The file is ${formatMegabytes(size)}, more than the ${
        formatMegabytes(options.maxBytes)
      } limit.`,
    );
  }
  const { ffprobePath, signal } = options;
  const ext = extname(path).toLowerCase();
  // an mp4 declares its length up front: its thumbnail is cut while ffprobe runs
  const declared = ext === ".mp4" ? await mp4Duration(path).catch(() => undefined) : undefined;
  // both are awaited whatever happens: no ffmpeg outlives the call (the caller removes the
  // directory), and a cancelled thumbnail is never a rejection left without a handler
  const [probed, early] = await Promise.allSettled([
    ffprobeMedia(path, { ffprobePath, signal }),
    declared === undefined ? undefined : thumbnailOf(path, declared, options),
  ]);
  if (probed.status === "rejected") throw probed.reason;
  if (early.status === "rejected") throw early.reason;
  const probe = probed.value;
  const kind = mediaKind(ext, probe);
  const media: DownloadedMedia = {
    path,
    kind,
    mimeType: MIME_TYPES[ext] ?? "application/octet-stream",
    size,
    width: probe.width,
    height: probe.height,
    duration: probe.duration,
  };
  if (kind === "video") {
    media.thumbnailPath = declared === undefined
      ? await thumbnailOf(path, probe.duration, options)
      : early.value;
  } else if (kind === "audio" && probe.hasCover) {
    // the cover, scaled within Telegram's limits, shows in its player
    media.thumbnailPath = await thumbnailOf(path, undefined, options);
  }
  return media;
}

/** The video's thumbnail path, or undefined when none could be made; a cancellation still throws. */
async function thumbnailOf(
  path: string,
  duration: number | undefined,
  options: DescribeOptions,
): Promise<string | undefined> {
  try {
    // the first frame is often black; a tenth in (at most 10 s) usually shows something
    const atSeconds = duration ? Math.min(duration / 10, 10) : 0;
    const { ffmpegPath, signal } = options;
    await makeThumbnail(path, options.thumbnailPath, { ffmpegPath, signal, atSeconds });
    return options.thumbnailPath;
  } catch (error) {
    // a video without a thumbnail is still worth sending
    if (error instanceof MediaError && error.code === "cancelled") throw error;
    return undefined;
  }
}

/** Telegram plays mp4 video and m4a/mp3 audio inline; anything else goes as a file. */
function mediaKind(ext: string, probe: MediaFileInfo): MediaKind {
  if (ext === ".mp4" && probe.hasVideo) return "video";
  if (!probe.hasVideo && probe.hasAudio && (ext === ".m4a" || ext === ".mp3")) return "audio";
  return "document";
}

/** An explicit file: URL, so a name like "-x" or "http:..." is never taken for an option or protocol. */
export function fileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ffprobe writes rates as fractions: "30000/1001"; "0/0" when unknown. */
function parseFrameRate(rate: string | undefined): number | undefined {
  const [num, den = "1"] = rate?.split("/") ?? [];
  const fps = Number(num) / Number(den);
  return Number.isFinite(fps) && fps > 0 ? fps : undefined;
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
