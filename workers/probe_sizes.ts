/**
 * Sizes yt-dlp did not report (plain HTML5 sources, direct links): one HEAD request per format
 * answers with the exact Content-Length, so the preview can show sizes and recommend a quality
 * that fits. Each address, and each redirect, goes through the guarded fetch: checked, and
 * connected to the very address that was checked.
 */
import { z } from "zod";
import { type FetchGuard, guardedFetch } from "../lib/guarded_fetch.ts";
import type { ProbeFormat, ProbeInfo } from "../media/media_types.ts";

export interface SizeLookupOptions {
  urlGuard: FetchGuard;
  signal?: AbortSignal;
  /** per lookup, redirects included */
  timeoutMs?: number;
}

/** yt-dlp lists formats worst to best: the best few are the ones worth sizing */
const MAX_LOOKUPS = 8;
const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 5_000;
const HTTP_PROTOCOLS = new Set(["http", "https"]);

const rawFormat = z.object({
  format_id: z.coerce.string(),
  url: z.string().optional().catch(undefined),
  protocol: z.string().optional().catch(undefined),
  http_headers: z.record(z.string(), z.string()).optional().catch(undefined),
});
const rawInfo = z.object({
  _type: z.string().optional().catch(undefined),
  formats: z.array(z.unknown()).optional().catch(undefined),
  entries: z.array(z.unknown()).optional().catch(undefined),
});

/** The probe with the sizes a HEAD could learn; formats that already have one are left alone. */
export async function fillMissingSizes(
  info: ProbeInfo,
  json: unknown,
  options: SizeLookupOptions,
): Promise<ProbeInfo> {
  const sources = formatSources(json);
  const wanted = info.formats
    .filter((f) => f.filesize === undefined && f.filesizeApprox === undefined)
    .filter((f) => HTTP_PROTOCOLS.has(f.protocol ?? "") && sources.has(f.id))
    .slice(-MAX_LOOKUPS);
  if (wanted.length === 0) return info;
  const sizes = new Map<string, number>();
  await Promise.all(wanted.map(async (format) => {
    const source = sources.get(format.id)!;
    const size = await headSize(source.url, source.headers, options).catch(() => undefined);
    if (size !== undefined) sizes.set(format.id, size);
  }));
  return { ...info, formats: info.formats.map((f) => withSize(f, sizes.get(f.id))) };
}

function withSize(format: ProbeFormat, size: number | undefined): ProbeFormat {
  return size === undefined ? format : { ...format, filesize: size };
}

/** format id → where yt-dlp would fetch it, for the same entry toProbeInfo keeps */
function formatSources(
  json: unknown,
): Map<string, { url: string; headers: Record<string, string> }> {
  const parsed = rawInfo.safeParse(json);
  const sources = new Map<string, { url: string; headers: Record<string, string> }>();
  if (!parsed.success) return sources;
  if (parsed.data._type === "playlist") return formatSources(parsed.data.entries?.[0]);
  for (const raw of parsed.data.formats ?? [json]) {
    const format = rawFormat.safeParse(raw);
    if (format.success && format.data.url) {
      sources.set(format.data.format_id, {
        url: format.data.url,
        headers: format.data.http_headers ?? {},
      });
    }
  }
  return sources;
}

async function headSize(
  url: string,
  headers: Record<string, string>,
  options: SizeLookupOptions,
): Promise<number | undefined> {
  const response = await guardedFetch(options.urlGuard, url, {
    method: "HEAD",
    headers,
    maxBodyBytes: 0,
    maxRedirects: MAX_REDIRECTS,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: options.signal,
  });
  // an HTML answer is an error or consent page, not the media
  const type = response.headers.get("content-type") ?? "";
  if (response.status < 200 || response.status >= 300 || type.startsWith("text/")) return undefined;
  const length = Number(response.headers.get("content-length"));
  return Number.isSafeInteger(length) && length > 0 ? length : undefined;
}
