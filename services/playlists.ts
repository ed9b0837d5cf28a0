/**
 * The playlist actions: each checks the actor's role against the table (kv/playlist_roles.ts) and
 * passes the entry that granted it to the write's atomic, so a role revoked meanwhile makes the
 * write fail instead of pass.
 */
import { can, type PlaylistAction, PlaylistForbiddenError } from "../kv/playlist_roles.ts";
import {
  copyPlaylist,
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  getPlaylistByShareToken,
  type Guard,
  listPlaylistsByUser,
  MAX_PLAYLISTS_PER_USER,
  type Playlist,
  PlaylistError,
  type PlaylistRole,
  revokePlaylistShare,
  roleAtLeast,
  sharePlaylist,
  updatePlaylist,
} from "../kv/playlists.ts";
import {
  addPlaylistItem,
  movePlaylistItem,
  type NewPlaylistItem,
  type PlaylistItem,
  removePlaylistItem,
} from "../kv/playlist_items.ts";
import {
  acceptPlaylistInvite,
  createPlaylistInvite,
  getPlaylistMember,
  type InviteRole,
  type PlaylistInvite,
  removePlaylistMember,
  transferPlaylist,
} from "../kv/playlist_members.ts";

/** Who acts: a user, possibly holding a share link's token (which grants "view"). */
export interface Actor {
  userId: number;
  name?: string;
  shareToken?: string;
  /** more entries the write checks, e.g. the user's profile read when it showed them unblocked */
  guard?: Guard;
}

export interface PlaylistAccess {
  playlist: Playlist;
  /** undefined for someone who is neither a collaborator nor holds the link */
  role?: PlaylistRole;
  /** what grants the role */
  via: "member" | "share" | "none";
  /** the entry that grants the role, checked again by the write */
  guard: Guard;
}

const NAME_MAX = 64;
const DESCRIPTION_MAX = 300;

/** A name on one line, 1-64 characters; undefined when nothing is left. */
export function cleanPlaylistName(text: string): string | undefined {
  const name = text.replace(/\s+/g, " ").trim();
  return name.length > 0 ? Array.from(name).slice(0, NAME_MAX).join("") : undefined;
}

export function cleanDescription(text: string): string {
  return Array.from(text.replace(/[^\S\n]+/g, " ").trim()).slice(0, DESCRIPTION_MAX).join("");
}

/** The actor's role on a playlist, whatever it allows. */
export async function accessPlaylist(
  kv: Deno.Kv,
  playlistId: string,
  actor: Actor,
): Promise<PlaylistAccess> {
  const [playlist, member] = await Promise.all([
    getPlaylist(kv, playlistId),
    getPlaylistMember(kv, playlistId, actor.userId),
  ]);
  if (!playlist) throw new PlaylistError("not_found", `no playlist ${playlistId}`);
  const alsoChecked = actor.guard ?? [];
  if (member.value) {
    return { playlist, role: member.value.role, via: "member", guard: [member, ...alsoChecked] };
  }
  if (actor.shareToken && playlist.shareToken === actor.shareToken) {
    const shared = await getPlaylistByShareToken(kv, actor.shareToken);
    if (shared?.playlist.id === playlistId) {
      const guard = [shared.share, ...alsoChecked];
      return { playlist: shared.playlist, role: "view", via: "share", guard };
    }
  }
  return { playlist, via: "none", guard: [member, ...alsoChecked] };
}

/** The access, when it allows the action; PlaylistForbiddenError otherwise. */
export async function authorize(
  kv: Deno.Kv,
  playlistId: string,
  actor: Actor,
  action: PlaylistAction,
): Promise<PlaylistAccess> {
  const access = await accessPlaylist(kv, playlistId, actor);
  if (!can(access.role, action)) throw new PlaylistForbiddenError(action);
  return access;
}

export async function createOwnPlaylist(
  kv: Deno.Kv,
  owner: { id: number; name: string },
  name: string,
): Promise<Playlist> {
  const owned = (await listPlaylistsByUser(kv, owner.id)).length;
  if (owned >= MAX_PLAYLISTS_PER_USER) {
    throw new PlaylistError("too_many_playlists", "too many playlists");
  }
  return await createPlaylist(kv, { ownerId: owner.id, ownerName: owner.name, name });
}

export async function addItem(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  item: NewPlaylistItem,
): Promise<{ playlist: Playlist; item: PlaylistItem; created: boolean }> {
  const { playlist, guard } = await authorize(kv, playlistId, actor, "add");
  return { playlist, ...await addPlaylistItem(kv, playlistId, item, guard) };
}

export async function removeItem(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  itemId: string,
): Promise<boolean> {
  const { guard } = await authorize(kv, playlistId, actor, "remove");
  return await removePlaylistItem(kv, playlistId, itemId, guard);
}

export async function moveItem(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  itemId: string,
  direction: "up" | "down",
): Promise<boolean> {
  const { guard } = await authorize(kv, playlistId, actor, "reorder");
  return await movePlaylistItem(kv, playlistId, itemId, direction, guard);
}

export async function renamePlaylist(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  changes: { name?: string; description?: string },
): Promise<Playlist> {
  const { guard } = await authorize(kv, playlistId, actor, "rename");
  return await updatePlaylist(kv, playlistId, changes, guard);
}

export async function sharePlaylistAs(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
): Promise<Playlist> {
  const { guard } = await authorize(kv, playlistId, actor, "share");
  return await sharePlaylist(kv, playlistId, actor.userId, guard);
}

export async function revokeShareAs(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
): Promise<Playlist> {
  const { guard } = await authorize(kv, playlistId, actor, "share");
  return await revokePlaylistShare(kv, playlistId, guard);
}

export async function inviteAs(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  role: InviteRole,
): Promise<{ playlist: Playlist; invite: PlaylistInvite }> {
  const { playlist, guard } = await authorize(kv, playlistId, actor, "invite");
  const invite = await createPlaylistInvite(
    kv,
    { playlistId, role, createdBy: actor.userId },
    guard,
  );
  return { playlist, invite };
}

export async function acceptInvite(
  kv: Deno.Kv,
  token: string,
  user: { id: number; name: string },
): Promise<{ playlist: Playlist; role: PlaylistRole }> {
  return await acceptPlaylistInvite(kv, token, user);
}

/**
 * Removes a collaborator: admins remove those below them, the owner anyone, and anyone but
 * the owner may leave.
 */
export async function removeMember(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  userId: number,
): Promise<void> {
  const access = await accessPlaylist(kv, playlistId, actor);
  const target = (await getPlaylistMember(kv, playlistId, userId)).value;
  if (!target) throw new PlaylistError("not_member", `${userId} is not a member`);
  const leaving = userId === actor.userId && access.role !== undefined &&
    access.role !== "owner";
  const outranks = can(access.role, "remove_member") &&
    (access.role === "owner" || !roleAtLeast(target.role, access.role!));
  if (!leaving && !outranks) throw new PlaylistForbiddenError("remove_member");
  await removePlaylistMember(kv, playlistId, userId, access.guard);
}

export async function transferOwnership(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
  newOwnerId: number,
): Promise<Playlist> {
  const { guard } = await authorize(kv, playlistId, actor, "transfer");
  return await transferPlaylist(kv, playlistId, newOwnerId, guard);
}

export async function deletePlaylistAs(
  kv: Deno.Kv,
  actor: Actor,
  playlistId: string,
): Promise<void> {
  const { guard } = await authorize(kv, playlistId, actor, "delete");
  await deletePlaylist(kv, playlistId, guard);
}

export async function copyPlaylistAs(
  kv: Deno.Kv,
  actor: Actor & { name: string },
  playlistId: string,
): Promise<Playlist> {
  const { playlist } = await authorize(kv, playlistId, actor, "copy");
  const owned = (await listPlaylistsByUser(kv, actor.userId)).length;
  if (owned >= MAX_PLAYLISTS_PER_USER) {
    throw new PlaylistError("too_many_playlists", "too many playlists");
  }
  return await copyPlaylist(kv, playlist, { id: actor.userId, name: actor.name });
}
