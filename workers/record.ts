/**
 * Records a live stream with ffmpeg (stream copy into MPEG-TS, which stays readable however the
 * recording ends), then remuxes it to mp4 in as many parts as the upload limit needs.
 */
import type { Api } from "grammy";
import { join, resolve } from "node:path";
import type { JobProgress } from "../media/job_types.ts";
import type { JobResult, RecordPayload, UploadedFile } from "../media/job_types.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import type { UrlGuard } from "../lib/url_guard.ts";
import { describeMediaFile, ffprobeMedia, localMediaInput, NETWORK_PROTOCOLS } from "./ffmpeg.ts";
import { inspectStream, type StreamInput } from "./live_stream.ts";
import { MediaError } from "../media/media_types.ts";
import { runProcess } from "./process.ts";
import { uploadMedia } from "./upload.ts";
import { type YtdlpSetup, ytdlpSetupOf } from "./ytdlp_run.ts";

export interface RecordJobOptions extends YtdlpSetup {
  outDir: string;
  maxUploadBytes: number;
  ffmpegPath: string;
  ffprobePath: string;
  urlGuard: UrlGuard;
  /** cancels: nothing is delivered */
  signal: AbortSignal;
  /** ends the recording early; what was recorded is delivered */
  stopSignal: AbortSignal;
  onProgress: (progress: JobProgress) => void;
}

/** The longest recording any plan allows (premium: 180 minutes). */
const MAX_RECORD_SECONDS = 180 * 60;
const INSPECT_TIMEOUT_MS = 90_000;
/** time for ffmpeg to connect and finish beyond the recording itself */
const RECORD_MARGIN_MS = 120_000;
/** a stream that sends nothing for this long has ended (ffmpeg's -rw_timeout, in µs) */
const STALL_TIMEOUT_US = 20_000_000;
const REMUX_TIMEOUT_MS = 10 * 60_000;
/** mp4 parts come out a little smaller than their MPEG-TS source; aim below the limit anyway */
const PART_TARGET_RATIO = 0.9;
const SPLIT_ATTEMPTS = 4;
/** ffmpeg's -fs stops a little past its limit: aim this far below the recording's reservation */
const RESERVATION_TARGET_RATIO = 0.9;
const RECORDING_FILE = "recording.ts";

export async function runRecordJob(
  payload: RecordPayload,
  api: Api,
  options: RecordJobOptions,
): Promise<JobResult> {
  const { signal } = options;
  const inspection = await inspectStream(payload.url, {
    signal,
    timeoutMs: INSPECT_TIMEOUT_MS,
    ...ytdlpSetupOf(options),
    urlGuard: options.urlGuard,
  });
  if (!inspection.live) return { kind: "not_live", info: inspection.info };
  const seconds = Math.min(payload.seconds, MAX_RECORD_SECONDS);
  const recordingPath = join(resolve(options.outDir), RECORDING_FILE);
  const sizeLimit = payload.maxBytes === undefined
    ? undefined
    : Math.floor(payload.maxBytes * RESERVATION_TARGET_RATIO);
  const recorded = await recordStream(inspection.inputs, recordingPath, seconds, {
    ...options,
    maxBytes: sizeLimit,
  });
  const quotaReached = sizeLimit !== undefined &&
    (await Deno.stat(recordingPath)).size >= sizeLimit;
  options.onProgress({ phase: "processing" });
  const parts = await splitForUpload(recordingPath, options);
  const partSizes = await Promise.all(parts.map(async (part) => (await Deno.stat(part)).size));
  const total = partSizes.reduce((sum, size) => sum + size, 0);
  if (payload.maxBytes !== undefined && total > payload.maxBytes) {
    throw new MediaError("too_large", "The recording came out larger than the quota it reserved.");
  }
  const files: UploadedFile[] = [];
  for (const [index, path] of parts.entries()) {
    options.onProgress({ phase: "uploading", percent: (index / parts.length) * 100 });
    const media = await describeMediaFile(path, {
      maxBytes: options.maxUploadBytes,
      thumbnailPath: `${path}.jpg`,
      ffmpegPath: options.ffmpegPath,
      ffprobePath: options.ffprobePath,
      signal,
    });
    const caption = partCaption(payload, inspection.info.title, index, parts.length);
    const title = parts.length > 1
      ? `${inspection.info.title} (${index + 1}-${parts.length})`
      : inspection.info.title;
    files.push(
      await uploadMedia(api, { ...payload, caption, title }, media, signal),
    );
  }
  const stopped = recorded.stopped || recorded.seconds < seconds - 1;
  return {
    kind: "record",
    files,
    seconds: recorded.seconds,
    stopped,
    ...(quotaReached ? { quotaReached } : {}),
  };
}

function partCaption(payload: RecordPayload, title: string, index: number, count: number): string {
  const part = count > 1 ? ` · ${escapeHtml(payload.partLabel)} ${index + 1}/${count}` : "";
  return `🔴 <b>${escapeHtml(truncate(title, 200))}</b>${part}\n${payload.caption}`;
}

export interface Recording {
  /** length of what was recorded */
  seconds: number;
  /** ended before the requested length: stop button, stream end or stall */
  stopped: boolean;
}

/**
 * Arguments for one recording: stream copy of the best video and audio into MPEG-TS, ending
 * after `seconds` or once `maxBytes` are written, whichever comes first.
 */
export function buildRecordArgs(
  inputs: readonly StreamInput[],
  outPath: string,
  seconds: number,
  maxBytes?: number,
): string[] {
  const inputArgs = inputs.flatMap((input) => {
    const { "User-Agent": userAgent, ...others } = input.headers;
    const headerBlock = Object.entries(others)
      .filter(([name, value]) => !/[\r\n]/.test(name + value))
      .map(([name, value]) => `${name}: ${value}\r\n`).join("");
    return [
      // network protocols only (httpproxy: https through the egress proxy), never local files
      ...["-protocol_whitelist", NETWORK_PROTOCOLS],
      ...["-rw_timeout", String(STALL_TIMEOUT_US)],
      ...(userAgent ? ["-user_agent", userAgent] : []),
      ...(headerBlock ? ["-headers", headerBlock] : []),
      ...["-i", input.url],
    ];
  });
  const maps = inputs.length > 1 ? ["-map", "0:v:0", "-map", "1:a:0"] : [];
  return [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y"],
    ...inputArgs,
    ...maps,
    ...["-t", seconds.toFixed(3), "-c", "copy", "-f", "mpegts"],
    ...(maxBytes === undefined ? [] : ["-fs", String(maxBytes)]),
    ...["-progress", "pipe:1", "-stats_period", "1"],
    `file:${outPath}`,
  ];
}

export async function recordStream(
  inputs: readonly StreamInput[],
  outPath: string,
  seconds: number,
  options:
    & Pick<RecordJobOptions, "ffmpegPath" | "ffprobePath" | "signal" | "stopSignal" | "onProgress">
    & { maxBytes?: number },
): Promise<Recording> {
  const { signal, stopSignal } = options;
  let elapsed = 0;
  const onStdoutLine = (line: string) => {
    const match = line.match(/^out_time_us=(\d+)$/);
    if (!match) return;
    elapsed = Math.min(Number(match[1]) / 1e6, seconds);
    options.onProgress({
      phase: "downloading",
      percent: Math.round((elapsed / seconds) * 1000) / 10,
      elapsedSeconds: Math.round(elapsed),
      totalSeconds: seconds,
    });
  };
  let stopped = false;
  try {
    const result = await runProcess(
      options.ffmpegPath,
      buildRecordArgs(inputs, outPath, seconds, options.maxBytes),
      {
        signal: AbortSignal.any([signal, stopSignal]),
        timeoutMs: seconds * 1000 + RECORD_MARGIN_MS,
        onStdoutLine,
      },
    );
    // a stream that ended or stalled midway still leaves a good recording of what came
    stopped = result.code !== 0;
    if (stopped && !(await hasMedia(outPath))) {
      throw new MediaError(
        "unavailable",
        `ffmpeg could not record the stream: ${result.stderrTail.trim().split("\n").pop()}`,
      );
    }
  } catch (error) {
    const endedByStop = stopSignal.aborted && !signal.aborted;
    if (!endedByStop || !(await hasMedia(outPath))) throw error;
    stopped = true;
  }
  return { seconds: await mediaSeconds(outPath, options.ffprobePath), stopped };
}

async function hasMedia(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).size > 0;
  } catch {
    return false;
  }
}

async function mediaSeconds(path: string, ffprobePath: string): Promise<number> {
  const info = await ffprobeMedia(path, { ffprobePath });
  return info.duration ?? 0;
}

/**
 * mp4 files ready to upload, in order: one remux when the recording fits, otherwise parts cut
 * by ffmpeg's segment muxer (at keyframes), made shorter until every part fits.
 */
async function splitForUpload(
  recordingPath: string,
  options: Pick<
    RecordJobOptions,
    "outDir" | "maxUploadBytes" | "ffmpegPath" | "ffprobePath" | "signal"
  >,
): Promise<string[]> {
  const { size } = await Deno.stat(recordingPath);
  const duration = await mediaSeconds(recordingPath, options.ffprobePath);
  const target = options.maxUploadBytes * PART_TARGET_RATIO;
  let segmentSeconds = size <= target ? undefined : Math.max(1, duration * target / size);
  for (let attempt = 0; attempt < SPLIT_ATTEMPTS; attempt++) {
    const dir = await Deno.makeTempDir({ dir: options.outDir, prefix: "parts-" });
    const parts = await remux(recordingPath, dir, segmentSeconds, options);
    const sizes = await Promise.all(parts.map(async (part) => (await Deno.stat(part)).size));
    const largest = Math.max(...sizes);
    if (largest <= options.maxUploadBytes) return parts;
    await Deno.remove(dir, { recursive: true });
    const current = segmentSeconds ?? duration;
    segmentSeconds = Math.max(1, current * (target / largest) * 0.8);
    if (current <= 1) break;
  }
  throw new MediaError(
    "too_large",
    "The recording cannot be cut into parts small enough to upload.",
  );
}

async function remux(
  source: string,
  dir: string,
  segmentSeconds: number | undefined,
  options: Pick<RecordJobOptions, "ffmpegPath" | "signal">,
): Promise<string[]> {
  const common = [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...localMediaInput(source)],
    ...["-map", "0:v?", "-map", "0:a?", "-c", "copy"],
  ];
  const output = segmentSeconds === undefined
    ? ["-movflags", "+faststart", `file:${join(dir, "part000.mp4")}`]
    : [
      ...["-f", "segment", "-segment_time", segmentSeconds.toFixed(3), "-reset_timestamps", "1"],
      ...["-segment_format", "mp4", "-segment_format_options", "movflags=+faststart"],
      `file:${join(dir, "part%03d.mp4")}`,
    ];
  const result = await runProcess(options.ffmpegPath, [...common, ...output], {
    signal: options.signal,
    timeoutMs: REMUX_TIMEOUT_MS,
  });
  if (result.code !== 0) {
    throw new MediaError("failed", `ffmpeg could not remux the recording: ${result.stderrTail}`);
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^part\d{3}\.mp4$/.test(entry.name)) names.push(entry.name);
  }
  if (names.length === 0) throw new MediaError("failed", "ffmpeg wrote no part");
  return names.sort().map((name) => join(dir, name));
}
