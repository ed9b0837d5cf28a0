/**
 * Subtitles: list a media's tracks, or fetch one as SubRip (converted from WebVTT), translated
 * cue by cue when asked (timings untouched), and optionally put into the video (mp4 track or
 * burned into the picture).
 */
import type { Api } from "grammy";
import { DiskFile } from "../lib/curl_upload.ts";
import { withPriority } from "../lib/throttle.ts";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { JobProgress } from "../media/job_types.ts";
import type {
  JobResult,
  SubtitlesPayload,
  SubtitleTrack,
  UploadedFile,
} from "../media/job_types.ts";
import { SUBTITLE_TRACKS_MAX, subtitleLanguageSchema } from "../media/job_schemas.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import type { Logger } from "../lib/logger.ts";
import { describeMediaFile, fileUrl, localMediaInput } from "./ffmpeg.ts";
import { MediaError, type ProbeInfo, type Variant } from "../media/media_types.ts";
import { runProcess } from "./process.ts";
import { type Cue, formatSrt, parseSubtitles, SubtitleFormatError } from "./subtitle_format.ts";
import { primaryLanguage, translateOrKeep, type Translator } from "../media/translator.ts";
import { safeFileName, uploadMedia } from "./upload.ts";
import { downloadMedia, toProbeInfo } from "./ytdlp.ts";
import { firstMediaOf, runYtdlp, type YtdlpSetup, ytdlpSetupOf } from "./ytdlp_run.ts";

export interface SubtitlesJobOptions extends YtdlpSetup {
  outDir: string;
  maxUploadBytes: number;
  ffmpegPath: string;
  ffprobePath: string;
  translator: Translator;
  logger?: Logger;
  signal: AbortSignal;
  onProgress: (progress: JobProgress) => void;
}

const PROBE_TIMEOUT_MS = 90_000;
const FETCH_TIMEOUT_MS = 120_000;
const VIDEO_TIMEOUT_MS = 60 * 60_000;
/** yt-dlp's pseudo-track of a live chat replay is no subtitle */
const NOT_SUBTITLES = new Set(["live_chat"]);
/** MP4 tags a subtitle track's language with ISO 639-2 */
const ISO_639_2: Record<string, string> = {
  ar: "ara",
  de: "deu",
  en: "eng",
  es: "spa",
  fr: "fra",
  it: "ita",
  ja: "jpn",
  ko: "kor",
  nl: "nld",
  pl: "pol",
  pt: "por",
  ru: "rus",
  tr: "tur",
  uk: "ukr",
  zh: "zho",
};

const trackList = z.record(
  z.string(),
  z.array(z.object({ name: z.string().optional().catch(undefined) }).passthrough()).catch([]),
).nullish().catch(undefined);
const rawSubtitles = z.object({
  subtitles: trackList,
  automatic_captions: trackList,
});

export interface MediaSubtitles {
  info: ProbeInfo;
  tracks: SubtitleTrack[];
  /** yt-dlp's JSON of the (first) media, for a second run without extracting again */
  json: unknown;
}

/** `yt-dlp -J`: the media and its tracks (people's first, then the useful automatic ones). */
async function probeSubtitles(
  url: string,
  options: YtdlpSetup & Pick<SubtitlesJobOptions, "signal"> & { preferred: string[] },
): Promise<MediaSubtitles> {
  const json = await runYtdlp({ mode: "json", url }, { ...options, timeoutMs: PROBE_TIMEOUT_MS });
  const info = toProbeInfo(json, url);
  const media = firstMediaOf(json);
  const parsed = rawSubtitles.safeParse(media);
  const data = parsed.success ? parsed.data : {};
  return {
    info,
    json: media,
    tracks: listTracks(data.subtitles ?? {}, data.automatic_captions ?? {}, options.preferred),
  };
}

/**
 * Every track people made; of the automatic ones (YouTube offers a machine translation into
 * each of ~100 languages) only the original ("-orig") and the preferred languages.
 */
export function listTracks(
  manual: Record<string, { name?: string }[]>,
  automatic: Record<string, { name?: string }[]>,
  preferred: readonly string[],
): SubtitleTrack[] {
  const usable = (language: string) =>
    !NOT_SUBTITLES.has(language) && subtitleLanguageSchema.safeParse(language).success;
  const wanted = new Set(preferred.map(primaryLanguage));
  const tracks: SubtitleTrack[] = Object.entries(manual)
    .filter(([language]) => usable(language))
    .map(([language, formats]) => ({
      language,
      name: formats.find((f) => f.name)?.name?.slice(0, 100),
      automatic: false,
    }));
  const manualLanguages = new Set(tracks.map((t) => t.language));
  for (const [language, formats] of Object.entries(automatic)) {
    if (!usable(language) || manualLanguages.has(language)) continue;
    const original = language.endsWith("-orig");
    if (!original && !wanted.has(language.toLowerCase())) continue;
    tracks.push({
      language,
      name: formats.find((f) => f.name)?.name?.slice(0, 100),
      automatic: true,
    });
  }
  return tracks.slice(0, SUBTITLE_TRACKS_MAX);
}

export async function runSubtitlesJob(
  payload: SubtitlesPayload,
  api: Api,
  options: SubtitlesJobOptions,
): Promise<JobResult> {
  const { signal } = options;
  const outDir = resolve(options.outDir);
  const preferred = [payload.lang, ...(payload.target ? [payload.target] : [])];
  const media = await probeSubtitles(payload.url, { ...options, preferred });
  const { info, tracks } = media;
  const track = payload.language === undefined
    ? undefined
    : pickTrack(tracks, payload.language, payload.automatic ?? false);
  // no language asked, or one the media lacks: the app offers the tracks there are
  if (!track) return { kind: "subtitle_tracks", title: info.title, tracks };

  options.onProgress({ phase: "downloading" });
  const cues = await fetchCues(media.json, track, outDir, options);
  const source = await sourceLanguage(track.language, cues);
  let texts = cues.map((cue) => cue.text);
  let translation: "done" | "failed" | undefined;
  if (payload.target && primaryLanguage(payload.target) !== source) {
    options.onProgress({ phase: "processing" });
    const outcome = await translateOrKeep(options.translator, texts, source, payload.target, {
      logger: options.logger,
      signal,
    });
    texts = outcome.texts;
    translation = outcome.translated ? "done" : "failed";
  }
  const language = translation === "done" ? primaryLanguage(payload.target!) : source;
  const srtPath = join(outDir, "subtitles.srt");
  await Deno.writeTextFile(srtPath, formatSrt(cues.map((cue, i) => ({ ...cue, text: texts[i] }))));
  const caption = subtitlesCaption(
    info.title,
    track.language,
    translation === "done" ? payload.target : undefined,
  );

  options.onProgress({ phase: "uploading" });
  const file = payload.output === "srt"
    ? await uploadSrt(api, payload, srtPath, info.title, language, caption, signal)
    : await uploadVideoWithSubtitles(api, payload, info, srtPath, language, caption, options);
  return { kind: "subtitles", file, translation };
}

/** The track in that language ("en" also finds "en-US"), made by people unless asked otherwise. */
export function pickTrack(
  tracks: readonly SubtitleTrack[],
  language: string,
  automatic: boolean,
): SubtitleTrack | undefined {
  const exact = tracks.filter((t) => t.language === language);
  const close = exact.length > 0
    ? exact
    : tracks.filter((t) => primaryLanguage(t.language) === primaryLanguage(language));
  return close.find((t) => t.automatic === automatic) ?? close[0];
}

function subtitlesCaption(title: string, language: string, target?: string): string {
  const languages = target ? `${language} → ${target}` : language;
  return `📝 <b>${escapeHtml(truncate(title, 200))}</b> · ${escapeHtml(languages)}`;
}

/**
 * The track's language when it names one; otherwise what the text reads like. The detector's
 * n-gram tables weigh some 60 MB of memory, so a worker loads them only when a track needs them.
 */
async function sourceLanguage(language: string, cues: Cue[]): Promise<string> {
  const primary = primaryLanguage(language);
  if (/^[a-z]{2}$/.test(primary)) return primary;
  const { detectLanguage, loadLanguageDetection } = await import("../media/detect_language.ts");
  await loadLanguageDetection();
  return detectLanguage(cues.slice(0, 50).map((cue) => cue.text).join(" ")) ?? primary;
}

/** Writes the track with yt-dlp from the probe's JSON (no second extraction), then reads it. */
async function fetchCues(
  json: unknown,
  track: SubtitleTrack,
  outDir: string,
  options: YtdlpSetup & Pick<SubtitlesJobOptions, "signal">,
): Promise<Cue[]> {
  const infoPath = join(outDir, "info.json");
  await Deno.writeTextFile(infoPath, JSON.stringify(json));
  await runYtdlp({
    mode: "subtitles",
    infoJsonPath: infoPath,
    language: track.language,
    automatic: track.automatic,
    output: { dir: outDir, template: "subs" },
  }, { ...options, timeoutMs: FETCH_TIMEOUT_MS });
  const path = await findSubtitleFile(outDir);
  try {
    const cues = parseSubtitles(await Deno.readTextFile(path), { rolling: track.automatic });
    if (cues.length === 0) throw new MediaError("unavailable", "The subtitles are empty.");
    return cues;
  } catch (error) {
    if (error instanceof SubtitleFormatError) {
      throw new MediaError("unsupported", `The subtitles cannot be read: ${error.message}`);
    }
    throw error;
  }
}

async function findSubtitleFile(dir: string): Promise<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^subs\..+\.(vtt|srt)$/i.test(entry.name)) return join(dir, entry.name);
  }
  throw new MediaError("unsupported", "yt-dlp found no subtitles in a format I can read.");
}

/** grammY's npm build types its signal with a polyfill's AbortSignal; the runtime one works. */
type ApiSignal = Parameters<Api["sendDocument"]>[3];

async function uploadSrt(
  api: Api,
  payload: SubtitlesPayload,
  srtPath: string,
  title: string,
  language: string,
  caption: string,
  signal: AbortSignal,
): Promise<UploadedFile> {
  const name = safeFileName(`${title}.${language}`, srtPath);
  signal.throwIfAborted();
  const message = await api.sendDocument(
    payload.uploadChatId,
    new DiskFile(srtPath, name),
    withPriority("delivery", { caption }),
    signal as ApiSignal,
  );
  const document = message.document;
  if (!document) throw new Error("Telegram answered without a document");
  return {
    fileId: document.file_id,
    fileUniqueId: document.file_unique_id,
    kind: "document",
    size: document.file_size ?? (await Deno.stat(srtPath)).size,
    chatId: message.chat.id,
    messageId: message.message_id,
  };
}

/** The video with the subtitles as an mp4 text track (soft) or drawn into the picture (burned). */
async function uploadVideoWithSubtitles(
  api: Api,
  payload: SubtitlesPayload,
  info: ProbeInfo,
  srtPath: string,
  language: string,
  caption: string,
  options: SubtitlesJobOptions,
): Promise<UploadedFile> {
  const { signal } = options;
  const videoDir = join(resolve(options.outDir), "video");
  await Deno.mkdir(videoDir);
  // burning re-encodes every frame: 720p keeps that within reach of two cores
  const variant: Variant = payload.output === "burned" &&
      info.formats.some((f) => (f.height ?? 0) > 720)
    ? "720"
    : "best";
  // within the upload limit and the quota it reserved
  const maxBytes = Math.min(options.maxUploadBytes, payload.maxBytes ?? Infinity);
  options.onProgress({ phase: "downloading" });
  const video = await downloadMedia(payload.url, {
    variant,
    info,
    outDir: videoDir,
    maxBytes,
    ...ytdlpSetupOf(options),
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    signal,
    timeoutMs: VIDEO_TIMEOUT_MS,
  });
  if (video.kind !== "video") throw new MediaError("unsupported", "This media has no video.");
  options.onProgress({ phase: "processing" });
  const outPath = join(resolve(options.outDir), "with-subtitles.mp4");
  const args = payload.output === "soft"
    ? softTrackArgs(video.path, srtPath, outPath, language)
    : burnArgs(video.path, srtPath, outPath);
  const result = await runProcess(options.ffmpegPath, args, {
    signal,
    timeoutMs: VIDEO_TIMEOUT_MS,
    cwd: resolve(options.outDir),
  });
  if (result.code !== 0) {
    throw new MediaError("failed", `ffmpeg could not add the subtitles: ${result.stderrTail}`);
  }
  options.onProgress({ phase: "uploading" });
  const media = await describeMediaFile(outPath, {
    maxBytes,
    thumbnailPath: join(resolve(options.outDir), "thumbnail.jpg"),
    ffmpegPath: options.ffmpegPath,
    ffprobePath: options.ffprobePath,
    signal,
  });
  return await uploadMedia(
    api,
    {
      uploadChatId: payload.uploadChatId,
      caption,
      title: info.title,
    },
    media,
    signal,
  );
}

function softTrackArgs(
  videoPath: string,
  srtPath: string,
  outPath: string,
  language: string,
): string[] {
  const tag = ISO_639_2[primaryLanguage(language)];
  return [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y"],
    ...localMediaInput(videoPath),
    ...["-protocol_whitelist", "file", "-format_whitelist", "srt", "-i", fileUrl(srtPath)],
    ...["-map", "0:v", "-map", "0:a?", "-map", "1:0", "-c", "copy", "-c:s", "mov_text"],
    ...(tag ? ["-metadata:s:s:0", `language=${tag}`] : []),
    ...["-disposition:s:0", "default", "-movflags", "+faststart", `file:${outPath}`],
  ];
}

/** The subtitles filter reads its file by name: the job's directory is the working directory. */
export function burnArgs(videoPath: string, srtPath: string, outPath: string): string[] {
  const name = srtPath.split("/").pop()!;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`unsafe subtitle file name for a filter: ${name}`);
  return [
    ...["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...localMediaInput(videoPath)],
    ...["-vf", `subtitles=${name}`, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23"],
    ...["-c:a", "copy", "-movflags", "+faststart", `file:${outPath}`],
  ];
}
