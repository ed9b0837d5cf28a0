/**
 * Playlist items, keyed by a fractional position (lib/position.ts), so a move rewrites one item
 * and never touches its neighbours. An index from item id to position finds an item, and a
 * counter keeps the item count. Every write is one atomic that checks what it read and the
 * caller's `guard`.
 */
import type { ProbeInfo } from "../media/media_types.ts";
import { mediaIdentity, type MediaRef, sha256Hex } from "../media/media_identity.ts";
import { positionBetween } from "../lib/position.ts";
import { commit } from "./retry_atomic.ts";
import {
  type Guard,
  type Playlist,
  PlaylistError,
  playlistKey,
  retryPlaylistWrite,
} from "./playlists.ts";

export interface PlaylistItem {
  id: string;
  playlistId: string;
  position: string;
  url: string;
  /** the probe result, so the item can be downloaded without probing again */
  info: ProbeInfo;
  addedBy: number;
  addedAt: number;
}

export const MAX_ITEMS = 500;
/** KvU64 sums wrap around, so adding 2^64 - 1 subtracts one. */
const MINUS_ONE = 0xffff_ffff_ffff_ffffn;

function itemKey(playlistId: string, position: string) {
  return ["playlist_items", playlistId, position] as const;
}
function itemsPrefix(playlistId: string) {
  return ["playlist_items", playlistId] as const;
}
function itemPositionKey(playlistId: string, itemId: string) {
  return ["playlist_item_positions", playlistId, itemId] as const;
}
export function itemCountKey(playlistId: string) {
  return ["playlist_item_count", playlistId] as const;
}

export async function countPlaylistItems(kv: Deno.Kv, playlistId: string): Promise<number> {
  return Number((await kv.get<Deno.KvU64>(itemCountKey(playlistId))).value?.value ?? 0n);
}

export interface NewPlaylistItem {
  url: string;
  info: ProbeInfo;
  addedBy: number;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** 26 Crockford characters (130 bits) of a hex digest. */
function itemIdOfDigest(hex: string): string {
  const bits = BigInt(`0x${hex.slice(0, 34)}`);
  let id = "";
  for (let i = 0; i < 26; i++) id += CROCKFORD[Number((bits >> BigInt(5 * i)) & 31n)];
  return id;
}

/**
 * An item's id comes from its media's identity (media/media_identity.ts), so a playlist holds
 * each media once and adding it again, or retrying an add, changes nothing. For a site id it is
 * the id items always had.
 */
export async function mediaItemId(info: MediaRef): Promise<string> {
  return itemIdOfDigest((await mediaIdentity(info)).key);
}

/**
 * The id items had before ids came from identities: a digest of extractor and id alone, which
 * every "video.mp4" of the generic extractor shared. Only read, to find items added then.
 */
async function legacyItemId(info: MediaRef): Promise<string> {
  return itemIdOfDigest(await sha256Hex(`${info.extractor}\n${info.id}`));
}

async function isSameMedia(a: MediaRef, b: MediaRef): Promise<boolean> {
  return (await mediaIdentity(a)).text === (await mediaIdentity(b)).text;
}

/** Appends an item; concurrent appends all land, each at its own position. */
export async function addPlaylistItem(
  kv: Deno.Kv,
  playlistId: string,
  input: NewPlaylistItem,
  guard: Guard = [],
): Promise<{ item: PlaylistItem; created: boolean }> {
  const id = await mediaItemId(input.info);
  // the same id for a site id
  const legacyId = await legacyItemId(input.info);
  return await retryPlaylistWrite(kv, `playlist ${playlistId}`, async (op) => {
    const [current, count, known, legacy] = await kv.getMany<
      [Playlist, Deno.KvU64, string, string]
    >([
      playlistKey(playlistId),
      itemCountKey(playlistId),
      itemPositionKey(playlistId, id),
      itemPositionKey(playlistId, legacyId),
    ]);
    const playlist = current.value;
    if (!playlist) throw new PlaylistError("not_found", `no playlist ${playlistId}`);
    let idTaken = false;
    for (const position of new Set([known.value, legacy.value])) {
      if (!position) continue;
      const existing = (await kv.get<PlaylistItem>(itemKey(playlistId, position))).value;
      if (!existing) continue;
      if (await isSameMedia(existing.info, input.info)) return { item: existing, created: false };
      idTaken ||= existing.id === id;
    }
    // another media's item under the same 130-bit id: the two are never merged
    if (idTaken) throw new PlaylistError("conflict", `item id ${id} is taken in ${playlistId}`);
    if (Number(count.value?.value ?? 0n) >= MAX_ITEMS) {
      throw new PlaylistError("full", `playlist ${playlistId} is full`);
    }
    const last = await lastItem(kv, playlistId);
    const now = Date.now();
    const item: PlaylistItem = {
      id,
      playlistId,
      position: positionBetween(last?.position, undefined),
      url: input.url,
      info: input.info,
      addedBy: input.addedBy,
      addedAt: now,
    };
    op.check(current, known, ...guard)
      .check({ key: itemKey(playlistId, item.position), versionstamp: null })
      .set(itemKey(playlistId, item.position), item)
      .set(itemPositionKey(playlistId, id), item.position)
      .sum(itemCountKey(playlistId), 1n);
    if (!playlist.cover && item.info.thumbnail) {
      op.set(playlistKey(playlistId), { ...playlist, cover: item.info.thumbnail, updatedAt: now });
    }
    return commit({ item, created: true });
  });
}

async function lastItem(kv: Deno.Kv, playlistId: string): Promise<PlaylistItem | undefined> {
  for await (
    const entry of kv.list<PlaylistItem>({ prefix: itemsPrefix(playlistId) }, {
      reverse: true,
      limit: 1,
    })
  ) return entry.value;
  return undefined;
}

/** Items in playlist order. */
export async function listPlaylistItems(
  kv: Deno.Kv,
  playlistId: string,
  limit = MAX_ITEMS,
): Promise<PlaylistItem[]> {
  const items: PlaylistItem[] = [];
  for await (const entry of kv.list<PlaylistItem>({ prefix: itemsPrefix(playlistId) }, { limit })) {
    items.push(entry.value);
  }
  return items;
}

/**
 * A page of at most `limit` items in playlist order, from the item whose id is `cursor` (the
 * first item when empty); the result's `cursor` is the next page's first item, "" after the last.
 * Reads `limit + 1` items. Null when the cursor's item is not in the playlist (any more).
 */
export async function listPlaylistItemsPage(
  kv: Deno.Kv,
  playlistId: string,
  { limit, cursor = "" }: { limit: number; cursor?: string },
): Promise<{ values: PlaylistItem[]; cursor: string } | null> {
  let selector: Deno.KvListSelector = { prefix: itemsPrefix(playlistId) };
  if (cursor) {
    const position = (await kv.get<string>(itemPositionKey(playlistId, cursor))).value;
    if (!position) return null;
    selector = { prefix: itemsPrefix(playlistId), start: itemKey(playlistId, position) };
  }
  const values: PlaylistItem[] = [];
  for await (const entry of kv.list<PlaylistItem>(selector, { limit: limit + 1 })) {
    values.push(entry.value);
  }
  if (cursor && values[0]?.id !== cursor) return null;
  return { values: values.slice(0, limit), cursor: values[limit]?.id ?? "" };
}

/**
 * The id of the item `places` before the item `itemId` (itself for 0), reading only those; ""
 * when fewer come before it (the page starts at the first item), null when it is gone.
 */
export async function itemIdBefore(
  kv: Deno.Kv,
  playlistId: string,
  itemId: string,
  places: number,
): Promise<string | null> {
  const position = (await kv.get<string>(itemPositionKey(playlistId, itemId))).value;
  if (!position) return null;
  if (places === 0) return itemId;
  const selector = { prefix: itemsPrefix(playlistId), end: itemKey(playlistId, position) };
  let found = 0;
  let id = "";
  for await (
    const entry of kv.list<PlaylistItem>(selector, { limit: places, reverse: true })
  ) {
    found++;
    id = entry.value.id;
  }
  return found === places ? id : "";
}

export async function getPlaylistItem(
  kv: Deno.Kv,
  playlistId: string,
  itemId: string,
): Promise<PlaylistItem | null> {
  return (await readItem(kv, playlistId, itemId))?.item.value ?? null;
}

async function readItem(kv: Deno.Kv, playlistId: string, itemId: string) {
  const index = await kv.get<string>(itemPositionKey(playlistId, itemId));
  if (!index.value) return null;
  const item = await kv.get<PlaylistItem>(itemKey(playlistId, index.value));
  return item.value ? { index, item: item as Deno.KvEntry<PlaylistItem> } : null;
}

/** Removes an item; false when it was not there (any more). */
export async function removePlaylistItem(
  kv: Deno.Kv,
  playlistId: string,
  itemId: string,
  guard: Guard = [],
): Promise<boolean> {
  return await retryPlaylistWrite(kv, `playlist ${playlistId}`, async (op) => {
    const found = await readItem(kv, playlistId, itemId);
    if (!found) return false;
    op.check(found.index, found.item, ...guard)
      .delete(found.index.key)
      .delete(found.item.key)
      .sum(itemCountKey(playlistId), MINUS_ONE);
    return commit(true);
  });
}

/**
 * Moves an item one place up or down: its new position lies between its two neighbours on
 * that side, so only the item's own keys change. False when it is already at that end.
 */
export async function movePlaylistItem(
  kv: Deno.Kv,
  playlistId: string,
  itemId: string,
  direction: "up" | "down",
  guard: Guard = [],
): Promise<boolean> {
  return await retryPlaylistWrite(kv, `playlist ${playlistId}`, async (op) => {
    const found = await readItem(kv, playlistId, itemId);
    if (!found) throw new PlaylistError("not_found", `no item ${itemId} in ${playlistId}`);
    const neighbours = await neighboursOf(kv, playlistId, found.item.value.position, direction);
    if (neighbours.length === 0) return false;
    const [next, beyond] = neighbours;
    const position = direction === "up"
      ? positionBetween(beyond?.value.position, next.value.position)
      : positionBetween(next.value.position, beyond?.value.position);
    const moved = { ...found.item.value, position };
    op.check(found.index, found.item, ...neighbours, ...guard)
      .check({ key: itemKey(playlistId, position), versionstamp: null })
      .delete(found.item.key)
      .set(itemKey(playlistId, position), moved)
      .set(found.index.key, position);
    return commit(true);
  });
}

/** The (up to) two items next to a position on one side, nearest first. */
async function neighboursOf(
  kv: Deno.Kv,
  playlistId: string,
  position: string,
  direction: "up" | "down",
): Promise<Deno.KvEntry<PlaylistItem>[]> {
  const prefix = itemsPrefix(playlistId);
  const selector = direction === "up"
    ? { prefix, end: itemKey(playlistId, position) }
    : { prefix, start: itemKey(playlistId, position) };
  const found: Deno.KvEntry<PlaylistItem>[] = [];
  const options = { limit: direction === "up" ? 2 : 3, reverse: direction === "up" };
  for await (const entry of kv.list<PlaylistItem>(selector, options)) {
    if (entry.value.position !== position) found.push(entry);
  }
  return found;
}

/** Removes the items of a deleted playlist, in atomics of 500 keys. */
export async function deletePlaylistItems(kv: Deno.Kv, playlistId: string): Promise<void> {
  for (const prefix of [itemsPrefix(playlistId), ["playlist_item_positions", playlistId]]) {
    let batch: Deno.KvKey[] = [];
    for await (const entry of kv.list({ prefix })) {
      batch.push(entry.key);
      if (batch.length === 500) {
        await deleteKeys(kv, batch);
        batch = [];
      }
    }
    await deleteKeys(kv, batch);
  }
}

async function deleteKeys(kv: Deno.Kv, keys: Deno.KvKey[]): Promise<void> {
  if (keys.length === 0) return;
  const op = kv.atomic();
  for (const key of keys) op.delete(key);
  await op.commit();
}

/** An atomic may carry about 800 KB: ten items with their probe results stay well within it. */
const COPY_CHUNK = 10;

/** Copies the items of `source` into the new, empty `copy`, in order, with its cover. */
export async function copyPlaylistItems(
  kv: Deno.Kv,
  source: Playlist,
  copy: Playlist,
): Promise<void> {
  const items = await listPlaylistItems(kv, source.id);
  let previous: string | undefined;
  for (let i = 0; i < items.length; i += COPY_CHUNK) {
    const op = kv.atomic();
    const chunk = items.slice(i, i + COPY_CHUNK);
    for (const item of chunk) {
      const position = positionBetween(previous, undefined);
      previous = position;
      const copied: PlaylistItem = { ...item, playlistId: copy.id, position };
      op.set(itemKey(copy.id, position), copied).set(itemPositionKey(copy.id, copied.id), position);
    }
    op.sum(itemCountKey(copy.id), BigInt(chunk.length));
    if (i === 0 && source.cover) op.set(playlistKey(copy.id), { ...copy, cover: source.cover });
    await op.commit();
  }
}
