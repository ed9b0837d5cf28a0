/** The end of `/playlist add <link>` when the link had to be probed first: the job service calls it. */
import type { Api } from "grammy";
import type { ProbeInfo } from "../media/media_types.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { addItem } from "./playlists.ts";
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
      parse_mode: "HTML",
      reply_markup: openPlaylistKeyboard(playlist),
    });
  } catch (error) {
    const text = playlistErrorText(t, error);
    if (!text) throw error;
    await api.sendMessage(chatId, text, { parse_mode: "HTML" });
  }
}
