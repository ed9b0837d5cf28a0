/**
 * gallery-dl: images, carousels and photo posts, for links yt-dlp cannot handle or that yield
 * images. Every run goes through runGalleryDl: no config but ours, the job's cookies, bounded
 * network waits, the item cap, `--` before the link; its traffic goes through the worker's egress
 * guard like yt-dlp's (the *_proxy variables set by workers/process.ts).
 */
import { basename, extname, join, resolve } from "node:path";
import { z } from "zod";
import {
  GALLERY_EXTRACTOR_PREFIX,
  type GalleryCounts,
  MAX_GALLERY_ITEMS,
  MediaError,
  type ProbeInfo,
} from "../media/media_types.ts";
import { formatMegabytes } from "../media/formats.ts";
import { runProcess } from "./process.ts";
import { currentSiteRoute } from "./site_route.ts";
import { ffprobeMedia } from "./ffmpeg.ts";

export interface GalleryDlOptions {
  /** the gallery-dl binary; "gallery-dl" from PATH by default */
  galleryDlPath?: string;
  signal?: AbortSignal;
  timeoutMs: number;
}

export interface GalleryDownloadOptions extends GalleryDlOptions {
  /** an empty scratch directory owned by the caller, who also removes it */
  outDir: string;
  /** the most one item may weigh (Telegram's upload limit) */
  maxItemBytes: number;
  /** the most all items together may weigh (what the quota reserved) */
  maxTotalBytes: number;
  ffprobePath?: string;
  onProgress?: (progress: { downloadedBytes: number; items: number }) => void;
}

/** An item on disk, in the gallery's order, with what sending it needs. */
export interface GalleryItem {
  path: string;
  kind: "photo" | "video" | "document";
  size: number;
  width?: number;
  height?: number;
  duration?: number;
}

/** Telegram sends these as photos (JPEG, PNG, WebP) and plays these in an album (MP4). */
const PHOTO_EXTENSIONS = new Set(["jpg", "jpeg", "jpe", "png", "webp"]);
const VIDEO_EXTENSIONS = new Set(["mp4"]);

/** Telegram's limits on a photo: bigger ones go as documents. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const PHOTO_MAX_SIDES = 10_000;
const PHOTO_MAX_RATIO = 20;

/**
 * The generic extractor is a fallback for pages no site extractor knows (off by default); no
 * ytdl extractor (it would run yt-dlp without our flags), no cache file, and the job's cookies file
 * read but never written back.
 */
const BASE_ARGS = [
  "--config-ignore",
  "--no-input",
  "--no-colors",
  ...["-o", "extractor.generic.enabled=true", "-o", "extractor.ytdl.enabled=false"],
  ...["-o", "cache.file=null", "-o", "extractor.cookies-update=false"],
  ...["--http-timeout", "20", "--retries", "3"],
  ...["--range", `1-${MAX_GALLERY_ITEMS}`],
];

/** gallery-dl's -j messages: [2, metadata] opens a directory, [3, url, metadata] is an item. */
const DIRECTORY = 2;
const ITEM = 3;
const ERROR = -1;

const text = z.string().optional().catch(undefined);
const metadata = z.object({
  category: text,
  title: text,
  og_title: text,
  description: text,
  og_description: text,
  extension: text,
}).passthrough().catch({});
const messages = z.array(z.array(z.unknown())).catch([]);

/** Runs gallery-dl with the flags every run carries, the job's cookies, and `--` before the link. */
function runGalleryDl(
  args: string[],
  url: string,
  options: GalleryDlOptions & { cwd?: string; onStdoutLine?: (line: string) => void },
) {
  const cookies = currentSiteRoute()?.cookiesFile;
  return runProcess(options.galleryDlPath ?? "gallery-dl", [
    ...BASE_ARGS,
    ...(cookies ? ["--cookies", cookies] : []),
    ...args,
    "--",
    url,
  ], {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cwd: options.cwd,
    onStdoutLine: options.onStdoutLine,
  });
}

/**
 * What gallery-dl finds at the link without downloading it (`-j`): a ProbeInfo with the counts of
 * its items, or undefined when it finds none.
 */
export async function probeGallery(
  url: string,
  options: GalleryDlOptions,
): Promise<ProbeInfo | undefined> {
  const result = await runGalleryDl(["--dump-json"], url, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    return undefined;
  }
  let directory: z.infer<typeof metadata> = {};
  const counts: GalleryCounts = { photos: 0, videos: 0, others: 0 };
  let thumbnail: string | undefined;
  for (const message of messages.parse(parsed)) {
    if (message[0] === ERROR) return undefined;
    if (message[0] === DIRECTORY) directory = metadata.parse(message.at(-1));
    if (message[0] !== ITEM || typeof message[1] !== "string") continue;
    const item = metadata.parse(message[2]);
    const kind = kindOfExtension(item.extension ?? extensionOf(message[1]));
    if (kind === "photo") {
      counts.photos++;
      thumbnail ??= /^https?:\/\//i.test(message[1]) ? message[1] : undefined;
    } else if (kind === "video") counts.videos++;
    else counts.others++;
  }
  const total = counts.photos + counts.videos + counts.others;
  if (total === 0) return undefined;
  const category = (directory.category ?? "generic").slice(0, 50);
  const title = directory.title || directory.og_title || directory.description ||
    new URL(url).hostname;
  const description = directory.og_description ?? directory.description;
  return {
    // the page's URL is part of the identity (no site id is known), so this names it well enough
    id: "gallery",
    extractor: `${GALLERY_EXTRACTOR_PREFIX}${category}`,
    webpageUrl: url,
    title: title.slice(0, 2000),
    ...(description ? { description: description.slice(0, 2000) } : {}),
    thumbnail: thumbnail && thumbnail.length <= 4096 ? thumbnail : undefined,
    isLive: false,
    formats: [],
    gallery: counts,
  };
}

/**
 * Downloads the gallery's items in order. gallery-dl prints each file's path once it is whole:
 * it is renamed to its position at once (two items of one name stay two files) and counted
 * against the total, and the run is stopped as soon as the total passes maxTotalBytes.
 */
export async function downloadGallery(
  url: string,
  options: GalleryDownloadOptions,
): Promise<GalleryItem[]> {
  const outDir = resolve(options.outDir);
  const landing = join(outDir, "incoming");
  await Deno.mkdir(landing);
  const paths: string[] = [];
  let total = 0;
  const onStdoutLine = (line: string) => {
    // "# path" is a file skipped as already there; any other line is not ours to read
    const printed = resolve(line.trim());
    if (!printed.startsWith(`${landing}/`)) return;
    const { size } = Deno.statSync(printed);
    total += size;
    if (total > options.maxTotalBytes) {
      throw new MediaError(
        "too_large",
        `The gallery is more than the ${formatMegabytes(options.maxTotalBytes)} allowed.`,
      );
    }
    const target = join(outDir, `${String(paths.length + 1).padStart(3, "0")}${extname(printed)}`);
    Deno.renameSync(printed, target);
    paths.push(target);
    options.onProgress?.({ downloadedBytes: total, items: paths.length });
  };
  const result = await runGalleryDl(
    [
      // a name of its own for each item (the clock to the microsecond), whatever the site calls it
      ...["--directory", landing, "--filename", "{_now:%Y%m%d%H%M%S%f}.{extension}"],
      ...["--filesize-max", String(options.maxItemBytes), "--no-mtime"],
    ],
    url,
    { ...options, cwd: outDir, onStdoutLine },
  );
  if (paths.length === 0) {
    throw result.code === 0
      ? new MediaError("unsupported", "gallery-dl found nothing to download")
      : new MediaError("failed", `gallery-dl failed: ${lastLine(result.stderrTail)}`, true);
  }
  const items: GalleryItem[] = [];
  for (const path of paths) items.push(await describeItem(path, options));
  return items;
}

async function describeItem(path: string, options: GalleryDownloadOptions): Promise<GalleryItem> {
  const { size } = await Deno.stat(path);
  const kind = kindOfExtension(extensionOf(path));
  const probe = kind === "document" ? undefined : await ffprobeMedia(path, {
    ffprobePath: options.ffprobePath,
    signal: options.signal,
  }).catch((error) => {
    if (error instanceof MediaError && error.code === "cancelled") throw error;
    return undefined;
  });
  const { width, height } = probe ?? {};
  const item = { path, size, width, height };
  if (kind === "video" && probe?.hasVideo) return { ...item, kind, duration: probe.duration };
  if (kind === "photo" && probe && fitsAsPhoto(size, width, height)) return { ...item, kind };
  return { ...item, kind: "document" };
}

/** Whether Telegram takes the image as a photo: 10 MB, sides summing to 10000, ratio 20. */
function fitsAsPhoto(size: number, width?: number, height?: number): boolean {
  if (size > PHOTO_MAX_BYTES || !width || !height) return false;
  return width + height <= PHOTO_MAX_SIDES &&
    Math.max(width, height) / Math.min(width, height) <= PHOTO_MAX_RATIO;
}

/** Whether a file of this extension is a picture (what yt-dlp sometimes yields as a "format"). */
export function isImageExtension(extension: string): boolean {
  return PHOTO_EXTENSIONS.has(extension.toLowerCase()) || extension.toLowerCase() === "gif";
}

function kindOfExtension(extension: string): GalleryItem["kind"] {
  const ext = extension.toLowerCase();
  if (PHOTO_EXTENSIONS.has(ext)) return "photo";
  if (VIDEO_EXTENSIONS.has(ext)) return "video";
  return "document";
}

function extensionOf(pathOrUrl: string): string {
  return extname(basename(pathOrUrl.split(/[?#]/)[0])).slice(1);
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop() ?? "";
}
