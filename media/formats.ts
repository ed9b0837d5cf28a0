/** Pure format selection over a trimmed probe: what to offer, how big it is, what to ask yt-dlp for. */
import {
  type AudioFormat,
  audioFormatOf,
  MediaError,
  mp3Kbps,
  type ProbeFormat,
  type ProbeInfo,
  qualityOf,
  type QualityVariant,
  type Variant,
  VIDEO_HEIGHTS,
} from "./media_types.ts";

export interface FormatSelection {
  /** a yt-dlp `-f` selector: the exact format ids first, then a generic fallback with the same cap */
  selector: string;
  estimatedBytes?: number;
  /** height of the chosen video format, when known; lower than asked when it had to step down */
  height?: number;
  /** the result is audio only: the audio variant, or "best" of a source without video */
  audioOnly: boolean;
}

/** The formats one download would fetch, e.g. a video-only stream plus the audio to merge in. */
interface Plan {
  formats: ProbeFormat[];
  height?: number;
  estimatedBytes?: number;
}

const AUDIO_FALLBACK_SELECTOR = "bestaudio[ext=m4a]/bestaudio/best";
const MIN_STEP_DOWN_HEIGHT = 360;
const AUDIO_EXTS = new Set(["m4a", "mp3", "aac", "opus", "ogg", "oga", "wav", "flac", "weba"]);

/** Bytes of a format: its known size, or bitrate (kbit/s, as yt-dlp counts them) times duration. */
export function estimateSize(format: ProbeFormat, duration?: number): number | undefined {
  const known = positive(format.filesize) ?? positive(format.filesizeApprox);
  if (known !== undefined) return known;
  const kbps = positive(format.tbr) ?? positive((format.vbr ?? 0) + (format.abr ?? 0));
  return bitrateSize(kbps, duration);
}

/** The variants worth offering: "best", each height band that really has a format, and "audio". */
export function availableVariants(info: ProbeInfo): QualityVariant[] {
  const videos = info.formats.filter(hasVideo);
  const variants: QualityVariant[] = [];
  if (videos.length > 0 || info.formats.length === 0) variants.push("best");
  VIDEO_HEIGHTS.forEach((height, index) => {
    const below = VIDEO_HEIGHTS[index + 1] ?? 0;
    const inBand = videos.some((f) =>
      f.height !== undefined && f.height > below && f.height <= height
    );
    if (inBand) variants.push(heightVariant(height));
  });
  if (info.formats.some(hasAudio)) variants.push("audio");
  return variants;
}

/**
 * The estimated size of each offered variant, without any size limit; "audio" is the sound in the
 * given format (M4A, the source's audio as it is, by default).
 */
export function estimateVariantSizes(
  info: ProbeInfo,
  audioFormat: AudioFormat = "m4a",
): Partial<Record<Variant, number>> {
  const sizes: Partial<Record<Variant, number>> = {};
  for (const variant of availableVariants(info)) {
    const plan = candidatePlans(info, variant)[0];
    const bytes = variant === "audio"
      ? soundBytes(info, audioFormat, plan?.estimatedBytes)
      : plan?.estimatedBytes;
    if (bytes !== undefined) sizes[variant] = bytes;
  }
  return sizes;
}

/** Room for the cover an audio file embeds: the site's thumbnail as a JPEG. */
const COVER_ALLOWANCE_BYTES = 250_000;

/** The estimated size of the file a download of `variant` makes (a split's: all its parts). */
export function estimateDownloadBytes(info: ProbeInfo, variant: Variant): number | undefined {
  const audioFormat = audioFormatOf(variant);
  if (!audioFormat) return estimateVariantSizes(info)[variant === "split" ? "best" : variant];
  const sound = estimateVariantSizes(info, audioFormat).audio;
  return sound === undefined ? undefined : sound + COVER_ALLOWANCE_BYTES;
}

/** An MP3 is its bitrate times the duration, whatever the source; an M4A keeps the source's audio. */
function soundBytes(
  info: ProbeInfo,
  format: AudioFormat,
  sourceBytes: number | undefined,
): number | undefined {
  const kbps = mp3Kbps(format);
  return kbps === undefined ? sourceBytes : bitrateSize(kbps, info.duration);
}

export interface VariantEstimate {
  variant: QualityVariant;
  sizeBytes?: number;
  /** of the best video it would fetch; undefined for audio */
  height?: number;
}

/** Each offered variant with the size and height of the best version it would fetch. */
export function estimateVariants(info: ProbeInfo): VariantEstimate[] {
  return availableVariants(info).map((variant) => {
    const plan = candidatePlans(info, variant)[0];
    const audio = variant === "audio" || !plan?.formats.some(hasVideo);
    return { variant, sizeBytes: plan?.estimatedBytes, height: audio ? undefined : plan?.height };
  });
}

/**
 * Picks what to download for a variant within maxBytes, stepping down to smaller formats when the
 * best one is estimated too large. A plan of unknown size is accepted: the download guards it.
 * With maxSourceBytes (the caller compresses what is too big), the best plan within it comes next.
 */
export function selectFormat(
  info: ProbeInfo,
  variant: Variant,
  maxBytes: number,
  maxSourceBytes = maxBytes,
): FormatSelection {
  const plans = candidatePlans(info, qualityOf(variant));
  if (plans.length === 0) {
    throw new MediaError("failed", `No ${describeVariant(variant)} version of this media exists.`);
  }
  const within = (limit: number) =>
    plans.find((p) => p.estimatedBytes === undefined || p.estimatedBytes <= limit);
  const native = within(maxBytes);
  const compressible = within(maxSourceBytes);
  // stepping down below 360p looks worse than compressing a better version to the limit
  const tooSmall = (native?.height ?? Infinity) < MIN_STEP_DOWN_HEIGHT &&
    (compressible?.height ?? 0) > (native?.height ?? 0);
  const fitting = native && !tooSmall ? native : compressible;
  if (!fitting) {
    const smallest = plans.reduce((a, b) =>
      (b.estimatedBytes ?? 0) < (a.estimatedBytes ?? 0) ? b : a
    );
    throw new MediaError(
      "too_large",
      `Even the smallest ${describePlan(smallest, variant)} version is about ${
        formatMegabytes(smallest.estimatedBytes ?? 0)
      }, more than the ${formatMegabytes(maxBytes)} limit.`,
    );
  }
  const exact = fitting.formats.map((f) => f.id).join("+");
  const audioOnly = qualityOf(variant) === "audio" || !fitting.formats.some(hasVideo);
  const fallback = audioOnly ? AUDIO_FALLBACK_SELECTOR : videoFallbackSelector(fitting.height);
  return {
    selector: `${exact}/${fallback}`,
    estimatedBytes: fitting.estimatedBytes,
    height: audioOnly ? undefined : fitting.height,
    audioOnly,
  };
}

/** Plans for a variant, best first. */
function candidatePlans(info: ProbeInfo, variant: QualityVariant): Plan[] {
  if (variant === "audio") return audioPlans(info);
  const videos = info.formats.filter(hasVideo);
  // "best" on a source without video is the best audio as it is
  if (variant === "best" && videos.length === 0) return audioPlans(info);
  const cap = variant === "best" ? undefined : Number(variant);
  const allowed = cap === undefined
    ? videos
    : videos.filter((f) => f.height !== undefined && f.height <= cap);
  const audio = rankAudio(info.formats.filter(isAudioOnly))[0];
  return rankVideo(info.formats, allowed).map((video) => {
    const formats = video.acodec === "none" && audio ? [video, audio] : [video];
    return { formats, height: video.height, estimatedBytes: sumEstimates(formats, info.duration) };
  });
}

/** Audio-only formats, or when there are none, the smallest formats carrying audio to extract it from. */
function audioPlans(info: ProbeInfo): Plan[] {
  const audioOnly = rankAudio(info.formats.filter(isAudioOnly));
  if (audioOnly.length > 0) {
    return audioOnly.map((f) => ({ formats: [f], estimatedBytes: estimateSize(f, info.duration) }));
  }
  const muxed = info.formats.filter((f) => hasVideo(f) && hasAudio(f));
  return rankVideo(info.formats, muxed).reverse().map((f) => ({
    formats: [f],
    height: f.height,
    estimatedBytes: bitrateSize(positive(f.abr), info.duration),
  }));
}

/** Highest first; at the same height mp4 first; then yt-dlp's own order (its list is worst to best). */
function rankVideo(all: ProbeFormat[], candidates: ProbeFormat[]): ProbeFormat[] {
  return [...candidates].sort((a, b) =>
    (b.height ?? 0) - (a.height ?? 0) ||
    Number(isMp4(b)) - Number(isMp4(a)) ||
    all.indexOf(b) - all.indexOf(a)
  );
}

/** m4a first (it needs no re-encoding), then the higher bitrate, then yt-dlp's order. */
function rankAudio(candidates: ProbeFormat[]): ProbeFormat[] {
  return candidates
    .map((format, index) => ({ format, index }))
    .sort((a, b) =>
      Number(isM4a(b.format)) - Number(isM4a(a.format)) ||
      (b.format.abr ?? b.format.tbr ?? 0) - (a.format.abr ?? a.format.tbr ?? 0) ||
      b.index - a.index
    )
    .map(({ format }) => format);
}

function bitrateSize(kbps: number | undefined, duration: number | undefined): number | undefined {
  if (kbps === undefined || !duration) return undefined;
  return Math.round((kbps * 1000 * duration) / 8);
}

/** yt-dlp reports 0 for some unknown sizes and bitrates (e.g. abr of muxed HLS variants) */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function sumEstimates(formats: ProbeFormat[], duration?: number): number | undefined {
  let total = 0;
  for (const format of formats) {
    const size = estimateSize(format, duration);
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

function videoFallbackSelector(height?: number): string {
  const cap = height === undefined ? "" : `[height<=${height}]`;
  return `bestvideo${cap}[ext=mp4]+bestaudio[ext=m4a]/bestvideo${cap}+bestaudio/best${cap}`;
}

/** Unknown codecs count as present unless the extension says audio: generic pages often omit them. */
function hasVideo(format: ProbeFormat): boolean {
  if (format.vcodec !== undefined) return format.vcodec !== "none";
  return !AUDIO_EXTS.has(format.ext);
}

function hasAudio(format: ProbeFormat): boolean {
  return format.acodec !== "none";
}

function isAudioOnly(format: ProbeFormat): boolean {
  return !hasVideo(format) && hasAudio(format);
}

function isMp4(format: ProbeFormat): boolean {
  return format.ext === "mp4";
}

function isM4a(format: ProbeFormat): boolean {
  return format.ext === "m4a" || (format.acodec?.startsWith("mp4a") ?? false);
}

function heightVariant(height: (typeof VIDEO_HEIGHTS)[number]): QualityVariant {
  return `${height}`;
}

function describeVariant(variant: Variant): string {
  const quality = qualityOf(variant);
  if (quality === "audio" || quality === "best") return quality;
  return `${quality}p or lower`;
}

function describePlan(plan: Plan, variant: Variant): string {
  if (qualityOf(variant) === "audio") return "audio";
  return plan.height === undefined ? "video" : `${plan.height}p`;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;
}
