/**
 * Downloads that always end within the limit: a file that came out too big (or asked for a preset)
 * is re-encoded to fit; a long one can instead be cut into parts that each fit.
 */
import { extname, join } from "node:path";
import { describeMediaFile, ffprobeMedia, type MediaFileInfo } from "./ffmpeg.ts";
import { compressAudioToFit, compressToFit } from "./compress.ts";
import {
  COMPRESSIBLE_SOURCE_FACTOR,
  FIT_ENCODING,
  PRESET_ENCODINGS,
} from "../media/compression_plan.ts";
import { splitIntoParts } from "./split.ts";
import { type DownloadedMedia, MAX_PARTS, MediaError, presetOf } from "../media/media_types.ts";
import { type DownloadOptions, downloadSource } from "./ytdlp.ts";

const THUMBNAIL_NAME = "thumbnail.jpg";

/** One file within options.maxBytes: compressed when the download is bigger or a preset asks. */
export async function downloadFitted(
  url: string,
  options: DownloadOptions,
): Promise<DownloadedMedia> {
  const maxSourceBytes = options.maxBytes * COMPRESSIBLE_SOURCE_FACTOR;
  const source = await downloadSource(url, { ...options, maxSourceBytes });
  const { size } = await Deno.stat(source);
  const preset = presetOf(options.variant);
  if (size <= options.maxBytes && !preset) {
    return await describe(source, options, join(options.outDir, THUMBNAIL_NAME));
  }
  const probe = await probeSource(source, options);
  const progress = (percent: number) =>
    options.onProgress?.({ phase: "processing", downloadedBytes: size, percent });
  const common = {
    targetBytes: options.maxBytes,
    durationSeconds: probe.duration!,
    ffmpegPath: options.ffmpegPath,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    onProgress: progress,
  };
  const fitted = probe.hasVideo
    ? await compressToFit(source, {
      ...common,
      outPath: join(options.outDir, "fitted.mp4"),
      width: probe.width,
      height: probe.height,
      frameRate: probe.frameRate,
      encoding: preset ? PRESET_ENCODINGS[preset] : FIT_ENCODING,
    })
    : await compressAudioToFit(source, {
      ...common,
      // an MP3 asked for stays an MP3
      outPath: join(options.outDir, extname(source) === ".mp3" ? "fitted.mp3" : "fitted.m4a"),
    });
  await Deno.remove(source);
  return await describe(fitted.path, options, join(options.outDir, THUMBNAIL_NAME));
}

export interface PartsOptions extends DownloadOptions {
  /** what all parts together may weigh (the quota reserved for them) */
  maxTotalBytes?: number;
}

/** The best video in parts of at most options.maxBytes each, in order (one part when it fits). */
export async function downloadParts(
  url: string,
  options: PartsOptions,
): Promise<DownloadedMedia[]> {
  const maxSourceBytes = Math.min(options.maxBytes * MAX_PARTS, options.maxTotalBytes ?? Infinity);
  const source = await downloadSource(url, { ...options, maxSourceBytes });
  const { size } = await Deno.stat(source);
  if (size <= options.maxBytes) {
    return [await describe(source, options, join(options.outDir, THUMBNAIL_NAME))];
  }
  const probe = await probeSource(source, options);
  options.onProgress?.({ phase: "processing", downloadedBytes: size });
  const partsDir = join(options.outDir, "parts");
  await Deno.mkdir(partsDir, { recursive: true });
  const paths = await splitIntoParts(source, {
    maxPartBytes: options.maxBytes,
    durationSeconds: probe.duration!,
    outDir: partsDir,
    ffmpegPath: options.ffmpegPath,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  await Deno.remove(source);
  const parts: DownloadedMedia[] = [];
  for (const path of paths) {
    parts.push(await describe(path, options, path.replace(/\.mp4$/, ".jpg")));
  }
  return parts;
}

/** Duration and picture of the downloaded file; without a duration nothing can be planned. */
async function probeSource(path: string, options: DownloadOptions): Promise<MediaFileInfo> {
  const probe = await ffprobeMedia(path, {
    ffprobePath: options.ffprobePath,
    signal: options.signal,
  });
  if (!probe.duration) {
    throw new MediaError("too_large", "The file is too big and its duration is unknown.");
  }
  return probe;
}

function describe(
  path: string,
  options: DownloadOptions,
  thumbnailPath: string,
): Promise<DownloadedMedia> {
  return describeMediaFile(path, {
    maxBytes: options.maxBytes,
    thumbnailPath,
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    signal: options.signal,
  });
}
