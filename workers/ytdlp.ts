/** yt-dlp: probe a link into a ProbeInfo, download a variant into a file ready to upload. */
import { extname, join, resolve } from "node:path";
import { z } from "zod";
import { delay } from "es-toolkit/promise";
import { describeMediaFile } from "./ffmpeg.ts";
import { formatMegabytes, selectFormat } from "../media/formats.ts";
import {
  type AudioFormat,
  audioFormatOf,
  type DownloadedMedia,
  MediaError,
  mp3Kbps,
  type ProbeFormat,
  type ProbeInfo,
  type Variant,
} from "../media/media_types.ts";
import { fillMissingSizes, type SizeLookupOptions } from "./probe_sizes.ts";
import {
  ALLOWED_PROTOCOLS,
  type AudioExtraction,
  type AudioTags,
  downloadReadoutIsLive,
  parseProgressLine,
  readYtdlpJson,
  runYtdlp,
  type YtdlpDownloadRequest,
  type YtdlpRunOptions,
} from "./ytdlp_run.ts";

export interface ProbeOptions extends YtdlpRunOptions {
  /** ask the sources for the sizes yt-dlp did not report */
  sizeLookup?: Omit<SizeLookupOptions, "signal">;
  /** the entry of a playlist page to probe (1-based; the first by default) */
  playlistItem?: number;
}

export interface DownloadProgress {
  phase: "downloading" | "processing";
  /** across all parts (video and audio) fetched so far */
  downloadedBytes: number;
  totalBytes?: number;
  /** bytes per second */
  speed?: number;
  /** seconds */
  eta?: number;
  percent?: number;
}

export interface DownloadOptions extends YtdlpRunOptions {
  variant: Variant;
  info: ProbeInfo;
  /** an empty scratch directory owned by the caller, who also removes it */
  outDir: string;
  maxBytes: number;
  /** how big the download itself may get when the caller shrinks it afterwards (default maxBytes) */
  maxSourceBytes?: number;
  /** a path (with "/") is handed to yt-dlp; a bare name is left to its PATH lookup */
  ffmpegPath?: string;
  ffprobePath?: string;
  /** called for every progress line yt-dlp prints; throttle on the receiving side */
  onProgress?: (progress: DownloadProgress) => void;
  /** the entry of a playlist page to download (1-based; the first by default) */
  playlistItem?: number;
  /** an audio file's tags, as the upload names it; the probe's title and uploader by default */
  audioTags?: AudioTags;
}

// lenient fields: one odd value in yt-dlp's output should not fail a whole probe
const num = z.number().optional().catch(undefined);
const str = z.string().optional().catch(undefined);

/** an absolute http(s) address */
const HTTP_URL = /^https?:\/\//i;
/** a URL whose scheme is not http(s) (a relative path has none) */
const FOREIGN_SCHEME = /^\s*(?!https?:)[a-z][a-z\d+.-]*:/i;

/** fixed, so a title can never choose a path; yt-dlp fills in the extension */
const OUTPUT_NAME = "media";
const OUTPUT_FILE = /^media\.[a-z0-9]+$/i;
const THUMBNAIL_NAME = "thumbnail.jpg";
/** audio may be extracted from a whole video file, which is allowed to be this much larger */
const AUDIO_SOURCE_SIZE_FACTOR = 4;
/** postprocessor tags yt-dlp prints once downloading is over, e.g. "[Merger] Merging formats into" */
const POSTPROCESSOR_LINE =
  /^\[(Merger|ExtractAudio|VideoRemuxer|VideoConvertor|Fixup\w+|Metadata)\]/;
const MAX_FILESIZE_LINE = /File is larger than max-filesize/;

export async function probeMedia(url: string, options: ProbeOptions): Promise<ProbeInfo> {
  const { playlistItem, signal } = options;
  const json = await runYtdlp({ mode: "json", url, playlistItem }, options);
  const info = toProbeInfo(json, url);
  if (!options.sizeLookup) return info;
  return await fillMissingSizes(info, json, { ...options.sizeLookup, signal });
}

export async function downloadMedia(
  url: string,
  options: DownloadOptions,
): Promise<DownloadedMedia> {
  const path = await downloadSource(url, options);
  return await describeMediaFile(path, {
    maxBytes: options.maxBytes,
    thumbnailPath: join(resolve(options.outDir), THUMBNAIL_NAME),
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    signal: options.signal,
  });
}

/** Downloads a variant into outDir and returns its path; it may be up to maxSourceBytes. */
export async function downloadSource(url: string, options: DownloadOptions): Promise<string> {
  const { variant, info, maxBytes, maxSourceBytes = maxBytes } = options;
  if (info.isLive) throw new MediaError("unsupported", "Live streams cannot be downloaded.");
  const selection = selectFormat(info, variant, maxBytes, maxSourceBytes);
  const outDir = resolve(options.outDir);
  const deadline = Date.now() + options.timeoutMs;
  const audioFormat = selection.audioOnly ? audioFormatOf(variant) ?? "m4a" : undefined;
  const download = {
    mode: "download" as const,
    url,
    playlistItem: options.playlistItem,
    format: selection.selector,
    maxFilesize: Math.max(
      maxSourceBytes,
      selection.audioOnly ? maxBytes * AUDIO_SOURCE_SIZE_FACTOR : maxBytes,
    ),
    output: { dir: outDir, template: `${OUTPUT_NAME}.%(ext)s` },
    audio: audioFormat && audioExtraction(audioFormat, options),
    ffmpegPath: options.ffmpegPath,
  };
  const extractors = options.playlistItem === undefined ? probedExtractors(info, url) : undefined;
  try {
    await runDownload(options, deadline, selection.estimatedBytes, { ...download, extractors });
  } catch (error) {
    // the page now goes through another extractor than at the probe (a redirect, a site's new
    // URLs, a page handing over to another site): yt-dlp chooses among all of them again
    if (!extractors || !missedExtractor(error) || options.signal?.aborted) throw error;
    await runDownload(options, deadline, selection.estimatedBytes, download);
  }
  return await findOutput(outDir, audioFormat);
}

/** yt-dlp's names of extractors, e.g. "youtube", "youtube:tab", "TikTok", "html5" */
const EXTRACTOR_NAME = /^[a-z0-9][\w:.+-]{0,63}$/i;
/** found by the generic extractor in a page's HTML, never by a URL pattern of their own */
const GENERIC_FINDS = new Set(["generic", "html5"]);

/**
 * The extractors the probe went through, when they can be told: the one that gave the media,
 * with the generic one when it was found in a page's HTML. Nothing (every extractor) for a
 * playlist (its entries may be on other sites) or a media found on another site than the link's.
 */
function probedExtractors(info: ProbeInfo, url: string): string[] | undefined {
  const name = info.extractor;
  if (info.playlist || !EXTRACTOR_NAME.test(name) || hostOf(info.webpageUrl) !== hostOf(url)) {
    return undefined;
  }
  return GENERIC_FINDS.has(name.toLowerCase()) ? [...new Set([name, "generic"])] : [name];
}

function hostOf(link: string): string | undefined {
  try {
    return new URL(link).hostname;
  } catch {
    return undefined;
  }
}

/** What yt-dlp says when none of the extractors it may use takes the link. */
function missedExtractor(error: unknown): boolean {
  return error instanceof MediaError &&
    /no suitable extractor|unsupported url/i.test(error.message);
}

function audioExtraction(format: AudioFormat, options: DownloadOptions): AudioExtraction {
  const { info, audioTags } = options;
  const kbps = mp3Kbps(format);
  return {
    codec: kbps === undefined ? "m4a" : "mp3",
    kbps,
    tags: audioTags ?? { title: info.title, artist: info.uploader },
    cover: HTTP_URL.test(info.thumbnail ?? ""),
  };
}

async function runDownload(
  options: DownloadOptions,
  deadline: number,
  estimatedBytes: number | undefined,
  download: Omit<YtdlpDownloadRequest, "onLine">,
): Promise<void> {
  const readProgress = progressReader(estimatedBytes);
  const oversize = new AbortController();
  let overLimit = false;
  const stopOversize = () => {
    overLimit = true;
    oversize.abort();
  };
  // progress read from the disk and from the readout never goes back
  let shownBytes = 0;
  let processing = false;
  const show = (progress: DownloadProgress) => {
    processing ||= progress.phase === "processing";
    if (progress.phase === "downloading" && progress.downloadedBytes < shownBytes) return;
    shownBytes = Math.max(shownBytes, progress.downloadedBytes);
    options.onProgress?.(progress);
  };
  const onLine = (line: string) => {
    if (MAX_FILESIZE_LINE.test(line)) overLimit = true;
    // aria2c has no --max-filesize: the size it announces is checked here, within its first second
    const announced = parseProgressLine(line)?.total_bytes;
    if (announced !== undefined && announced > download.maxFilesize) return stopOversize();
    const progress = readProgress(line);
    if (!progress) return;
    // yt-dlp checks --max-filesize only against a announced size; HLS and chunked bodies need this
    if (progress.downloadedBytes > download.maxFilesize) return stopOversize();
    show(progress);
  };
  // without libstdbuf aria2c's readout comes only when it ends: the bytes on disk tell meanwhile
  const onDisk = downloadReadoutIsLive(options)
    ? undefined
    : watchBytesOnDisk(download.output.dir, (downloadedBytes) => {
      // merging and converting write new files: no longer the download's bytes
      if (processing) return;
      if (downloadedBytes > download.maxFilesize) return stopOversize();
      const totalBytes = estimatedBytes && Math.max(estimatedBytes, downloadedBytes);
      const percent = totalBytes
        ? Math.round((downloadedBytes / totalBytes) * 1000) / 10
        : undefined;
      show({ phase: "downloading", downloadedBytes, totalBytes, percent });
    });
  const signal = options.signal
    ? AbortSignal.any([options.signal, oversize.signal])
    : oversize.signal;
  const timeoutMs = Math.max(deadline - Date.now(), 1);
  try {
    await runYtdlp({ ...download, onLine }, { ...options, signal, timeoutMs });
  } catch (error) {
    if (overLimit && !options.signal?.aborted) throw tooLarge(options.maxBytes);
    throw error;
  } finally {
    await onDisk?.stop();
  }
  if (overLimit) throw tooLarge(options.maxBytes);
}

/** How often the bytes on disk are read when no readout comes: as often as aria2c's readout. */
const DISK_PROGRESS_INTERVAL_MS = 1_000;
/** The parts being downloaded (`media.mp4.part`, `media.f140.m4a`…), not aria2c's control file. */
const DOWNLOADING_PART = /^media\..*(?<!\.aria2|\.ytdl)$/;

/**
 * Reports the bytes the download's parts hold on disk, every second until stopped: the blocks
 * written, as aria2c writes its ranged parts into a sparse file (yt-dlp runs it with
 * --file-allocation=none), at most each file's size.
 */
function watchBytesOnDisk(dir: string, onBytes: (bytes: number) => void) {
  const bytesOnDisk = async () => {
    let bytes = 0;
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !DOWNLOADING_PART.test(entry.name)) continue;
      const info = await Deno.lstat(join(dir, entry.name)).catch(() => undefined);
      if (info) bytes += Math.min(info.size, (info.blocks ?? 0) * 512);
    }
    return bytes;
  };
  const stopping = new AbortController();
  const watching = (async () => {
    while (!stopping.signal.aborted) {
      await delay(DISK_PROGRESS_INTERVAL_MS, { signal: stopping.signal }).catch(() => {});
      if (stopping.signal.aborted) break;
      const bytes = await bytesOnDisk().catch(() => 0);
      if (bytes > 0) onBytes(bytes);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await watching;
    },
  };
}

// --- progress -----------------------------------------------------------------------------------

/** Turns yt-dlp's per-file progress into one running total over all parts (video, then audio). */
export function progressReader(
  estimatedBytes?: number,
): (line: string) => DownloadProgress | undefined {
  let finishedBytes = 0;
  let latestBytes = 0;
  // fragments fetched side by side: each thread prints the sum so far, some a stale one
  let partBytes = 0;
  return (line) => {
    if (POSTPROCESSOR_LINE.test(line)) return { phase: "processing", downloadedBytes: latestBytes };
    const raw = parseProgressLine(line);
    if (!raw) return undefined;
    partBytes = Math.max(partBytes, raw.downloaded_bytes ?? 0);
    const partTotal = raw.total_bytes ?? raw.total_bytes_estimate;
    const downloadedBytes = finishedBytes + partBytes;
    const knownTotal = partTotal === undefined ? undefined : finishedBytes + partTotal;
    const totalBytes = knownTotal === undefined && estimatedBytes === undefined
      ? undefined
      : Math.max(knownTotal ?? 0, estimatedBytes ?? 0, downloadedBytes);
    if (raw.status === "finished") {
      finishedBytes += partTotal ?? partBytes;
      partBytes = 0;
    }
    latestBytes = Math.max(latestBytes, downloadedBytes);
    return {
      phase: "downloading",
      downloadedBytes,
      totalBytes,
      speed: raw.speed === undefined ? undefined : Math.round(raw.speed),
      eta: raw.eta,
      percent: totalBytes
        ? Math.min(100, Math.round((downloadedBytes / totalBytes) * 1000) / 10)
        : undefined,
    };
  };
}

function tooLarge(maxBytes: number): MediaError {
  return new MediaError(
    "too_large",
    `The file is larger than the ${formatMegabytes(maxBytes)} limit.`,
  );
}

/**
 * Finds media.<ext>; yt-dlp has removed its intermediates (media.f137.mp4, .part) and the cover
 * it embedded by then.
 */
async function findOutput(outDir: string, audioFormat: AudioFormat | undefined): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(outDir)) {
    if (entry.isFile && OUTPUT_FILE.test(entry.name)) names.push(entry.name);
  }
  const preferred = audioFormat ? [mp3Kbps(audioFormat) === undefined ? ".m4a" : ".mp3"] : [".mp4"];
  const name = names.find((n) => preferred.includes(extname(n))) ?? names[0];
  if (!name) throw new MediaError("failed", "yt-dlp finished without writing a file");
  return join(outDir, name);
}

// --- probe JSON ---------------------------------------------------------------------------------

const rawFormat = z.object({
  format_id: z.coerce.string(),
  ext: str,
  protocol: str,
  url: str,
  manifest_url: str,
  fragment_base_url: str,
  fragments: z.array(z.object({ url: str, path: str })).optional().catch(undefined),
  width: num,
  height: num,
  vcodec: str,
  acodec: str,
  filesize: num,
  filesize_approx: num,
  tbr: num,
  abr: num,
  vbr: num,
  has_drm: z.boolean().optional().catch(undefined),
});
const rawInfo = z.object({
  _type: str,
  id: z.coerce.string().catch(""),
  extractor: str,
  extractor_key: str,
  webpage_url: str,
  original_url: str,
  title: str,
  description: str,
  uploader: str,
  channel: str,
  duration: num,
  thumbnail: str,
  view_count: num,
  like_count: num,
  tags: z.array(z.string()).optional().catch(undefined),
  categories: z.array(z.string()).optional().catch(undefined),
  is_live: z.boolean().optional().catch(undefined),
  live_status: str,
  formats: z.array(z.unknown()).optional().catch(undefined),
  entries: z.array(z.unknown()).optional().catch(undefined),
  playlist_count: num,
});
const MAX_TITLE_CHARS = 500;
/** enough to tell the language; KV values stay small */
const MAX_DESCRIPTION_CHARS = 500;
/** recommendations need a few labels, not a site's whole keyword list */
const MAX_LABELS = 20;

/** Tags and categories, only when the site gives some. */
function labelsOf(info: { tags?: string[]; categories?: string[] }) {
  const keep = (values: string[] | undefined) =>
    values?.map((v) => v.trim().slice(0, 100)).filter(Boolean).slice(0, MAX_LABELS) ?? [];
  const tags = keep(info.tags), categories = keep(info.categories);
  return { ...(tags.length ? { tags } : {}), ...(categories.length ? { categories } : {}) };
}

/** Trims yt-dlp's JSON (often megabytes) to what the bot keeps. A playlist yields its first entry. */
export function toProbeInfo(json: unknown, url: string, inPlaylist = false): ProbeInfo {
  const info = readYtdlpJson(rawInfo, json);
  if (info._type === "playlist") {
    if (!info.entries?.length) throw new MediaError("unsupported", "This link has no media in it.");
    const first = toProbeInfo(info.entries[0], url, true);
    const count = Math.max(info.playlist_count ?? 0, info.entries.length);
    if (count < 2) return first;
    return { ...first, playlist: { title: (info.title ?? url).slice(0, MAX_TITLE_CHARS), count } };
  }
  // a single-format result describes its one format at the top level
  const formats = (info.formats ?? [json]).flatMap((raw) => {
    const format = rawFormat.safeParse(raw);
    return format.success && isUsable(format.data) ? [toProbeFormat(format.data)] : [];
  });
  if (formats.length === 0) throw new MediaError("unsupported", "No downloadable formats found.");
  return {
    id: info.id,
    extractor: info.extractor ?? info.extractor_key ?? "unknown",
    webpageUrl: info.webpage_url ?? info.original_url ?? url,
    title: cleanTitle(info.title ?? info.id, info.extractor, inPlaylist),
    description: info.description?.slice(0, MAX_DESCRIPTION_CHARS) || undefined,
    uploader: info.uploader ?? info.channel,
    duration: info.duration,
    thumbnail: info.thumbnail,
    viewCount: countOf(info.view_count),
    likeCount: countOf(info.like_count),
    ...labelsOf(info),
    isLive: info.is_live === true || info.live_status === "is_live",
    formats,
  };
}

/** A count the site gave, when it is a plausible one. */
function countOf(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** yt-dlp (2026.11.23 still) numbers even the only video of an HTML5 page: "Title (1)". */
function cleanTitle(title: string, extractor: string | undefined, inPlaylist: boolean): string {
  const alone = extractor === "html5" && !inPlaylist;
  return (alone ? title.replace(/ \(1\)$/, "") : title).slice(0, MAX_TITLE_CHARS);
}

/**
 * Storyboards (mhtml images) and DRM formats cannot become a file to send; formats fetched
 * otherwise than over http(s), HLS or DASH, or with any address of another scheme (a manifest,
 * a fragment), are never offered.
 */
function isUsable(format: z.infer<typeof rawFormat>): boolean {
  const image = format.ext === "mhtml" || (format.vcodec === "none" && format.acodec === "none");
  return !image && format.has_drm !== true && fetchedOverHttp(format);
}

function fetchedOverHttp(format: z.infer<typeof rawFormat>): boolean {
  const protocols = format.protocol?.split("+") ?? [];
  if (!protocols.every((protocol) => ALLOWED_PROTOCOLS.includes(protocol))) return false;
  const addresses = [
    format.url,
    format.manifest_url,
    format.fragment_base_url,
    ...(format.fragments ?? []).flatMap((fragment) => [fragment.url, fragment.path]),
  ];
  return addresses.every((address) => address === undefined || !FOREIGN_SCHEME.test(address));
}

function toProbeFormat(format: z.infer<typeof rawFormat>): ProbeFormat {
  return {
    id: format.format_id,
    ext: format.ext ?? "unknown",
    protocol: format.protocol,
    width: format.width,
    height: format.height,
    vcodec: format.vcodec,
    acodec: format.acodec,
    filesize: format.filesize,
    filesizeApprox: format.filesize_approx,
    tbr: format.tbr,
    abr: format.abr,
    vbr: format.vbr,
  };
}
