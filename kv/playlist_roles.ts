/**
 * Who may do what with a playlist: one table, read by the bot, the web page and the views alike.
 * The actions (services/playlists.ts) check it and pass the entry that granted the role to their
 * atomic.
 */
import { type PlaylistRole, roleAtLeast } from "./playlists.ts";

export type PlaylistAction =
  | "view"
  | "download"
  | "copy"
  | "add"
  | "remove"
  | "reorder"
  | "rename"
  | "share"
  | "invite"
  | "remove_member"
  | "delete"
  | "transfer";

/** The least role each action needs: view < edit < admin < owner. */
export const MINIMUM_ROLE: Readonly<Record<PlaylistAction, PlaylistRole>> = {
  view: "view",
  download: "view",
  copy: "view",
  add: "edit",
  remove: "edit",
  reorder: "edit",
  rename: "admin",
  share: "admin",
  invite: "admin",
  remove_member: "admin",
  delete: "owner",
  transfer: "owner",
};

export function can(role: PlaylistRole | undefined, action: PlaylistAction): boolean {
  return roleAtLeast(role, MINIMUM_ROLE[action]);
}

export class PlaylistForbiddenError extends Error {
  override name = "PlaylistForbiddenError";
  constructor(readonly action: PlaylistAction) {
    super(`not allowed to ${action} this playlist`);
  }
}
