/** Each user's delivered downloads, newest first. */
import { encodeTime, ulid } from "../lib/ids.ts";
import type { MediaKind, ProbeInfo, Variant } from "../media/media_types.ts";
import type { MediaRef } from "../media/media_identity.ts";
import { utcDay } from "../lib/time.ts";

export interface HistoryEntry {
  id: string;
  userId: number;
  title: string;
  url: string;
  kind: MediaKind;
  variant: Variant;
  size: number;
  extractor: string;
  mediaId: string;
  /** yt-dlp's page URL of the media; entries recorded before it was kept have none */
  webpageUrl?: string;
  fromCache: boolean;
  at: number;
  /** what recommendations build on: the creator, the site's tags and categories */
  uploader?: string;
  tags?: string[];
  categories?: string[];
}

/** The labels of a probe that a history entry keeps. */
export function mediaLabels(
  info: Pick<ProbeInfo, "uploader" | "tags" | "categories">,
): Pick<HistoryEntry, "uploader" | "tags" | "categories"> {
  return { uploader: info.uploader, tags: info.tags, categories: info.categories };
}

/**
 * The media an entry (or a recommendation made from one) is, for mediaIdentity(). Entries from
 * before webpageUrl was kept give the link asked for: a URL-derived identity made from it can
 * only find files cached for that same URL.
 */
export function mediaOfEntry(
  entry: Pick<HistoryEntry, "extractor" | "mediaId" | "webpageUrl" | "url">,
): MediaRef {
  return {
    extractor: entry.extractor,
    id: entry.mediaId,
    webpageUrl: entry.webpageUrl ?? entry.url,
  };
}

function historyKey(userId: number, id: string) {
  return ["history", userId, id] as const;
}
function historyByKindKey(userId: number, kind: MediaKind, id: string) {
  return ["history_by_kind", userId, kind, id] as const;
}
function kindCountKey(userId: number, kind: MediaKind) {
  return ["user_counters", userId, `kind:${kind}`] as const;
}
export function downloadsCountKey(userId: number) {
  return ["user_counters", userId, "downloads"] as const;
}
function bytesCountKey(userId: number) {
  return ["user_counters", userId, "bytes"] as const;
}

function globalDailyKey(day: string, counter: "downloads" | "bytes") {
  return ["stats_daily", day, counter] as const;
}

export async function getDailyTotals(
  kv: Deno.Kv,
  day: string,
): Promise<{ downloads: number; bytes: number }> {
  const [downloads, bytes] = await kv.getMany<Deno.KvU64[]>([
    globalDailyKey(day, "downloads"),
    globalDailyKey(day, "bytes"),
  ]);
  return {
    downloads: Number(downloads.value?.value ?? 0n),
    bytes: Number(bytes.value?.value ?? 0n),
  };
}

function deliveryKey(key: string) {
  return ["history_deliveries", key] as const;
}

/**
 * Records a delivery with its counters in one atomic, once per `deliveryKey` (a job id, or a
 * callback query id for cache hits): a job reported twice, or an update Telegram delivers twice,
 * is recorded once. Returns null for a repeat.
 */
export async function addHistoryEntry(
  kv: Deno.Kv,
  input: Omit<HistoryEntry, "id" | "at"> & { webpageUrl: string },
  key: string,
  at = Date.now(),
): Promise<HistoryEntry | null> {
  const entry: HistoryEntry = { ...input, id: ulid(at), at };
  const size = BigInt(Math.max(0, Math.round(entry.size)));
  const result = await kv.atomic()
    .check({ key: deliveryKey(key), versionstamp: null })
    .set(deliveryKey(key), entry.id, { expireIn: 30 * 86_400_000 })
    .set(historyKey(entry.userId, entry.id), entry)
    .set(historyByKindKey(entry.userId, entry.kind, entry.id), entry)
    .sum(downloadsCountKey(entry.userId), 1n)
    .sum(kindCountKey(entry.userId, entry.kind), 1n)
    .sum(bytesCountKey(entry.userId), size)
    .sum(globalDailyKey(utcDay(at), "downloads"), 1n)
    .sum(globalDailyKey(utcDay(at), "bytes"), size)
    .commit();
  return result.ok ? entry : null;
}

export async function listRecentHistory(
  kv: Deno.Kv,
  userId: number,
  limit = 10,
): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for await (
    const e of kv.list<HistoryEntry>({ prefix: ["history", userId] }, { reverse: true, limit })
  ) {
    entries.push(e.value);
  }
  return entries;
}

export type HistoryFilter = MediaKind | "all";

export interface HistoryPage {
  /** newest first */
  entries: HistoryEntry[];
  /** where the next (older) page starts */
  older?: string;
  /** the previous (newer) page; `from` unset means the first page */
  newer?: { from?: string };
}

function filteredPrefix(userId: number, filter: HistoryFilter) {
  return filter === "all" ? ["history", userId] : ["history_by_kind", userId, filter];
}

/** A page of at most `limit` entries, newest first, from the entry `from` (inclusive) down. */
export async function listHistoryPage(
  kv: Deno.Kv,
  userId: number,
  options: { filter: HistoryFilter; from?: string; limit: number },
): Promise<HistoryPage> {
  const prefix = filteredPrefix(userId, options.filter);
  // "id\0" sorts right after "id", so these bounds include `from` in the page
  const olderSelector = options.from
    ? { prefix, end: [...prefix, `${options.from}\0`] }
    : { prefix };
  const listed: HistoryEntry[] = [];
  for await (
    const e of kv.list<HistoryEntry>(olderSelector, { reverse: true, limit: options.limit + 1 })
  ) listed.push(e.value);
  const page: HistoryPage = { entries: listed.slice(0, options.limit) };
  if (listed.length > options.limit) page.older = listed[options.limit].id;
  if (options.from) {
    const newer: string[] = [];
    for await (
      const e of kv.list<HistoryEntry>({ prefix, start: [...prefix, `${options.from}\0`] }, {
        limit: options.limit + 1,
      })
    ) newer.push(e.value.id);
    if (newer.length > options.limit) page.newer = { from: newer[options.limit - 1] };
    else if (newer.length > 0) page.newer = {};
  }
  return page;
}

export async function getHistoryEntry(
  kv: Deno.Kv,
  userId: number,
  id: string,
): Promise<HistoryEntry | null> {
  return (await kv.get<HistoryEntry>(historyKey(userId, id))).value;
}

/** Removes an entry from the list; the totals keep counting what the user received. */
export async function removeHistoryEntry(
  kv: Deno.Kv,
  userId: number,
  id: string,
): Promise<boolean> {
  const entry = await kv.get<HistoryEntry>(historyKey(userId, id));
  if (!entry.value) return false;
  const result = await kv.atomic()
    .check(entry)
    .delete(historyKey(userId, id))
    .delete(historyByKindKey(userId, entry.value.kind, id))
    .commit();
  return result.ok;
}

/** Entries since `since`, oldest first, at most `max` of them (the newest are kept). */
export async function listHistorySince(
  kv: Deno.Kv,
  userId: number,
  since: number,
  max = 5_000,
): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  const selector = {
    prefix: ["history", userId],
    start: ["history", userId, encodeTime(since, 10)],
  };
  for await (const e of kv.list<HistoryEntry>(selector, { reverse: true, limit: max })) {
    entries.push(e.value);
  }
  return entries.reverse();
}

export interface HistoryTotals {
  downloads: number;
  bytes: number;
  byKind: Record<MediaKind, number>;
}

/** Everything the user ever received, by kind; removing entries does not change it. */
export async function getHistoryTotals(kv: Deno.Kv, userId: number): Promise<HistoryTotals> {
  const [downloads, bytes, video, audio, document, photo] = await kv.getMany<Deno.KvU64[]>([
    downloadsCountKey(userId),
    bytesCountKey(userId),
    kindCountKey(userId, "video"),
    kindCountKey(userId, "audio"),
    kindCountKey(userId, "document"),
    kindCountKey(userId, "photo"),
  ]);
  const count = (e: Deno.KvEntryMaybe<Deno.KvU64>) => Number(e.value?.value ?? 0n);
  return {
    downloads: count(downloads),
    bytes: count(bytes),
    byKind: {
      video: count(video),
      audio: count(audio),
      document: count(document),
      photo: count(photo),
    },
  };
}
