/**
 * Is a link live, and where is its stream? yt-dlp says so for most sites (is_live, live_status);
 * for a bare HLS playlist it may not, so a media playlist without #EXT-X-ENDLIST counts as live.
 */
import { z } from "zod";
import {
  EgressRefusedError,
  type FetchGuard,
  guardedFetch,
  ResponseTooLargeError,
} from "../lib/guarded_fetch.ts";
import { MediaError, type ProbeInfo } from "../media/media_types.ts";
import { toProbeInfo } from "./ytdlp.ts";
import { firstMediaOf, readYtdlpJson, runYtdlp, type YtdlpRunOptions } from "./ytdlp_run.ts";

/** One input for ffmpeg: a stream URL and the headers the site expects with it. */
export interface StreamInput {
  url: string;
  headers: Record<string, string>;
  protocol?: string;
}

export interface StreamInspection {
  info: ProbeInfo;
  live: boolean;
  /** one muxed stream, or a video stream then an audio stream */
  inputs: StreamInput[];
}

export interface InspectOptions extends YtdlpRunOptions {
  /** every playlist address, and each redirect, is checked before it is fetched */
  urlGuard: FetchGuard;
}

/** Recordings are capped at 720p: hours of stream copy must stay uploadable in parts. */
const FORMAT_SELECTOR = "b[height<=720]/b/bv*[height<=720]+ba/bv*+ba";
const PLAYLIST_MAX_BYTES = 1024 * 1024;
const PLAYLIST_TIMEOUT_MS = 15_000;
const MAX_REDIRECTS = 5;

const headers = z.record(z.string(), z.string()).optional().catch(undefined);
const selectedFormat = z.object({
  url: z.string().optional().catch(undefined),
  protocol: z.string().optional().catch(undefined),
  http_headers: headers,
});
const selection = selectedFormat.extend({
  requested_formats: z.array(selectedFormat).optional().catch(undefined),
});

export async function inspectStream(
  url: string,
  options: InspectOptions,
): Promise<StreamInspection> {
  const json = await runYtdlp({ mode: "json", url, format: FORMAT_SELECTOR }, options);
  const info = toProbeInfo(json, url);
  const chosen = readYtdlpJson(selection, firstMediaOf(json));
  const formats = chosen.requested_formats ?? [chosen];
  const inputs = formats.flatMap((format) =>
    format.url && /^https?:\/\//i.test(format.url)
      ? [{ url: format.url, headers: format.http_headers ?? {}, protocol: format.protocol }]
      : []
  );
  if (inputs.length === 0) throw new MediaError("unsupported", "No stream to record was found.");
  const live = info.isLive || await isLiveHls(inputs[0], options.urlGuard, options.signal);
  return { info, live, inputs };
}

/** True for an HLS media playlist (or a master whose first variant is one) that has no end yet. */
export async function isLiveHls(
  input: StreamInput,
  urlGuard: FetchGuard,
  signal?: AbortSignal,
): Promise<boolean> {
  const looksHls = input.protocol?.startsWith("m3u8") || /\.m3u8(?:[?#]|$)/i.test(input.url);
  if (!looksHls) return false;
  const playlist = await fetchPlaylist(input, urlGuard, signal);
  const variant = firstVariantUrl(playlist.text, playlist.url);
  if (!variant) return isLivePlaylist(playlist.text);
  return isLivePlaylist((await fetchPlaylist({ ...input, url: variant }, urlGuard, signal)).text);
}

export function isLivePlaylist(playlist: string): boolean {
  if (!playlist.trimStart().startsWith("#EXTM3U")) return false;
  if (/^#EXT-X-PLAYLIST-TYPE:\s*VOD/m.test(playlist)) return false;
  return /^#EXTINF:/m.test(playlist) && !/^#EXT-X-ENDLIST/m.test(playlist);
}

/** The URI after the first #EXT-X-STREAM-INF of a master playlist, resolved against it. */
export function firstVariantUrl(playlist: string, base: string): string | undefined {
  const lines = playlist.split(/\r?\n/).map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith("#EXT-X-STREAM-INF"));
  if (at < 0) return undefined;
  const uri = lines.slice(at + 1).find((line) => line && !line.startsWith("#"));
  if (!uri) return undefined;
  const resolved = new URL(uri, base);
  return resolved.protocol === "http:" || resolved.protocol === "https:"
    ? resolved.href
    : undefined;
}

/** The playlist's text and final address, through the guarded fetch (redirects checked too). */
async function fetchPlaylist(
  input: StreamInput,
  urlGuard: FetchGuard,
  signal?: AbortSignal,
): Promise<{ text: string; url: string }> {
  try {
    const response = await guardedFetch(urlGuard, input.url, {
      headers: input.headers,
      maxBodyBytes: PLAYLIST_MAX_BYTES,
      maxRedirects: MAX_REDIRECTS,
      timeoutMs: PLAYLIST_TIMEOUT_MS,
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw new MediaError("unavailable", `the playlist answered ${response.status}`);
    }
    return { text: new TextDecoder().decode(response.body), url: response.url };
  } catch (error) {
    if (error instanceof MediaError) throw error;
    if (error instanceof EgressRefusedError) {
      throw new MediaError("unavailable", `the stream's address is ${error.message}`);
    }
    if (error instanceof ResponseTooLargeError) {
      throw new MediaError("unsupported", "the playlist is too large");
    }
    if (signal?.aborted) throw new MediaError("cancelled", "cancelled");
    throw new MediaError("failed", `could not read the playlist: ${String(error)}`, true);
  }
}
