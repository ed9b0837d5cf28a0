/**
 * Who may do what in a playlist: its members (each with a role, indexed by user too, for the
 * user's list of playlists) and the invites that make new ones. Member changes rewrite the
 * playlist in the same atomic, so a check of the playlist covers its member list.
 */
import { randomToken } from "../lib/tokens.ts";
import { commit } from "./retry_atomic.ts";
import {
  type Guard,
  type Playlist,
  PlaylistError,
  playlistKey,
  type PlaylistRole,
  retryPlaylistWrite,
  rewritePlaylist,
  ROLE_RANK,
  roleAtLeast,
} from "./playlists.ts";

export type InviteRole = Exclude<PlaylistRole, "owner">;

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

const MAX_MEMBERS = 50;
const INVITE_TTL_MS = 7 * 86_400_000;

export function memberKey(playlistId: string, userId: number) {
  return ["playlist_members", playlistId, userId] as const;
}
/** the user's role in each of their playlists */
export function byUserKey(userId: number, playlistId: string) {
  return ["playlists_by_user", userId, playlistId] as const;
}
function inviteKey(token: string) {
  return ["playlist_invites", token] as const;
}

export function getPlaylistMember(
  kv: Deno.Kv,
  playlistId: string,
  userId: number,
): Promise<Deno.KvEntryMaybe<PlaylistMember>> {
  return kv.get<PlaylistMember>(memberKey(playlistId, userId));
}

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
