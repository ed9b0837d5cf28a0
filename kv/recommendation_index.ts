/**
 * Who downloaded what, for recommendations: media → users, user → media, creator → media,
 * label (tag or category) → media, and each media's number of distinct users. Every key expires
 * after INDEX_TTL_MS without a new download, a media keeps at most MAX_USERS_PER_MEDIA users,
 * and every read is limited, so neither storage nor a query grows without bound.
 */
import { ulid } from "../lib/ids.ts";
import { type HistoryEntry, mediaOfEntry } from "./history.ts";
import { mediaIdentity } from "../media/media_identity.ts";
import { boundedKeyPart } from "../lib/kv_key.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

/** What a recommendation shows and how it is downloaded again. */
export interface CatalogItem {
  key: string;
  extractor: string;
  mediaId: string;
  /** absent on items indexed before it was kept */
  webpageUrl?: string;
  title: string;
  url: string;
  kind: HistoryEntry["kind"];
  variant: HistoryEntry["variant"];
  uploader?: string;
  tags?: string[];
  categories?: string[];
}

/** One of a user's media, with what their profile needs (no catalog read per item). */
export interface UserItem {
  key: string;
  title: string;
  creator?: string;
  labels: string[];
  at: number;
}

const INDEX_TTL_MS = 180 * 86_400_000;
const MAX_USERS_PER_MEDIA = 1_000;

/**
 * A media's key in the index: its identity (media/media_identity.ts). Items indexed before keys
 * were identities keep their "extractor:id" keys until they expire; a download from one goes
 * through the identity-checked file cache like any other.
 */
export async function mediaKeyOf(
  entry: Pick<HistoryEntry, "extractor" | "mediaId" | "webpageUrl" | "url">,
): Promise<string> {
  return (await mediaIdentity(mediaOfEntry(entry))).key;
}

/** Creators and labels are matched case- and space-insensitively. */
export function normalizeLabel(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ").slice(0, 100);
}

/** A tag or category as an index label: "tag:jazz", "cat:music". */
export function labelsOf(item: Pick<CatalogItem, "tags" | "categories">): string[] {
  const labels = [
    ...(item.tags ?? []).map((t) => `tag:${normalizeLabel(t)}`),
    ...(item.categories ?? []).map((c) => `cat:${normalizeLabel(c)}`),
  ];
  return [...new Set(labels.filter((l) => !l.endsWith(":")))];
}

function itemKey(key: string) {
  return ["reco_items", key] as const;
}
function itemUserKey(key: string, userId: number) {
  return ["reco_item_users", key, userId] as const;
}
function userItemKey(userId: number, key: string) {
  return ["reco_user_items", userId, key] as const;
}
function creatorPrefix(creator: string) {
  return ["reco_by_creator", boundedKeyPart(creator)] as const;
}
function labelPrefix(label: string) {
  return ["reco_by_label", boundedKeyPart(label)] as const;
}
function creatorKey(creator: string, key: string) {
  return [...creatorPrefix(creator), key] as const;
}
function labelKey(label: string, key: string) {
  return [...labelPrefix(label), key] as const;
}
function popularityKey(key: string) {
  return ["reco_popularity", key] as const;
}

async function catalogItemOf(entry: HistoryEntry): Promise<CatalogItem> {
  return {
    key: await mediaKeyOf(entry),
    extractor: entry.extractor,
    mediaId: entry.mediaId,
    webpageUrl: entry.webpageUrl,
    title: entry.title,
    url: entry.url,
    kind: entry.kind,
    variant: entry.variant,
    uploader: entry.uploader,
    tags: entry.tags,
    categories: entry.categories,
  };
}

/** Records that the entry's user has this media; one atomic, retried when a download races it. */
export async function indexDownload(kv: Deno.Kv, entry: HistoryEntry): Promise<void> {
  const item = await catalogItemOf(entry);
  const creator = item.uploader ? normalizeLabel(item.uploader) : undefined;
  const labels = labelsOf(item);
  const userItem: UserItem = { key: item.key, title: item.title, creator, labels, at: entry.at };
  const expireIn = INDEX_TTL_MS;
  await retryAtomic(kv, async (op) => {
    const [pair, popularity] = await kv.getMany<[number, Deno.KvU64]>([
      itemUserKey(item.key, entry.userId),
      popularityKey(item.key),
    ]);
    const users = Number(popularity.value?.value ?? 0n);
    op.check(pair)
      .set(itemKey(item.key), item, { expireIn })
      .set(userItemKey(entry.userId, item.key), userItem, { expireIn });
    if (pair.value !== null || users < MAX_USERS_PER_MEDIA) {
      op.set(itemUserKey(item.key, entry.userId), entry.at, { expireIn });
    }
    if (pair.value === null) op.sum(popularityKey(item.key), 1n);
    if (creator) op.set(creatorKey(creator, item.key), entry.at, { expireIn });
    for (const label of labels) op.set(labelKey(label, item.key), entry.at, { expireIn });
    return commit(undefined);
  }, { what: `the index of ${item.key} for user ${entry.userId}`, attempts: 5 });
}

async function listKeyParts<T>(kv: Deno.Kv, prefix: Deno.KvKey, limit: number): Promise<T[]> {
  const parts: T[] = [];
  for await (const e of kv.list({ prefix }, { limit })) parts.push(e.key[prefix.length] as T);
  return parts;
}

export async function listUserItems(kv: Deno.Kv, userId: number, limit = 500): Promise<UserItem[]> {
  const items: UserItem[] = [];
  for await (const e of kv.list<UserItem>({ prefix: ["reco_user_items", userId] }, { limit })) {
    items.push(e.value);
  }
  return items;
}

export function listMediaUsers(kv: Deno.Kv, key: string, limit: number): Promise<number[]> {
  return listKeyParts<number>(kv, ["reco_item_users", key], limit);
}

export function listMediaKeysOfUser(kv: Deno.Kv, userId: number, limit: number): Promise<string[]> {
  return listKeyParts<string>(kv, ["reco_user_items", userId], limit);
}

export function listCreatorMedia(kv: Deno.Kv, creator: string, limit: number): Promise<string[]> {
  return listKeyParts<string>(kv, creatorPrefix(creator), limit);
}

export function listLabelMedia(kv: Deno.Kv, label: string, limit: number): Promise<string[]> {
  return listKeyParts<string>(kv, labelPrefix(label), limit);
}

/** Catalog items and their number of distinct users, for the given keys (missing ones left out). */
export async function getCatalogItems(
  kv: Deno.Kv,
  keys: string[],
): Promise<{ item: CatalogItem; users: number }[]> {
  const found: { item: CatalogItem; users: number }[] = [];
  // getMany reads at most 10 keys: 5 items and their counters at a time
  for (let i = 0; i < keys.length; i += 5) {
    const chunk = keys.slice(i, i + 5);
    const entries = await kv.getMany(chunk.flatMap((key) => [itemKey(key), popularityKey(key)]));
    for (let j = 0; j < chunk.length; j++) {
      const item = entries[2 * j].value as CatalogItem | null;
      const users = entries[2 * j + 1].value;
      if (item) found.push({ item, users: users instanceof Deno.KvU64 ? Number(users.value) : 0 });
    }
  }
  return found;
}

/** What one /recommend answer offered, so its buttons carry a short id instead of media keys. */
export interface RecommendationList {
  id: string;
  userId: number;
  items: CatalogItem[];
}

const RECOMMENDATION_LIST_TTL_MS = 7 * 86_400_000;

function recommendationListKey(id: string) {
  return ["reco_lists", id] as const;
}

export async function saveRecommendationList(
  kv: Deno.Kv,
  userId: number,
  items: CatalogItem[],
): Promise<RecommendationList> {
  const list = { id: ulid(), userId, items };
  await kv.set(recommendationListKey(list.id), list, { expireIn: RECOMMENDATION_LIST_TTL_MS });
  return list;
}

export async function getRecommendationList(
  kv: Deno.Kv,
  id: string,
): Promise<RecommendationList | null> {
  return (await kv.get<RecommendationList>(recommendationListKey(id))).value;
}
