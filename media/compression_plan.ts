/**
 * How a file is fitted to a size, before any encoding: the bitrates, height and x264 speed that end
 * under the target, and the AAC bitrate for sound. Pure, so the preview's advice can use it too.
 */
import type { CompressPreset } from "./media_types.ts";

/** How to encode: x264's quality and speed, a height cap and the audio bitrate it may use. */
export interface VideoEncoding {
  crf: number;
  x264Preset: string;
  /** a faster x264 preset for when bits are plentiful (see ROOMY_BITS_PER_PIXEL) */
  roomyX264Preset?: string;
  maxHeight?: number;
  audioBps: number;
}

/** Fitting a download that came out too big: near the source's quality, fast enough for 2 cores. */
export const FIT_ENCODING: VideoEncoding = {
  crf: 23,
  x264Preset: "veryfast",
  roomyX264Preset: "superfast",
  audioBps: 128_000,
};

/** The seed's presets (CRF and x264 speed); lower ones also cap the height and audio bitrate. */
export const PRESET_ENCODINGS: Record<CompressPreset, VideoEncoding> = {
  low: { crf: 28, x264Preset: "ultrafast", maxHeight: 480, audioBps: 64_000 },
  medium: { crf: 23, x264Preset: "fast", maxHeight: 720, audioBps: 96_000 },
  high: { crf: 18, x264Preset: "slow", audioBps: 128_000 },
};

/** A download may be this many times the limit when it will be compressed afterwards. */
export const COMPRESSIBLE_SOURCE_FACTOR = 4;
/** x264 looks fine from about 0.05 bits per pixel; below that the picture is scaled down. */
export const MIN_BITS_PER_PIXEL = 0.05;
/** From here x264's slower presets buy nothing visible; the faster one saves a third of the CPU. */
const ROOMY_BITS_PER_PIXEL = 0.15;
/** Heights tried, largest first, when the source's own is too expensive. */
const HEIGHT_LADDER = [2160, 1440, 1080, 720, 480, 360, 240];
/** Below half the bits per pixel at the lowest height, the result would not be worth watching. */
const UNWATCHABLE_BITS_PER_PIXEL = MIN_BITS_PER_PIXEL / 2;
/** The lowest height still acceptable for a whole film; below it, splitting is the better offer. */
export const MIN_ACCEPTABLE_HEIGHT = 360;
const DEFAULT_FRAME_RATE = 30;
const DEFAULT_ASPECT = 16 / 9;
/** mp4 headers and index take a little of the budget */
const CONTAINER_OVERHEAD = 0.02;
/** VBV window: the total stays under maxrate × (duration + this) */
const BUFFER_SECONDS = 1;
const MIN_AUDIO_BPS = 32_000;
/** share of a small budget left to the sound */
const AUDIO_SHARE = 0.15;
export interface CompressionPlan {
  /** scale down to this height (never up); undefined keeps the source's */
  height?: number;
  videoMaxrate: number;
  videoBufsize: number;
  audioBps: number;
  bitsPerPixel: number;
  x264Preset: string;
}

export interface PlanInput {
  targetBytes: number;
  durationSeconds: number;
  width?: number;
  height?: number;
  frameRate?: number;
  encoding?: VideoEncoding;
}

/** The bitrates and size an encode needs to end under targetBytes; undefined when unwatchable. */
export function planCompression(input: PlanInput): CompressionPlan | undefined {
  const { targetBytes, durationSeconds, encoding = FIT_ENCODING } = input;
  if (!(durationSeconds > 0) || !(targetBytes > 0)) return undefined;
  const totalBps = (targetBytes * 8 * (1 - CONTAINER_OVERHEAD)) / durationSeconds;
  const audioBps = Math.round(
    Math.min(encoding.audioBps, Math.max(MIN_AUDIO_BPS, totalBps * AUDIO_SHARE)),
  );
  const videoBits = targetBytes * 8 * (1 - CONTAINER_OVERHEAD) - audioBps * durationSeconds;
  const videoMaxrate = Math.floor(videoBits / (durationSeconds + BUFFER_SECONDS));
  if (videoMaxrate <= 0) return undefined;
  const aspect = input.width && input.height ? input.width / input.height : DEFAULT_ASPECT;
  const fps = input.frameRate ?? DEFAULT_FRAME_RATE;
  // an unknown source height is taken as 1080p: the scale filter never enlarges anyway
  const capped = Math.min(input.height ?? 1080, encoding.maxHeight ?? Infinity);
  const heights = [capped, ...HEIGHT_LADDER.filter((h) => h < capped)];
  const bppAt = (h: number) => videoMaxrate / (evenWidth(h * aspect) * h * fps);
  const chosen = heights.find((h) => bppAt(h) >= MIN_BITS_PER_PIXEL) ?? heights.at(-1)!;
  if (bppAt(chosen) < UNWATCHABLE_BITS_PER_PIXEL) return undefined;
  const keepsSource = input.height !== undefined && chosen >= input.height;
  return {
    height: keepsSource ? undefined : chosen,
    videoMaxrate,
    videoBufsize: Math.round(videoMaxrate * BUFFER_SECONDS),
    audioBps,
    bitsPerPixel: bppAt(chosen),
    x264Preset: bppAt(chosen) >= ROOMY_BITS_PER_PIXEL
      ? encoding.roomyX264Preset ?? encoding.x264Preset
      : encoding.x264Preset,
  };
}

const MAX_AUDIO_BPS = 192_000;
const MIN_SPEECH_BPS = 24_000;

/** The AAC bitrate that fits; undefined below what speech needs. */
export function audioBitrateFor(targetBytes: number, durationSeconds: number): number | undefined {
  if (!(durationSeconds > 0)) return undefined;
  const bps = (targetBytes * 8 * (1 - CONTAINER_OVERHEAD)) / durationSeconds;
  if (bps < MIN_SPEECH_BPS) return undefined;
  return Math.floor(Math.min(bps, MAX_AUDIO_BPS));
}

function evenWidth(width: number): number {
  return Math.max(2, Math.round(width / 2) * 2);
}
