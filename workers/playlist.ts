/** Lists the entries of a playlist or channel with `yt-dlp --flat-playlist`, without probing each. */
import { z } from "zod";
import type { PlaylistEntry } from "../media/job_types.ts";
import { MediaError } from "../media/media_types.ts";
import { readYtdlpJson, runYtdlp, type YtdlpRunOptions } from "./ytdlp_run.ts";

export interface PlaylistListing {
  title: string;
  /** as the site reports it; may exceed the entries listed */
  count: number;
  entries: PlaylistEntry[];
}

export interface ExpandOptions extends YtdlpRunOptions {
  maxEntries: number;
}

const ENTRY_URL_MAX = 2048;
const ENTRY_TITLE_MAX = 300;
/** the listing travels in one job value, which KV caps at 64 KiB */
const LISTING_BUDGET_CHARS = 40_000;

const str = z.string().optional().catch(undefined);
const rawEntry = z.object({
  _type: str,
  url: str,
  webpage_url: str,
  title: str,
  playlist_index: z.number().int().positive().optional().catch(undefined),
});
const rawListing = z.object({
  _type: str,
  title: str,
  webpage_url: str,
  playlist_count: z.number().int().nonnegative().optional().catch(undefined),
  entries: z.array(z.unknown()).optional().catch(undefined),
});

export async function expandPlaylist(
  url: string,
  options: ExpandOptions,
): Promise<PlaylistListing> {
  const json = await runYtdlp({ mode: "listing", url, maxEntries: options.maxEntries }, options);
  return toListing(json, url, options.maxEntries);
}

/**
 * A flat entry with a link of its own (`_type: url`, as YouTube lists them) keeps it; entries
 * embedded in one page (HTML5 videos) are addressed as the page plus their position on it.
 * A link that is not a playlist lists itself.
 */
export function toListing(json: unknown, url: string, maxEntries: number): PlaylistListing {
  const listing = readYtdlpJson(rawListing, json);
  const title = (listing.title ?? url).slice(0, ENTRY_TITLE_MAX);
  if (listing._type !== "playlist") return { title, count: 1, entries: [{ url, title }] };
  const entries: PlaylistEntry[] = [];
  let budget = LISTING_BUDGET_CHARS;
  for (const [index, raw] of (listing.entries ?? []).slice(0, maxEntries).entries()) {
    const entry = rawEntry.safeParse(raw);
    if (!entry.success) continue;
    const own = entry.data._type?.startsWith("url") ? entry.data.url : undefined;
    const item: PlaylistEntry = own && /^https?:\/\//i.test(own)
      ? { url: own }
      : { url, playlistItem: entry.data.playlist_index ?? index + 1 };
    if (item.url.length > ENTRY_URL_MAX) continue;
    if (entry.data.title) item.title = entry.data.title.slice(0, ENTRY_TITLE_MAX);
    budget -= JSON.stringify(item).length;
    if (budget < 0) break;
    entries.push(item);
  }
  if (entries.length === 0) throw new MediaError("unsupported", "This playlist has no entries.");
  return { title, count: Math.max(listing.playlist_count ?? 0, entries.length), entries };
}
