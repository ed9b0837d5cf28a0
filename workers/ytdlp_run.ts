/**
 * Every yt-dlp run goes through runYtdlp: the flags each run carries (the job's cookies among
 * them), the binary, the timeout and cancellation, `--` before the link, stdout lines for
 * progress, a failed run turned into a reason the app can explain (workers/ytdlp_failures.ts),
 * and the JSON it prints. Callers say only what their run is.
 */
import { z } from "zod";
import { LOCAL_MEDIA_INPUT, NETWORK_PROTOCOLS } from "./ffmpeg.ts";
import { MediaError } from "../media/media_types.ts";
import { runProcess } from "./process.ts";
import { classifyYtdlpFailure } from "./ytdlp_failures.ts";
import { currentSiteRoute } from "./site_route.ts";

/** How a worker runs yt-dlp: the same for all its runs. */
export interface YtdlpSetup {
  /** the yt-dlp binary; "yt-dlp" from PATH by default */
  ytdlpPath?: string;
  /** yt-dlp's cache (what it learns from YouTube's player scripts); without one, none */
  cacheDir?: string;
  /** the operator's yt-dlp config file (YTDLP_CONFIG), read after --ignore-config */
  configFile?: string;
  /**
   * Connections a download opens at once (DOWNLOAD_CONNECTIONS): HLS and DASH fragments fetched
   * side by side, a single file in as many ranged parts (aria2c); 1 by default
   */
  connections?: number;
  /** coreutils' libstdbuf (LIBSTDBUF_PATH); by default looked for where coreutils installs it */
  libstdbufPath?: string;
}

/** The setup part of a caller's options, handed on to the runs it makes. */
export function ytdlpSetupOf(
  { ytdlpPath, cacheDir, configFile, connections, libstdbufPath }: YtdlpSetup,
): YtdlpSetup {
  return { ytdlpPath, cacheDir, configFile, connections, libstdbufPath };
}

export interface YtdlpRunOptions extends YtdlpSetup {
  signal?: AbortSignal;
  timeoutMs: number;
}

/** `-J` of one media; of a playlist page, the entry playlistItem (1-based, the first by default). */
export interface YtdlpJsonRequest {
  mode: "json";
  url: string;
  playlistItem?: number;
  /** a format selector: the JSON then says which formats yt-dlp would download (requested_formats) */
  format?: string;
}

/** The entries of a playlist or channel as the page lists them, without extracting each. */
export interface YtdlpListingRequest {
  mode: "listing";
  url: string;
  maxEntries: number;
}

/** Where a run writes: a directory (also its working directory) and yt-dlp's output template. */
export interface YtdlpOutput {
  dir: string;
  template: string;
}

/** Downloads a format; every stdout line (progress included, see parseProgressLine) goes to onLine. */
export interface YtdlpDownloadRequest {
  mode: "download";
  url: string;
  playlistItem?: number;
  format: string;
  /** yt-dlp refuses a format announced larger; a stream without a size is the caller's to watch */
  maxFilesize: number;
  output: YtdlpOutput;
  /** extract audio to this file, tagged and with its cover; a video is merged or remuxed to mp4 otherwise */
  audio?: AudioExtraction;
  /** a path (with "/") is handed to yt-dlp; a bare name is left to its PATH lookup */
  ffmpegPath?: string;
  /**
   * the only extractors yt-dlp may use (their names as its JSON gives them): without them it
   * tries some 1,800 URL patterns, about a second of CPU before a page no site claims
   */
  extractors?: readonly string[];
  onLine: (line: string) => void;
}

/** The tags an audio file carries, as the bot names the media (not as yt-dlp's page title has it). */
export interface AudioTags {
  title: string;
  artist?: string;
  /** the playlist the media came from */
  album?: string;
}

/** An audio file to make: MP3 at a bitrate, or M4A (the source's AAC as it is, when it is AAC). */
export interface AudioExtraction {
  codec: "mp3" | "m4a";
  /** MP3 only */
  kbps?: number;
  tags: AudioTags;
  /** embed the thumbnail: only when it is an http(s) address, since yt-dlp fails on any other */
  cover: boolean;
}

/** Writes one subtitle track from a probe's JSON saved on disk, without extracting again. */
export interface YtdlpSubtitlesRequest {
  mode: "subtitles";
  infoJsonPath: string;
  language: string;
  automatic: boolean;
  output: YtdlpOutput;
}

export type YtdlpRequest =
  | YtdlpJsonRequest
  | YtdlpListingRequest
  | YtdlpDownloadRequest
  | YtdlpSubtitlesRequest;

/** yt-dlp's postprocessors a download may run; each one's ffmpeg reads local media files only. */
const FFMPEG_POSTPROCESSORS = [
  ...["Merger", "VideoRemuxer", "ExtractAudio", "FixupM3u8", "FixupM4a", "FixupTimestamp"],
  ...["FixupDuration", "FixupStretched", "Metadata", "ThumbnailsConvertor", "EmbedThumbnail"],
];

/**
 * The ffmpeg yt-dlp starts limited to the network when it downloads a stream, to local media
 * files when it merges or converts them.
 */
export const YTDLP_BASE_ARGS = [
  ...["--downloader-args", `ffmpeg_i:-protocol_whitelist ${NETWORK_PROTOCOLS}`],
  ...FFMPEG_POSTPROCESSORS.flatMap((pp) => [
    "--postprocessor-args",
    `${pp}+ffmpeg_i:${LOCAL_MEDIA_INPUT.join(" ")}`,
  ]),
];

/** Bounded network waits (--retries counts for downloads only, extraction has its own). */
const NETWORK_ARGS = [
  ...["--no-warnings", "--socket-timeout", "20", "--retries", "3", "--fragment-retries", "5"],
];

/** How yt-dlp may fetch a format: http(s), HLS or DASH; never ftp, rtmp, rtsp, mms… */
export const ALLOWED_PROTOCOLS = [
  "http",
  "https",
  "m3u8",
  "m3u8_native",
  "http_dash_segments",
  "http_dash_segments_generator",
];

/**
 * aria2c for single files over http(s) when a download may open several connections: it fetches
 * ranged parts side by side, and one connection when the server refuses ranges. It reaches the
 * network only through the egress guard (the *_proxy variables yt-dlp hands it), with the same
 * waits and retries as yt-dlp's own; it never turns a download into BitTorrent or Metalink, whose
 * peers it would reach directly. It has no size limit: runDownload checks the size its readout
 * announces.
 */
function parallelArgs(setup: YtdlpSetup): string[] {
  const connections = setup.connections ?? 1;
  if (connections <= 1) return [];
  const aria2c = [
    ...[`--split=${connections}`, `--max-connection-per-server=${connections}`],
    ...["--min-split-size=1M", "--connect-timeout=20", "--timeout=20", "--max-tries=4"],
    ...["--follow-torrent=false", "--follow-metalink=false", "--enable-dht=false"],
    // progress is then read from the disk: aria2c's 16 MiB write cache would hide the first bytes
    ...(downloadReadoutIsLive(setup) ? [] : ["--disk-cache=0"]),
  ];
  return [
    ...["--concurrent-fragments", String(connections)],
    ...["--downloader", "http:aria2c", "--downloader-args", `aria2c:${aria2c.join(" ")}`],
  ];
}

/**
 * Where coreutils installs its stdbuf library: Debian, Ubuntu, Fedora and Alpine
 * (`/usr/libexec`), Arch (`/usr/lib`), some RPM systems (`/usr/lib64`), a build from source
 * (`/usr/local`). Elsewhere (Nix, Homebrew, another prefix) it lies by `stdbuf`'s own prefix.
 */
const LIBSTDBUF_PATHS = [
  "/usr/libexec/coreutils/libstdbuf.so",
  "/usr/lib/coreutils/libstdbuf.so",
  "/usr/lib64/coreutils/libstdbuf.so",
  "/usr/local/libexec/coreutils/libstdbuf.so",
];
/** found once per configured path ("" for none): it does not move while the worker runs */
const libstdbufFound = new Map<string, string | undefined>();

const isFile = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** The library next to a `stdbuf` found on PATH: `<prefix>/bin/stdbuf`, `<prefix>/libexec/…`. */
function libstdbufByStdbuf(): string[] {
  const path = Deno.env.get("PATH") ?? "";
  return path.split(":").filter((dir) => dir.startsWith("/") && isFile(`${dir}/stdbuf`))
    .flatMap((dir) => {
      const prefix = dir.replace(/\/[^/]*\/?$/, "");
      return ["libexec", "lib", "lib64"].map((lib) => `${prefix}/${lib}/coreutils/libstdbuf.so`);
    });
}

/** coreutils' libstdbuf: the configured path if it is there, else the first of the known places. */
function findLibstdbuf(configured?: string): string | undefined {
  const key = configured ?? "";
  if (!libstdbufFound.has(key)) {
    const candidates = configured ? [configured] : [...LIBSTDBUF_PATHS, ...libstdbufByStdbuf()];
    libstdbufFound.set(key, candidates.find(isFile));
  }
  return libstdbufFound.get(key);
}

/**
 * Whether a download's readout comes as it happens: always with one connection (yt-dlp's own);
 * with several, aria2c's only when its stdout can be made line-buffered.
 */
export function downloadReadoutIsLive(setup: YtdlpSetup): boolean {
  return (setup.connections ?? 1) <= 1 || findLibstdbuf(setup.libstdbufPath) !== undefined;
}

/**
 * aria2c prints its readout to the stdout yt-dlp hands it, a pipe, which the C library buffers
 * in 4 KiB blocks: the readout would come all at once at the end, progress and the size check
 * with it. Line-buffered (as `stdbuf -oL` does it), it comes every second. Without coreutils'
 * library, runDownload reads progress from the bytes on disk instead.
 */
function lineBufferedStdout(configured?: string): Record<string, string> | undefined {
  const library = findLibstdbuf(configured);
  return library ? { LD_PRELOAD: library, _STDBUF_O: "L" } : undefined;
}

const PROGRESS_PREFIX = "@@progress ";
const PROGRESS_FIELDS = "status,downloaded_bytes,total_bytes,total_bytes_estimate,speed,eta";

/** Runs yt-dlp; a JSON or listing run resolves to the JSON it printed. */
export function runYtdlp(
  request: YtdlpJsonRequest | YtdlpListingRequest,
  options: YtdlpRunOptions,
): Promise<unknown>;
export function runYtdlp(
  request: YtdlpDownloadRequest | YtdlpSubtitlesRequest,
  options: YtdlpRunOptions,
): Promise<void>;
export async function runYtdlp(
  request: YtdlpRequest,
  options: YtdlpRunOptions,
): Promise<unknown> {
  const parallel = request.mode === "download" && (options.connections ?? 1) > 1;
  const result = await runProcess(options.ytdlpPath ?? "yt-dlp", ytdlpArgs(request, options), {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    cwd: "output" in request ? request.output.dir : undefined,
    onStdoutLine: request.mode === "download" ? request.onLine : undefined,
    env: parallel ? lineBufferedStdout(options.libstdbufPath) : undefined,
  });
  if (result.code !== 0) throw classifyYtdlpFailure(result.stderrTail);
  if (request.mode === "json" || request.mode === "listing") return parseJson(result.stdout);
}

function ytdlpArgs(request: YtdlpRequest, setup: YtdlpSetup): string[] {
  const link = "url" in request ? ["--", request.url] : [];
  return [
    ...setupArgs(setup),
    ...YTDLP_BASE_ARGS,
    ...NETWORK_ARGS,
    ...cookiesArgs(),
    ...(request.mode === "download" ? parallelArgs(setup) : []),
    ...modeArgs(request),
    ...link,
  ];
}

/**
 * No config but the operator's, the worker's cache, and this process's own Deno binary as the
 * JavaScript runtime (YouTube's challenges), found without PATH.
 */
function setupArgs({ configFile, cacheDir }: YtdlpSetup): string[] {
  return [
    "--ignore-config",
    ...(configFile ? ["--config-locations", configFile] : []),
    ...(cacheDir ? ["--cache-dir", cacheDir] : ["--no-cache-dir"]),
    ...["--js-runtimes", `deno:${Deno.execPath()}`],
  ];
}

/** The cookies the job's run carries (workers/site_route.ts), if an admin stored some. */
function cookiesArgs(): string[] {
  const file = currentSiteRoute()?.cookiesFile;
  return file ? ["--cookies", file] : [];
}

function modeArgs(request: YtdlpRequest): string[] {
  switch (request.mode) {
    case "json":
      return [
        ...oneEntry(request.playlistItem),
        ...(request.format ? ["-f", overHttpOnly(request.format)] : []),
        "--dump-single-json",
      ];
    case "listing":
      return [
        ...["--yes-playlist", "--flat-playlist", "--playlist-end", String(request.maxEntries)],
        "--dump-single-json",
      ];
    case "download": {
      const template = `download:${PROGRESS_PREFIX}%(progress.{${PROGRESS_FIELDS}})j`;
      const { audio, ffmpegPath } = request;
      return [
        ...oneEntry(request.playlistItem),
        ...(request.extractors ? ["--use-extractors", extractorPatterns(request.extractors)] : []),
        ...["--newline", "--progress", "--progress-template", template, "--no-mtime"],
        ...["-f", overHttpOnly(request.format), "--max-filesize", String(request.maxFilesize)],
        ...outputArgs(request.output),
        ...(audio ? audioArgs(audio) : ["--merge-output-format", "mp4", "--remux-video", "mp4"]),
        ...(ffmpegPath?.includes("/") ? ["--ffmpeg-location", ffmpegPath] : []),
      ];
    }
    case "subtitles":
      return [
        ...["--load-info-json", request.infoJsonPath, "--skip-download"],
        request.automatic ? "--write-auto-subs" : "--write-subs",
        ...["--sub-langs", request.language, "--sub-format", "vtt/srt/best"],
        ...outputArgs(request.output),
      ];
  }
}

/** The audio file, its tags (upload date from the site) and the thumbnail as its cover. */
function audioArgs({ codec, kbps, tags, cover }: AudioExtraction): string[] {
  return [
    ...["--extract-audio", "--audio-format", codec],
    ...(kbps === undefined ? [] : ["--audio-quality", `${kbps}K`]),
    "--embed-metadata",
    ...(cover ? ["--embed-thumbnail", "--convert-thumbnails", "jpg"] : []),
    ...literalTag("title", tags.title),
    ...literalTag("artist", tags.artist),
    ...literalTag("album", tags.album),
  ];
}

/**
 * Sets a tag to a literal text: yt-dlp reads `--parse-metadata` as a template (its "%(…)s" and
 * ":" would be interpreted), so the field is made from the id, then replaced whole; only "\" is
 * special in the replacement. A NUL cannot go on a command line.
 */
function literalTag(name: string, value: string | undefined): string[] {
  const text = value?.replaceAll("\0", "");
  if (!text) return [];
  const field = `meta_${name}`;
  return [
    ...["--parse-metadata", `id:%(${field})s`],
    ...["--replace-in-metadata", field, "(?s)\\A.*\\Z", text.replaceAll("\\", "\\\\")],
  ];
}

/** yt-dlp reads each name as a regular expression matched whole: the names are taken literally. */
function extractorPatterns(names: readonly string[]): string {
  return names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(",");
}

/** One entry of a link: a playlist page gives only the one asked for. */
function oneEntry(playlistItem = 1): string[] {
  return ["--no-playlist", "--playlist-items", String(playlistItem)];
}

function outputArgs(output: YtdlpOutput): string[] {
  return ["--paths", output.dir, "--output", output.template];
}

/**
 * A format selector that only picks formats fetched over ALLOWED_PROTOCOLS: a page can change
 * between the probe and the download, so the filter goes with every selection.
 */
function overHttpOnly(selector: string): string {
  return `(${selector})[protocol~='^(${ALLOWED_PROTOCOLS.join("|")})$']`;
}

// --- output ---------------------------------------------------------------------------------------

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MediaError("failed", "yt-dlp printed invalid JSON");
  }
}

/** yt-dlp's JSON read with a schema; output of another shape fails the run clearly. */
export function readYtdlpJson<T extends z.ZodTypeAny>(schema: T, json: unknown): z.infer<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new MediaError("failed", "yt-dlp printed unexpected output");
  return parsed.data;
}

const playlistJson = z.object({ _type: z.literal("playlist"), entries: z.array(z.unknown()) });

/** The media a JSON run describes: a playlist page's first entry (the one asked for), or itself. */
export function firstMediaOf(json: unknown): unknown {
  const playlist = playlistJson.safeParse(json);
  return playlist.success ? playlist.data.entries[0] : json;
}

const num = z.number().optional().catch(undefined);
const rawProgress = z.object({
  status: z.string(),
  downloaded_bytes: num,
  total_bytes: num,
  total_bytes_estimate: num,
  speed: num,
  eta: num,
});
export type YtdlpProgress = z.infer<typeof rawProgress>;

/**
 * aria2c's readout, once a second: "[#2089b0 7.7MiB/19MiB(39%) CN:4 DL:8.2MiB ETA:1s]" (sizes
 * rounded down; a total of 0B while unknown). yt-dlp reports only the end of such a download.
 */
const ARIA2C_READOUT =
  /^\[#[0-9a-f]+ ([\d,.]+)(B|KiB|MiB|GiB|TiB)(?:\/([\d,.]+)(B|KiB|MiB|GiB|TiB))?(?:\(\d+%\))? CN:\d+ DL:([\d,.]+)(B|KiB|MiB|GiB|TiB)(?: ETA:(\w+))?/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

function readoutBytes(value: string, unit: string): number {
  return Math.floor(Number(value.replaceAll(",", "")) * SIZE_UNITS[unit]);
}

/** "1h2m3s" in seconds. */
function readoutSeconds(eta: string): number | undefined {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(eta);
  if (!match) return undefined;
  const [, h = "0", m = "0", s = "0"] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

function parseAria2cReadout(line: string): YtdlpProgress | undefined {
  const match = ARIA2C_READOUT.exec(line);
  if (!match) return undefined;
  const [, done, doneUnit, total, totalUnit, speed, speedUnit, eta] = match;
  const totalBytes = total === undefined ? 0 : readoutBytes(total, totalUnit);
  return {
    status: "downloading",
    downloaded_bytes: readoutBytes(done, doneUnit),
    total_bytes: totalBytes > 0 ? totalBytes : undefined,
    speed: readoutBytes(speed, speedUnit),
    eta: eta === undefined ? undefined : readoutSeconds(eta),
  };
}

/** Reads one progress line of a download run (yt-dlp's, or aria2c's readout); undefined for any other line. */
export function parseProgressLine(line: string): YtdlpProgress | undefined {
  if (line.startsWith("[#")) return parseAria2cReadout(line);
  if (!line.startsWith(PROGRESS_PREFIX)) return undefined;
  try {
    const parsed = rawProgress.safeParse(JSON.parse(line.slice(PROGRESS_PREFIX.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // Python's json prints NaN for some odd values
  }
}
