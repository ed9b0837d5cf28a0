/**
 * A /playlist command that named no playlist while the user has several: kept under a short id
 * that the buttons asking "which playlist?" carry, so the link or number it had need not fit in
 * callback data. Each is read by its buttons for a day.
 */
import { ulid } from "../lib/ids.ts";

export type PlaylistChoiceAction = "add" | "remove" | "share" | "show";

/** The command, without its playlist. */
export interface PlaylistCommand {
  action: PlaylistChoiceAction;
  /** add: the link, as the URL guard let it through */
  url?: string;
  /** remove: the item's number in the playlist */
  itemNumber?: number;
}

export interface PlaylistChoice extends PlaylistCommand {
  id: string;
  userId: number;
}

const CHOICE_TTL_MS = 24 * 3600_000;

function choiceKey(id: string) {
  return ["playlist_choices", id] as const;
}

export async function createPlaylistChoice(
  kv: Deno.Kv,
  input: Omit<PlaylistChoice, "id">,
): Promise<PlaylistChoice> {
  const choice: PlaylistChoice = { ...input, id: ulid() };
  await kv.set(choiceKey(choice.id), choice, { expireIn: CHOICE_TTL_MS });
  return choice;
}

export async function getPlaylistChoice(kv: Deno.Kv, id: string): Promise<PlaylistChoice | null> {
  return (await kv.get<PlaylistChoice>(choiceKey(id))).value;
}
