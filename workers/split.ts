/** Cuts a long file into parts that each fit the upload limit: ffmpeg's segment muxer, stream copy. */
import { join, resolve } from "node:path";
import { MAX_PARTS, MediaError } from "../media/media_types.ts";
import { formatMegabytes } from "../media/formats.ts";
import { runProcess } from "./process.ts";
import { localMediaInput } from "./ffmpeg.ts";

export interface SplitOptions {
  maxPartBytes: number;
  durationSeconds: number;
  /** an empty directory for the parts */
  outDir: string;
  ffmpegPath?: string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** at most this many parts; more fails with too_large */
  maxParts?: number;
}

/** parts are cut at keyframes, so they aim below the limit to leave room for a late cut */
const FIRST_AIM = 0.85;
const MAX_ATTEMPTS = 4;
const PART_NAME = /^part\d{3}\.mp4$/;

/** The parts in order; each is at most maxPartBytes. */
export async function splitIntoParts(input: string, options: SplitOptions): Promise<string[]> {
  const { size } = await Deno.stat(input);
  const maxParts = options.maxParts ?? MAX_PARTS;
  let segmentSeconds = options.durationSeconds * (options.maxPartBytes * FIRST_AIM) / size;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (options.durationSeconds / segmentSeconds > maxParts) break;
    await removeParts(options.outDir);
    await runSegment(input, segmentSeconds, options);
    const parts = await listParts(options.outDir);
    const sizes = await Promise.all(parts.map(async (p) => (await Deno.stat(p)).size));
    const largest = Math.max(...sizes);
    if (parts.length > maxParts) break;
    if (largest <= options.maxPartBytes) return parts;
    segmentSeconds *= (options.maxPartBytes / largest) * FIRST_AIM;
  }
  throw new MediaError(
    "too_large",
    `The file cannot be cut into at most ${maxParts} parts of ${
      formatMegabytes(options.maxPartBytes)
    }.`,
  );
}

async function runSegment(input: string, segmentSeconds: number, options: SplitOptions) {
  const args = [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...localMediaInput(input)],
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "segment"],
    ...["-segment_time", segmentSeconds.toFixed(3), "-reset_timestamps", "1"],
    ...["-segment_format", "mp4", "-segment_format_options", "movflags=+faststart"],
    `file:${join(resolve(options.outDir), "part%03d.mp4")}`,
  ];
  const result = await runProcess(options.ffmpegPath ?? "ffmpeg", args, {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (result.code !== 0) {
    const reason = result.stderrTail.trim().split("\n").pop() ?? "";
    throw new MediaError("failed", `ffmpeg could not split the file: ${reason}`);
  }
}

async function listParts(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && PART_NAME.test(entry.name)) names.push(entry.name);
  }
  return names.sort().map((name) => join(dir, name));
}

async function removeParts(dir: string) {
  for (const path of await listParts(dir)) await Deno.remove(path);
}
