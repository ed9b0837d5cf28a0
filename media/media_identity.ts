/**
 * What every cache and index knows a media by (the file and parts caches, playlist item ids,
 * the recommendation index, the history's "already have it"). Computed here and nowhere else.
 *
 * yt-dlp's (extractor, id) names one media only when the id is the site's own. The generic and
 * HTML5 extractors name a media by its URL's file name: `https://a.example/x/video.mp4` and
 * `https://b.example/y/video.mp4` are both `generic "video"`. So the identity adds the
 * normalised page URL (yt-dlp's `webpage_url`, the URL after redirects) unless the extractor is
 * one whose ids we checked to be site ids. An extractor missing from that list costs a second
 * download when the same media is reached by another URL, never a wrong file.
 */
import type { ProbeInfo } from "./media_types.ts";

/**
 * Extractors (yt-dlp's `extractor`, its IE_NAME) whose ids are the site's own ids, unique on
 * that site: a YouTube video id, a tweet's media id, a TikTok item id… yt-dlp's download
 * archive relies on the same (extractor, id) uniqueness for these.
 */
const SITE_ID_EXTRACTORS: ReadonlySet<string> = new Set([
  "youtube",
  "vimeo",
  "dailymotion",
  "twitter",
  "Instagram",
  "TikTok",
  "Reddit",
  "soundcloud",
  "facebook",
  "twitch:vod",
  "twitch:clips",
  "BiliBili",
]);

export interface MediaIdentity {
  /** SHA-256 of `text` in hex: what cache and index entries are keyed by */
  key: string;
  /** what the key digests; cache entries store it and a hit must match it */
  text: string;
}

/** What the identity is computed from; the page URL matters only for URL-derived ids. */
export type MediaRef = Pick<ProbeInfo, "extractor" | "id" | "webpageUrl">;

/**
 * The URL as it is requested: scheme and host lower-cased, default port and dot segments removed
 * (WHATWG parsing; yt-dlp removes dot segments too). Path, query and fragment are kept as they
 * are: yt-dlp reads the fragment too (HTML5 ids include it, `#__youtubedl_smuggle` passes data to
 * extractors), so two links that differ only there may be two media.
 */
export function normalizeMediaUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** Whether the media's id names it on its own, without its URL. */
export function hasSiteId(media: Pick<ProbeInfo, "extractor" | "id">): boolean {
  // a newline would make `${extractor}\n${id}` ambiguous; site ids never have one
  return SITE_ID_EXTRACTORS.has(media.extractor) && !media.id.includes("\n");
}

export async function mediaIdentity(media: MediaRef): Promise<MediaIdentity> {
  // site ids keep the text playlist item ids were always made of, so existing items keep theirs
  const text = hasSiteId(media)
    ? `${media.extractor}\n${media.id}`
    : JSON.stringify([media.extractor, media.id, normalizeMediaUrl(media.webpageUrl)]);
  return { key: await sha256Hex(text), text };
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
