/**
 * Playlists: personal, shared by link and collaborative. Items are keyed by a fractional
 * position, so a move rewrites one item and never touches its neighbours. Every write that
 * touches several keys is one atomic that checks what it read; callers may add their own
 * checks (`guard`, e.g. the actor's membership) so a permission that changed meanwhile fails
 * the write instead of being bypassed.
 */
import { ulid } from "ulid";
import type { ProbeInfo } from "../workers/media_types.ts";
import { mediaIdentity, type MediaRef, sha256Hex } from "../lib/media_identity.ts";
import { positionBetween } from "../lib/position.ts";
import { randomToken } from "../lib/tokens.ts";
import { commit, type Committed, retryAtomic } from "./retry_atomic.ts";

export type PlaylistRole = "owner" | "admin" | "edit" | "view";
export type InviteRole = Exclude<PlaylistRole, "owner">;

export interface Playlist {
  id: string;
  ownerId: number;
  ownerName: string;
  name: string;
  description: string;
  isPublic: boolean;
  /** the active share link's token, while the playlist is public */
  shareToken?: string;
  /** a thumbnail URL: the first added item's */
  cover?: string;
  createdAt: number;
  updatedAt: number;
}

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

export interface PlaylistMember {
  playlistId: string;
  userId: number;
  name: string;
  role: PlaylistRole;
  since: number;
}

export interface PlaylistInvite {
  token: string;
  playlistId: string;
  role: InviteRole;
  createdBy: number;
  createdAt: number;
}

export interface PlaylistShare {
  token: string;
  playlistId: string;
  createdBy: number;
  createdAt: number;
}

export interface PlaylistSummary {
  playlist: Playlist;
  role: PlaylistRole;
  itemCount: number;
}

export type Guard = readonly Deno.AtomicCheck[];

export const MAX_ITEMS = 500;
export const MAX_MEMBERS = 50;
export const MAX_PLAYLISTS_PER_USER = 100;
export const INVITE_TTL_MS = 7 * 86_400_000;
const ROLE_RANK: Record<PlaylistRole, number> = { view: 1, edit: 2, admin: 3, owner: 4 };
/** contention between editors is brief; a commit that keeps losing means something is wrong */
const MAX_ATTEMPTS = 40;
/** KvU64 sums wrap around, so adding 2^64 - 1 subtracts one. */
const MINUS_ONE = 0xffff_ffff_ffff_ffffn;

export type PlaylistErrorCode =
  | "not_found"
  | "not_member"
  | "full"
  | "too_many_members"
  | "too_many_playlists"
  | "conflict"
  | "invalid";

export class PlaylistError extends Error {
  override name = "PlaylistError";
  constructor(readonly code: PlaylistErrorCode, message: string) {
    super(message);
  }
}

/** A playlist write retried on contention; one that keeps losing is a "conflict" PlaylistError. */
function retryPlaylistWrite<R>(
  kv: Deno.Kv,
  what: string,
  step: (op: Deno.AtomicOperation) => Promise<R>,
): Promise<Committed<R>> {
  return retryAtomic(kv, step, {
    what,
    attempts: MAX_ATTEMPTS,
    onContention: (error) => {
      throw new PlaylistError("conflict", error.message);
    },
  });
}

// --- keys -------------------------------------------------------------------

export function playlistKey(id: string) {
  return ["playlists", id] as const;
}
function itemKey(playlistId: string, position: string) {
  return ["playlist_items", playlistId, position] as const;
}
function itemsPrefix(playlistId: string) {
  return ["playlist_items", playlistId] as const;
}
function itemPositionKey(playlistId: string, itemId: string) {
  return ["playlist_item_positions", playlistId, itemId] as const;
}
function itemCountKey(playlistId: string) {
  return ["playlist_item_count", playlistId] as const;
}
export function memberKey(playlistId: string, userId: number) {
  return ["playlist_members", playlistId, userId] as const;
}
function byUserKey(userId: number, playlistId: string) {
  return ["playlists_by_user", userId, playlistId] as const;
}
function inviteKey(token: string) {
  return ["playlist_invites", token] as const;
}
export function shareKey(token: string) {
  return ["playlist_shares", token] as const;
}

// --- playlists ---------------------------------------------------------------

export function roleAtLeast(role: PlaylistRole | undefined, wanted: PlaylistRole): boolean {
  return role !== undefined && ROLE_RANK[role] >= ROLE_RANK[wanted];
}

export async function createPlaylist(
  kv: Deno.Kv,
  input: { ownerId: number; ownerName: string; name: string; description?: string },
): Promise<Playlist> {
  const now = Date.now();
  const playlist: Playlist = {
    id: ulid(now),
    ownerId: input.ownerId,
    ownerName: input.ownerName,
    name: input.name,
    description: input.description ?? "",
    isPublic: false,
    createdAt: now,
    updatedAt: now,
  };
  const owner: PlaylistMember = {
    playlistId: playlist.id,
    userId: input.ownerId,
    name: input.ownerName,
    role: "owner",
    since: now,
  };
  const result = await kv.atomic()
    .check({ key: playlistKey(playlist.id), versionstamp: null })
    .set(playlistKey(playlist.id), playlist)
    .set(memberKey(playlist.id, owner.userId), owner)
    .set(byUserKey(owner.userId, playlist.id), "owner")
    .commit();
  if (!result.ok) throw new PlaylistError("conflict", `could not create playlist ${playlist.id}`);
  return playlist;
}

export async function getPlaylist(kv: Deno.Kv, id: string): Promise<Playlist | null> {
  return (await kv.get<Playlist>(playlistKey(id))).value;
}

export function getPlaylistMember(
  kv: Deno.Kv,
  playlistId: string,
  userId: number,
): Promise<Deno.KvEntryMaybe<PlaylistMember>> {
  return kv.get<PlaylistMember>(memberKey(playlistId, userId));
}

/** The user's playlists, own and shared with them, oldest first, with their item counts. */
export async function listPlaylistsByUser(
  kv: Deno.Kv,
  userId: number,
): Promise<PlaylistSummary[]> {
  const roles = new Map<string, PlaylistRole>();
  const index = kv.list<PlaylistRole>({ prefix: ["playlists_by_user", userId] }, {
    limit: MAX_PLAYLISTS_PER_USER,
  });
  for await (const entry of index) roles.set(entry.key[2] as string, entry.value);
  const ids = [...roles.keys()];
  const summaries: PlaylistSummary[] = [];
  // getMany takes at most 10 keys
  for (let i = 0; i < ids.length; i += 5) {
    const chunk = ids.slice(i, i + 5);
    const entries = await kv.getMany<unknown[]>(
      chunk.flatMap((id) => [playlistKey(id), itemCountKey(id)]),
    );
    chunk.forEach((id, j) => {
      const playlist = entries[2 * j].value as Playlist | null;
      const count = entries[2 * j + 1].value as Deno.KvU64 | null;
      if (playlist) {
        summaries.push({ playlist, role: roles.get(id)!, itemCount: Number(count?.value ?? 0n) });
      }
    });
  }
  return summaries;
}

export async function countPlaylistItems(kv: Deno.Kv, playlistId: string): Promise<number> {
  return Number((await kv.get<Deno.KvU64>(itemCountKey(playlistId))).value?.value ?? 0n);
}

/** Changes the name and/or the description. */
export async function updatePlaylist(
  kv: Deno.Kv,
  id: string,
  changes: { name?: string; description?: string },
  guard: Guard = [],
): Promise<Playlist> {
  return await rewritePlaylist(kv, id, guard, (playlist) => ({ ...playlist, ...changes }));
}

/** Deletes the playlist, its memberships and its link at once; its items are removed after. */
export async function deletePlaylist(kv: Deno.Kv, id: string, guard: Guard = []): Promise<void> {
  await retryPlaylistWrite(kv, `playlist ${id}`, async (op) => {
    const current = await kv.get<Playlist>(playlistKey(id));
    const playlist = current.value;
    if (!playlist) throw new PlaylistError("not_found", `no playlist ${id}`);
    const members = await listPlaylistMembers(kv, id);
    op.check(current, ...guard)
      .delete(playlistKey(id))
      .delete(itemCountKey(id));
    for (const member of members) {
      op.delete(memberKey(id, member.userId)).delete(byUserKey(member.userId, id));
    }
    if (playlist.shareToken) op.delete(shareKey(playlist.shareToken));
    // member changes rewrite the playlist, so the check above covers the member list too
    return commit(undefined);
  });
  await deleteOrphanItems(kv, id);
}

async function deleteOrphanItems(kv: Deno.Kv, playlistId: string): Promise<void> {
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

async function rewritePlaylist(
  kv: Deno.Kv,
  id: string,
  guard: Guard,
  change: (playlist: Playlist, op: Deno.AtomicOperation) => Playlist,
): Promise<Playlist> {
  return await retryPlaylistWrite(kv, `playlist ${id}`, async (op) => {
    const current = await kv.get<Playlist>(playlistKey(id));
    if (!current.value) throw new PlaylistError("not_found", `no playlist ${id}`);
    op.check(current, ...guard);
    const updated = { ...change(current.value, op), updatedAt: Date.now() };
    op.set(playlistKey(id), updated);
    return commit(updated);
  });
}

// --- items -------------------------------------------------------------------

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
 * An item's id comes from its media's identity (lib/media_identity.ts), so a playlist holds
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

// --- members, invites, links ------------------------------------------------------

export async function listPlaylistMembers(
  kv: Deno.Kv,
  playlistId: string,
): Promise<PlaylistMember[]> {
  const members: PlaylistMember[] = [];
  for await (
    const entry of kv.list<PlaylistMember>({ prefix: ["playlist_members", playlistId] }, {
      limit: MAX_MEMBERS + 1,
    })
  ) members.push(entry.value);
  return members.sort((a, b) => ROLE_RANK[b.role] - ROLE_RANK[a.role] || a.since - b.since);
}

export async function createPlaylistInvite(
  kv: Deno.Kv,
  input: { playlistId: string; role: InviteRole; createdBy: number },
  guard: Guard = [],
): Promise<PlaylistInvite> {
  const invite: PlaylistInvite = { ...input, token: randomToken(), createdAt: Date.now() };
  const result = await kv.atomic()
    .check({ key: inviteKey(invite.token), versionstamp: null }, ...guard)
    .set(inviteKey(invite.token), invite, { expireIn: INVITE_TTL_MS })
    .commit();
  if (!result.ok) throw new PlaylistError("conflict", "could not create the invite");
  return invite;
}

/**
 * Uses an invite (once): the user becomes a collaborator with the invite's role, or keeps a
 * higher role they already had.
 */
export async function acceptPlaylistInvite(
  kv: Deno.Kv,
  token: string,
  user: { id: number; name: string },
): Promise<{ playlist: Playlist; role: PlaylistRole }> {
  return await retryPlaylistWrite(kv, "the invite", async (op) => {
    const invite = await kv.get<PlaylistInvite>(inviteKey(token));
    if (!invite.value || invite.value.createdAt + INVITE_TTL_MS <= Date.now()) {
      throw new PlaylistError("not_found", "no such invite");
    }
    const { playlistId } = invite.value;
    const [current, member] = await kv.getMany<[Playlist, PlaylistMember]>([
      playlistKey(playlistId),
      memberKey(playlistId, user.id),
    ]);
    if (!current.value) throw new PlaylistError("not_found", `no playlist ${playlistId}`);
    const had = member.value?.role;
    const role = roleAtLeast(had, invite.value.role) ? had! : invite.value.role;
    if (!had && (await listPlaylistMembers(kv, playlistId)).length >= MAX_MEMBERS) {
      throw new PlaylistError("too_many_members", `playlist ${playlistId} has too many members`);
    }
    const now = Date.now();
    op.check(invite, current, member)
      .delete(invite.key)
      .set(
        memberKey(playlistId, user.id),
        {
          playlistId,
          userId: user.id,
          name: member.value?.name ?? user.name,
          role,
          since: member.value?.since ?? now,
        } satisfies PlaylistMember,
      )
      .set(byUserKey(user.id, playlistId), role)
      .set(playlistKey(playlistId), { ...current.value, updatedAt: now });
    return commit({ playlist: current.value, role });
  });
}

/** Removes a collaborator (never the owner). */
export async function removePlaylistMember(
  kv: Deno.Kv,
  playlistId: string,
  userId: number,
  guard: Guard = [],
): Promise<void> {
  await rewritePlaylist(kv, playlistId, guard, (playlist, op) => {
    if (playlist.ownerId === userId) throw new PlaylistError("invalid", "the owner stays");
    op.delete(memberKey(playlistId, userId)).delete(byUserKey(userId, playlistId));
    return playlist;
  });
}

/** Makes a collaborator the owner; the former owner stays on as an admin. */
export async function transferPlaylist(
  kv: Deno.Kv,
  playlistId: string,
  newOwnerId: number,
  guard: Guard = [],
): Promise<Playlist> {
  return await retryPlaylistWrite(kv, `playlist ${playlistId}`, async (op) => {
    const current = await kv.get<Playlist>(playlistKey(playlistId));
    const playlist = current.value;
    if (!playlist) throw new PlaylistError("not_found", `no playlist ${playlistId}`);
    const [owner, heir] = await kv.getMany<[PlaylistMember, PlaylistMember]>([
      memberKey(playlistId, playlist.ownerId),
      memberKey(playlistId, newOwnerId),
    ]);
    if (!heir.value) throw new PlaylistError("not_member", `${newOwnerId} is not a member`);
    if (!owner.value || newOwnerId === playlist.ownerId) {
      throw new PlaylistError("invalid", "nothing to transfer");
    }
    const updated: Playlist = {
      ...playlist,
      ownerId: newOwnerId,
      ownerName: heir.value.name,
      updatedAt: Date.now(),
    };
    op.check(current, owner, heir, ...guard)
      .set(memberKey(playlistId, playlist.ownerId), { ...owner.value, role: "admin" })
      .set(byUserKey(playlist.ownerId, playlistId), "admin")
      .set(memberKey(playlistId, newOwnerId), { ...heir.value, role: "owner" })
      .set(byUserKey(newOwnerId, playlistId), "owner")
      .set(playlistKey(playlistId), updated);
    return commit(updated);
  });
}

/** Makes the playlist public; sharing an already public playlist returns its link's token. */
export async function sharePlaylist(
  kv: Deno.Kv,
  playlistId: string,
  createdBy: number,
  guard: Guard = [],
): Promise<Playlist> {
  return await rewritePlaylist(kv, playlistId, guard, (playlist, op) => {
    if (playlist.shareToken) return playlist;
    const share: PlaylistShare = {
      token: randomToken(),
      playlistId,
      createdBy,
      createdAt: Date.now(),
    };
    op.check({ key: shareKey(share.token), versionstamp: null }).set(shareKey(share.token), share);
    return { ...playlist, isPublic: true, shareToken: share.token };
  });
}

/** Revokes the link: its token stops working at once. */
export async function revokePlaylistShare(
  kv: Deno.Kv,
  playlistId: string,
  guard: Guard = [],
): Promise<Playlist> {
  return await rewritePlaylist(kv, playlistId, guard, (playlist, op) => {
    if (playlist.shareToken) op.delete(shareKey(playlist.shareToken));
    return { ...playlist, isPublic: false, shareToken: undefined };
  });
}

/** The playlist a link's token opens, with the share entry (for atomic checks); null if revoked. */
export async function getPlaylistByShareToken(
  kv: Deno.Kv,
  token: string,
): Promise<{ playlist: Playlist; share: Deno.KvEntry<PlaylistShare> } | null> {
  const share = await kv.get<PlaylistShare>(shareKey(token));
  if (!share.value) return null;
  const playlist = await getPlaylist(kv, share.value.playlistId);
  if (!playlist || playlist.shareToken !== token) return null;
  return { playlist, share: share as Deno.KvEntry<PlaylistShare> };
}

/** An atomic may carry about 800 KB: ten items with their probe results stay well within it. */
const COPY_CHUNK = 10;

/** A private copy for another user, items in the same order (copied in chunks after creation). */
export async function copyPlaylist(
  kv: Deno.Kv,
  source: Playlist,
  owner: { id: number; name: string },
): Promise<Playlist> {
  const copy = await createPlaylist(kv, {
    ownerId: owner.id,
    ownerName: owner.name,
    name: source.name,
    description: source.description,
  });
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
  return (await getPlaylist(kv, copy.id)) ?? copy;
}

// --- prompts -----------------------------------------------------------------------

/** A question the bot asked and whose answer is the user's next plain text message. */
export interface PlaylistPrompt {
  action: "rename" | "describe";
  playlistId: string;
  expiresAt: number;
}

const PROMPT_TTL_MS = 10 * 60_000;

function promptKey(userId: number) {
  return ["playlist_prompts", userId] as const;
}

export async function setPlaylistPrompt(
  kv: Deno.Kv,
  userId: number,
  prompt: Omit<PlaylistPrompt, "expiresAt">,
): Promise<void> {
  const value: PlaylistPrompt = { ...prompt, expiresAt: Date.now() + PROMPT_TTL_MS };
  await kv.set(promptKey(userId), value, { expireIn: PROMPT_TTL_MS });
}

/** The pending prompt, removed as it is read (an answer is used once). */
export async function takePlaylistPrompt(
  kv: Deno.Kv,
  userId: number,
): Promise<PlaylistPrompt | null> {
  const entry = await kv.get<PlaylistPrompt>(promptKey(userId));
  if (!entry.value) return null;
  const taken = await kv.atomic().check(entry).delete(entry.key).commit();
  return taken.ok && entry.value.expiresAt > Date.now() ? entry.value : null;
}
