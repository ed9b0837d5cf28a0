/**
 * Playlists: personal, shared by link and collaborative. This module has the playlist itself and
 * its share link; its items (kv/playlist_items.ts), its members and invites
 * (kv/playlist_members.ts) have theirs. Every write that touches several keys is one atomic that
 * checks what it read; callers may add their own checks (`guard`, e.g. the actor's membership) so
 * a permission that changed meanwhile fails the write instead of being bypassed.
 */
import { ulid } from "../lib/ids.ts";
import { randomToken } from "../lib/tokens.ts";
import { commit, type Committed, retryAtomic } from "./retry_atomic.ts";
import { copyPlaylistItems, deletePlaylistItems, itemCountKey } from "./playlist_items.ts";
import {
  byUserKey,
  listPlaylistMembers,
  memberKey,
  type PlaylistMember,
} from "./playlist_members.ts";

export type PlaylistRole = "owner" | "admin" | "edit" | "view";

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

export const MAX_PLAYLISTS_PER_USER = 100;
export const ROLE_RANK: Record<PlaylistRole, number> = { view: 1, edit: 2, admin: 3, owner: 4 };
/** contention between editors is brief; a commit that keeps losing means something is wrong */
const MAX_ATTEMPTS = 40;

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
export function retryPlaylistWrite<R>(
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

export function playlistKey(id: string) {
  return ["playlists", id] as const;
}
function shareKey(token: string) {
  return ["playlist_shares", token] as const;
}

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
  await deletePlaylistItems(kv, id);
}

export async function rewritePlaylist(
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
  await copyPlaylistItems(kv, source, copy);
  return (await getPlaylist(kv, copy.id)) ?? copy;
}
