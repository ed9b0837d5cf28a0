/**
 * ffmpeg to a target size. Video: x264 with constrained CRF (the CRF sets the quality, maxrate and
 * bufsize cap the bits), scaled down when the bits per pixel would be too low; audio: MP3 or AAC
 * (as the file was) at the bitrate the size allows. The output is measured and encoded again, smaller, until it fits.
 */
import { extname } from "node:path";
import { MediaError } from "../media/media_types.ts";
import {
  audioBitrateFor,
  type CompressionPlan,
  FIT_ENCODING,
  planCompression,
  type VideoEncoding,
} from "../media/compression_plan.ts";
import { formatMegabytes } from "../media/formats.ts";
import { runProcess } from "./process.ts";
import { fileUrl, localMediaInput } from "./ffmpeg.ts";

const MAX_ATTEMPTS = 3;
/** each new attempt aims this much below the measured overshoot */
const STEP_DOWN_MARGIN = 0.9;

/** ffmpeg's arguments for one video encode; the benchmark runs the very same command. */
export function buildVideoArgs(
  input: string,
  output: string,
  plan: CompressionPlan,
  encoding: VideoEncoding,
): string[] {
  return [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...localMediaInput(input)],
    ...["-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", plan.x264Preset],
    ...["-crf", String(encoding.crf), "-maxrate", String(plan.videoMaxrate)],
    ...["-bufsize", String(plan.videoBufsize), "-pix_fmt", "yuv420p"],
    ...(plan.height ? ["-vf", `scale=-2:'min(ih,${plan.height})'`] : []),
    ...["-c:a", "aac", "-b:a", String(plan.audioBps), "-ac", "2"],
    ...["-movflags", "+faststart", "-f", "mp4", fileUrl(output)],
  ];
}

export interface CompressOptions {
  targetBytes: number;
  durationSeconds: number;
  /** where the result goes (overwritten) */
  outPath: string;
  width?: number;
  height?: number;
  frameRate?: number;
  encoding?: VideoEncoding;
  ffmpegPath?: string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** percent of the current encode, from ffmpeg's -progress output */
  onProgress?: (percent: number) => void;
}

export interface CompressResult {
  path: string;
  size: number;
  /** the video plan of the last attempt; none for sound */
  plan?: CompressionPlan;
  attempts: number;
}

/** Re-encodes a video under targetBytes, stepping down when the result is still too big. */
export async function compressToFit(
  input: string,
  options: CompressOptions,
): Promise<CompressResult> {
  const encoding = options.encoding ?? FIT_ENCODING;
  let aim = options.targetBytes;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const plan = planCompression({ ...options, targetBytes: aim, encoding });
    if (!plan) throw cannotFit(options.targetBytes, options.durationSeconds);
    await runEncode(buildVideoArgs(input, options.outPath, plan, encoding), options);
    const { size } = await Deno.stat(options.outPath);
    if (size <= options.targetBytes) {
      return { path: options.outPath, size, plan, attempts: attempt };
    }
    aim = aim * (options.targetBytes / size) * STEP_DOWN_MARGIN;
  }
  throw cannotFit(options.targetBytes, options.durationSeconds);
}

export type AudioCompressOptions = Omit<
  CompressOptions,
  "width" | "height" | "frameRate" | "encoding"
>;

/**
 * Re-encodes sound under targetBytes in the format the output's name says: MP3 for ".mp3", AAC in
 * m4a otherwise. Tags and the cover are kept: the file stays what was asked for, only smaller.
 */
export async function compressAudioToFit(
  input: string,
  options: AudioCompressOptions,
): Promise<CompressResult> {
  const mp3 = extname(options.outPath).toLowerCase() === ".mp3";
  let aim = options.targetBytes;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const audioBps = audioBitrateFor(aim, options.durationSeconds);
    if (audioBps === undefined) throw cannotFit(options.targetBytes, options.durationSeconds);
    const bitrate = ["-b:a", String(audioBps)];
    await runEncode([
      ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...localMediaInput(input)],
      ...["-map", "0:a:0", "-map", "0:v?", "-c:v", "copy", "-disposition:v", "attached_pic"],
      ...(mp3
        ? ["-c:a", "libmp3lame", ...bitrate, "-id3v2_version", "3", "-f", "mp3"]
        : ["-c:a", "aac", ...bitrate, "-movflags", "+faststart", "-f", "mp4"]),
      fileUrl(options.outPath),
    ], options);
    const { size } = await Deno.stat(options.outPath);
    if (size <= options.targetBytes) return { path: options.outPath, size, attempts: attempt };
    aim = aim * (options.targetBytes / size) * STEP_DOWN_MARGIN;
  }
  throw cannotFit(options.targetBytes, options.durationSeconds);
}

async function runEncode(args: string[], options: CompressOptions | AudioCompressOptions) {
  const readProgress = ffmpegProgressReader(options.durationSeconds);
  const result = await runProcess(
    options.ffmpegPath ?? "ffmpeg",
    [...args.slice(0, -1), "-progress", "pipe:1", "-nostats", args.at(-1)!],
    {
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onStdoutLine: (line) => {
        const percent = readProgress(line);
        if (percent !== undefined) options.onProgress?.(percent);
      },
    },
  );
  if (result.code !== 0) {
    const reason = result.stderrTail.trim().split("\n").pop() ?? "";
    throw new MediaError("failed", `ffmpeg could not re-encode the file: ${reason}`);
  }
}

/**
 * Reads `-progress pipe:1` blocks ("out_time_us=…" … "progress=continue|end") into a percent of
 * durationSeconds, once per block. ffmpeg's out_time_ms also counts microseconds.
 */
export function ffmpegProgressReader(
  durationSeconds: number,
): (line: string) => number | undefined {
  let outTimeUs: number | undefined;
  return (line) => {
    const [key, value] = line.split("=", 2);
    if (key === "out_time_us" || (key === "out_time_ms" && outTimeUs === undefined)) {
      const us = Number(value);
      if (Number.isFinite(us) && us >= 0) outTimeUs = us;
      return undefined;
    }
    if (key !== "progress") return undefined;
    if (value === "end") return 100;
    if (outTimeUs === undefined || !(durationSeconds > 0)) return undefined;
    const percent = (outTimeUs / 1e6 / durationSeconds) * 100;
    outTimeUs = undefined;
    return Math.min(100, Math.round(percent * 10) / 10);
  };
}

function cannotFit(targetBytes: number, durationSeconds: number): MediaError {
  return new MediaError(
    "too_large",
    `${Math.round(durationSeconds)} s of media cannot be made watchable within ${
      formatMegabytes(targetBytes)
    }.`,
  );
}
