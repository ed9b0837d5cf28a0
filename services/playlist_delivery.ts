/**
 * Playlists' media reaching users: the end of `/playlist add <link>` when the link had to be
 * probed first (the job service calls it), and "Download all".
 */
import type { Api } from "grammy";
import type { ProbeInfo } from "../media/media_types.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { listPlaylistItems } from "../kv/playlist_items.ts";
import { type Actor, addItem, authorize } from "./playlists.ts";
import type { BatchReporter } from "./batches.ts";
import type { BatchDownloads } from "./batch_downloads.ts";
import type { Translate } from "../i18n/translations.ts";
import { openPlaylistKeyboard, playlistErrorText, playlistName } from "../views/playlists.ts";

export async function addProbedMedia(
  target: { api: Api; kv: Deno.Kv; t: Translate; userId: number; chatId: number },
  playlistId: string,
  url: string,
  info: ProbeInfo,
): Promise<void> {
  const { api, kv, t, userId, chatId } = target;
  try {
    // the role is checked again: it may have changed while the link was probed
    const { playlist, created } = await addItem(kv, { userId }, playlistId, {
      url,
      info,
      addedBy: userId,
    });
    const text = t(created ? "playlist-added" : "playlist-already-added", {
      title: escapeHtml(truncate(info.title, 100)),
      name: playlistName(playlist),
    });
    await api.sendMessage(chatId, text, {
      reply_markup: openPlaylistKeyboard(playlist),
    });
  } catch (error) {
    const text = playlistErrorText(t, error);
    if (!text) throw error;
    await api.sendMessage(chatId, text);
  }
}

/**
 * Every item as one batch with one progress message, taking turns like any batch
 * (services/batch_downloads.ts): files Telegram already has are sent as their turn comes, the
 * others become download jobs of the saved probe, each with its quota reservation. Returns how
 * many items there are (0: nothing started); `beforeStart` hears it before the batch starts.
 */
export async function downloadPlaylist(
  deps: { kv: Deno.Kv; batches: BatchReporter; batchDownloads: BatchDownloads },
  actor: Actor,
  playlistId: string,
  target: { chatId: number; lang: string },
  beforeStart?: (count: number) => Promise<unknown>,
): Promise<number> {
  const { playlist } = await authorize(deps.kv, playlistId, actor, "download");
  const items = await listPlaylistItems(deps.kv, playlistId);
  await beforeStart?.(items.length);
  if (items.length === 0) return 0;
  const batch = await deps.batches.start({
    userId: actor.userId,
    chatId: target.chatId,
    lang: target.lang,
    title: playlist.name,
    total: items.length,
  });
  await deps.batchDownloads.addSavedItems(batch, items);
  return items.length;
}
