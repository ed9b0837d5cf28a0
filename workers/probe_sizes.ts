/**
 * Sizes yt-dlp did not report (plain HTML5 sources, direct links): one HEAD request per format
 * answers with the exact Content-Length, so the preview can show sizes and recommend a quality
 * that fits. Each address, and each redirect, goes through the URL guard first.
 */
import { z } from "zod";
import type { UrlGuard } from "../lib/url_guard.ts";
import type { ProbeFormat, ProbeInfo } from "./media_types.ts";

export interface SizeLookupOptions {
  urlGuard: UrlGuard;
  signal?: AbortSignal;
  /** per request */
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
  start: string,
  headers: Record<string, string>,
  options: SizeLookupOptions,
): Promise<number | undefined> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const checked = await options.urlGuard.check(url);
    if (!checked.ok) return undefined;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const response = await fetch(checked.url, {
      method: "HEAD",
      headers,
      redirect: "manual",
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, checked.url).href;
      continue;
    }
    // an HTML answer is an error or consent page, not the media
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || type.startsWith("text/")) return undefined;
    const length = Number(response.headers.get("content-length"));
    return Number.isSafeInteger(length) && length > 0 ? length : undefined;
  }
  return undefined;
}
