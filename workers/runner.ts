/** Runs one claimed job: the same code for in-process workers and fleet workers. */
import { type Api, GrammyError, HttpError } from "grammy";
import type { Claim, JobFailure, JobProgress } from "../media/job_types.ts";
import type {
  DownloadPayload,
  ExpandPayload,
  JobResult,
  ProbePayload,
  RecordPayload,
  SubtitlesPayload,
  UploadedFile,
} from "../media/job_types.ts";
import type { Logger } from "../lib/logger.ts";
import { MediaError, type ProbeInfo } from "../media/media_types.ts";
import { probeMedia } from "./ytdlp.ts";
import { uploadMedia } from "./upload.ts";
import { downloadFitted } from "./fit.ts";
import { runSplitDownload } from "./split_job.ts";
import { UrlGuard } from "../lib/url_guard.ts";
import type { CookieOutcome, JobTransport } from "../media/job_protocol.ts";
import { runRecordJob } from "./record.ts";
import { runSubtitlesJob } from "./subtitles.ts";
import { expandPlaylist } from "./playlist.ts";
import { noTranslator, type Translator } from "../media/translator.ts";
import { heartbeatInterval, LeaseWatch } from "./lease_watch.ts";
import { delay } from "es-toolkit/promise";
import { resolve } from "node:path";
import type { YtdlpSetup } from "./ytdlp_run.ts";
import { type JobEgress, runOnSiteRoutes } from "./site_attempts.ts";
import { cookieValues } from "../lib/netscape_cookies.ts";
import { redactValues } from "../lib/secrets.ts";
import { downloadGallery, isImageExtension, probeGallery } from "./gallery.ts";
import { uploadAlbums } from "./album_upload.ts";

export interface RunnerConfig {
  dataDir: string;
  ytdlpPath: string;
  /** gallery-dl, for images and galleries; "gallery-dl" from PATH by default */
  galleryDlPath?: string;
  /** the operator's yt-dlp config file (YTDLP_CONFIG) */
  ytdlpConfig?: string;
  ffmpegPath: string;
  ffprobePath: string;
  maxUploadBytes: number;
  /** lets the probe's size lookups reach loopback/private addresses (tests only) */
  allowPrivateUrls?: boolean;
  /** PROXY_URLS: upstream proxies the jobs' yt-dlp and ffmpeg runs go through, in turn */
  proxyUrls?: readonly string[];
  /** TELEGRAM_SHARED_DIR: the folder a local-mode Bot API server reads files by path in */
  telegramSharedDir?: string;
  /** DOWNLOAD_CONNECTIONS: connections one download opens at once (1 without) */
  downloadConnections?: number;
  /** LIBSTDBUF_PATH: coreutils' libstdbuf, when not where coreutils installs it */
  libstdbufPath?: string;
}

export interface RunnerDeps {
  transport: JobTransport;
  api: Api;
  config: RunnerConfig;
  logger: Logger;
  heartbeatMs?: number;
  /** translates subtitles; without one they keep their language, with a note */
  translator?: Translator;
  /** the upstream proxies jobs go through in turn (PROXY_URLS); without it, straight out */
  egress?: JobEgress;
  /** where job folders go (the pool's); `scratchRoot(dataDir)` by default */
  scratchRoot?: string;
}

const PROBE_TIMEOUT_MS = 90_000;
const DOWNLOAD_TIMEOUT_MS = 60 * 60_000;
/** a gallery's items are small: ten minutes for up to MAX_GALLERY_ITEMS of them */
const GALLERY_TIMEOUT_MS = 10 * 60_000;

export function scratchRoot(dataDir: string): string {
  return `${dataDir}/scratch`;
}

/**
 * Every yt-dlp run of this worker: its binary, its cache under DATA_DIR, the operator's config,
 * the connections a download opens.
 */
function ytdlpSetup(config: RunnerConfig): YtdlpSetup {
  return {
    ytdlpPath: config.ytdlpPath,
    cacheDir: resolve(config.dataDir, "ytdlp-cache"),
    configFile: config.ytdlpConfig,
    connections: config.downloadConnections,
    libstdbufPath: config.libstdbufPath,
  };
}

export async function runJob(
  claim: Claim,
  deps: RunnerDeps,
  shutdown?: AbortSignal,
): Promise<void> {
  const { job, leaseId, leaseMs } = claim;
  const { transport, logger } = deps;
  const controller = new AbortController();
  // a user's Stop ends a recording early and still delivers it, unlike a cancel
  const stopRequest = new AbortController();
  const stop = () => controller.abort(shutdown?.reason);
  shutdown?.addEventListener("abort", stop, { once: true });
  let progress: JobProgress | undefined;
  let leaseLost = false;
  const loseLease = (why: string) => {
    if (leaseLost) return;
    leaseLost = true;
    logger.warn("stopping a job: its lease is no longer certain", { jobId: job.id, why });
    controller.abort(new MediaError("cancelled", why));
  };
  const lease = new LeaseWatch(leaseMs, () => loseLease("no heartbeat accepted within the lease"));
  const beating = new AbortController();
  const beat = async () => {
    const sentAt = performance.now();
    try {
      // a beat answered after half a lease is of no use; one still out at the end is dropped
      const signal = AbortSignal.any([AbortSignal.timeout(leaseMs / 2), beating.signal]);
      const reply = await transport.heartbeat(job.id, leaseId, progress, signal);
      if (!reply.ok) return loseLease("the lease moved on");
      lease.confirm(sentAt);
      if (reply.cancel) controller.abort(new MediaError("cancelled", "cancelled"));
      if (reply.stop) stopRequest.abort();
    } catch (error) {
      if (!beating.signal.aborted) logger.warn("heartbeat failed", { jobId: job.id, error });
    }
  };
  const heartbeats = (async () => {
    const interval = heartbeatInterval(leaseMs, deps.heartbeatMs ?? 2_000);
    while (!beating.signal.aborted) {
      await delay(interval, { signal: beating.signal }).catch(() => {});
      if (!beating.signal.aborted) await beat();
    }
  })();
  const scratch = `${
    deps.scratchRoot ?? scratchRoot(deps.config.dataDir)
  }/${job.id}-${job.attempts}`;
  /** the job's cookie values: no failure message carries them to the app or the logs */
  let secrets: string[] = [];
  try {
    // the claim's answer may have been long on its way: a heartbeat vouches for the lease first
    await beat();
    if (!lease.held) return loseLease("the lease could not be confirmed");
    await Deno.mkdir(scratch, { recursive: true });
    const onProgress = (p: JobProgress) => {
      progress = p;
    };
    const run = { signal: controller.signal, stopSignal: stopRequest.signal, onProgress };
    const cookieSets = await transport.cookies(job.id, leaseId, controller.signal);
    secrets = cookieSets.flatMap((set) => cookieValues(set.text));
    const outcomes: CookieOutcome[] = [];
    const plan = {
      scratch,
      cookieSets,
      egress: deps.egress,
      onCookieOutcome: (outcome: CookieOutcome) => outcomes.push(outcome),
    };
    let result: JobResult;
    try {
      result = await runOnSiteRoutes(plan, () => runPayload(job, scratch, deps, run));
    } finally {
      if (outcomes.length > 0) {
        await transport.reportCookies(job.id, leaseId, outcomes).catch((error) =>
          logger.warn("could not report how cookies fared", { jobId: job.id, error })
        );
      }
    }
    if (!(await transport.complete(job.id, leaseId, result))) {
      // another worker has the job now, and the user gets its files: ours would be extra copies
      await withdrawUploads(deps, job.id, result);
    }
  } catch (error) {
    if (leaseLost) return; // another worker may own the job now; reporting would be refused anyway
    const described = describeFailure(error, shutdown?.aborted ?? false);
    const failure = { ...described, message: redactValues(described.message, secrets) };
    if (failure.code !== "cancelled") logger.warn("job failed", { jobId: job.id, ...failure });
    await transport.fail(job.id, leaseId, failure).catch((e) =>
      logger.error("could not report a failure; the lease will expire", { jobId: job.id, error: e })
    );
  } finally {
    beating.abort();
    await heartbeats;
    lease.stop();
    shutdown?.removeEventListener("abort", stop);
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

interface PayloadRun {
  signal: AbortSignal;
  /** a recording's Stop */
  stopSignal: AbortSignal;
  onProgress: (progress: JobProgress) => void;
}

function runPayload(
  job: Claim["job"],
  scratch: string,
  deps: RunnerDeps,
  run: PayloadRun,
): Promise<JobResult> {
  const { payload } = job;
  const { signal, onProgress } = run;
  switch (payload.kind) {
    case "probe":
      return runProbe(payload, deps.config, signal);
    case "download":
      return runDownload(payload, scratch, deps, signal, onProgress);
    case "record":
      return runRecord(payload, scratch, deps, run);
    case "subtitles":
      return runSubtitles(payload, scratch, deps, signal, onProgress);
    case "expand":
      return runExpand(payload, deps.config, signal);
  }
}

/** The messages a result's uploads made, removed when the app did not take the result. */
async function withdrawUploads(deps: RunnerDeps, jobId: string, result: JobResult) {
  for (const file of uploadedFiles(result)) {
    await deps.api.deleteMessage(file.chatId, file.messageId).catch((error) =>
      deps.logger.warn("could not withdraw an upload", { jobId, error })
    );
  }
}

function uploadedFiles(result: JobResult): UploadedFile[] {
  switch (result.kind) {
    case "download":
    case "subtitles":
      return [result.file];
    case "split":
    case "album":
    case "record":
      return result.files;
    default:
      return [];
  }
}

async function runProbe(
  payload: ProbePayload,
  config: RunnerConfig,
  signal: AbortSignal,
): Promise<JobResult> {
  const gallery = () =>
    probeGallery(payload.url, {
      galleryDlPath: config.galleryDlPath,
      signal,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
  let info: ProbeInfo;
  try {
    info = await probeMedia(payload.url, {
      ...ytdlpSetup(config),
      signal,
      timeoutMs: PROBE_TIMEOUT_MS,
      sizeLookup: { urlGuard: new UrlGuard(config.allowPrivateUrls ?? false) },
      playlistItem: payload.playlistItem,
    });
  } catch (error) {
    // yt-dlp stays first; a link it cannot handle may be a post of images
    if (!(error instanceof MediaError && error.code === "unsupported")) throw error;
    const found = payload.playlistItem ? undefined : await gallery();
    if (!found) throw error;
    return { kind: "probe", info: found };
  }
  // a page yt-dlp reads as images (every format a picture) is gallery-dl's
  const images = info.formats.length > 0 &&
    info.formats.every((format) => isImageExtension(format.ext));
  if (images && !payload.playlistItem) {
    const found = await gallery();
    if (found) return { kind: "probe", info: found };
  }
  return { kind: "probe", info };
}

async function runExpand(
  payload: ExpandPayload,
  config: RunnerConfig,
  signal: AbortSignal,
): Promise<JobResult> {
  const listing = await expandPlaylist(payload.url, {
    ...ytdlpSetup(config),
    maxEntries: payload.maxEntries,
    signal,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  return { kind: "playlist_entries", ...listing };
}

async function runDownload(
  payload: DownloadPayload,
  scratch: string,
  deps: RunnerDeps,
  signal: AbortSignal,
  onProgress: (progress: JobProgress) => void,
): Promise<JobResult> {
  const { config } = deps;
  const options = {
    variant: payload.variant,
    info: payload.info,
    outDir: scratch,
    maxBytes: Math.min(config.maxUploadBytes, payload.maxBytes ?? Infinity),
    ...ytdlpSetup(config),
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    signal,
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    onProgress,
    playlistItem: payload.playlistItem,
    audioTags: { title: payload.title, artist: payload.performer, album: payload.album },
  };
  if (payload.info.gallery) {
    return await runGalleryDownload(payload, scratch, deps, signal, onProgress);
  }
  if (payload.variant === "split") {
    // each part within the upload limit; together within what the quota reserved
    const parts = { ...options, maxBytes: config.maxUploadBytes, maxTotalBytes: payload.maxBytes };
    return { kind: "split", files: await runSplitDownload(deps.api, payload, parts, onProgress) };
  }
  const media = await downloadFitted(payload.url, options);
  onProgress({ phase: "uploading" });
  const file = await uploadMedia(deps.api, payload, media, signal);
  return { kind: "download", file };
}

/** A gallery's items, within the upload limit each and what the quota reserved together. */
async function runGalleryDownload(
  payload: DownloadPayload,
  scratch: string,
  deps: RunnerDeps,
  signal: AbortSignal,
  onProgress: (progress: JobProgress) => void,
): Promise<JobResult> {
  const { config } = deps;
  const items = await downloadGallery(payload.url, {
    galleryDlPath: config.galleryDlPath,
    ffprobePath: config.ffprobePath,
    outDir: scratch,
    maxItemBytes: config.maxUploadBytes,
    maxTotalBytes: payload.maxBytes ?? config.maxUploadBytes,
    signal,
    timeoutMs: GALLERY_TIMEOUT_MS,
    onProgress: ({ downloadedBytes }) => onProgress({ phase: "downloading", downloadedBytes }),
  });
  onProgress({ phase: "uploading", percent: 0 });
  const files = await uploadAlbums(
    deps.api,
    payload,
    items,
    signal,
    (sent) => onProgress({ phase: "uploading", percent: Math.round((sent / items.length) * 100) }),
  );
  return { kind: "album", files };
}

function runRecord(
  payload: RecordPayload,
  scratch: string,
  deps: RunnerDeps,
  run: { signal: AbortSignal; stopSignal: AbortSignal; onProgress: (p: JobProgress) => void },
): Promise<JobResult> {
  const { config } = deps;
  return runRecordJob(payload, deps.api, {
    ...run,
    urlGuard: new UrlGuard(config.allowPrivateUrls ?? false),
    outDir: scratch,
    maxUploadBytes: config.maxUploadBytes,
    ...ytdlpSetup(config),
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
  });
}

function runSubtitles(
  payload: SubtitlesPayload,
  scratch: string,
  deps: RunnerDeps,
  signal: AbortSignal,
  onProgress: (progress: JobProgress) => void,
): Promise<JobResult> {
  const { config } = deps;
  return runSubtitlesJob(payload, deps.api, {
    outDir: scratch,
    maxUploadBytes: config.maxUploadBytes,
    ...ytdlpSetup(config),
    ffmpegPath: config.ffmpegPath,
    ffprobePath: config.ffprobePath,
    translator: deps.translator ?? noTranslator,
    logger: deps.logger,
    signal,
    onProgress,
  });
}

/** Maps any error to what the queue needs: a code for the user's message and whether to retry. */
function describeFailure(
  error: unknown,
  shuttingDown: boolean,
): JobFailure & { retryable: boolean } {
  if (shuttingDown) return { code: "interrupted", message: "worker shut down", retryable: true };
  if (error instanceof MediaError) {
    return { code: error.code, message: error.message, retryable: error.retryable };
  }
  if (error instanceof GrammyError) {
    const retryable = error.error_code === 429 || error.error_code >= 500;
    const code = error.error_code === 413 ? "too_large" : "failed";
    return { code, message: `Telegram: ${error.description}`, retryable };
  }
  if (error instanceof HttpError) {
    return { code: "failed", message: error.message, retryable: true };
  }
  return {
    code: "failed",
    message: error instanceof Error ? error.message : String(error),
    retryable: true,
  };
}
