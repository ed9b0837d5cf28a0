/** How a gallery's items are grouped into albums: the same for an upload and a resend. */
import { MAX_ALBUM_ITEMS } from "./media_types.ts";

/**
 * Photos and videos in albums of at most 10, in order, then the documents in albums of their own
 * (Telegram never mixes documents with photos or videos in one album). A group of one item is
 * sent on its own: an album needs two.
 */
export function albumGroups<T extends { kind: string }>(items: readonly T[]): T[][] {
  const playable = items.filter((item) => item.kind === "photo" || item.kind === "video");
  const documents = items.filter((item) => item.kind !== "photo" && item.kind !== "video");
  return [...chunks(playable), ...chunks(documents)];
}

function chunks<T>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += MAX_ALBUM_ITEMS) {
    groups.push(items.slice(start, start + MAX_ALBUM_ITEMS));
  }
  return groups;
}
