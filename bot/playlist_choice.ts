/**
 * `/playlist show|share|add|remove` without a playlist: the user's only playlist the command may
 * act on is used; with several, one button each asks which (kv/playlist_choices.ts keeps the
 * command); with none, the answer says how to create one.
 */
import { listPlaylistsByUser } from "../kv/playlists.ts";
import { listPlaylistItems, MAX_ITEMS } from "../kv/playlist_items.ts";
import {
  createPlaylistChoice,
  type PlaylistChoiceAction,
  type PlaylistCommand,
} from "../kv/playlist_choices.ts";
import { can, type PlaylistAction } from "../kv/playlist_roles.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { addItem, authorize, removeItem } from "../services/playlists.ts";
import { openPlaylistKeyboard, playlistName, renderPlaylistChoice } from "../views/playlists.ts";
import { URL_REFUSAL_MESSAGES } from "../views/refusals.ts";
import type { BotContext } from "./context.ts";
import { queueForSender } from "./job_requests.ts";
import { actorOf, FIRST_PAGE, present, shareView, showPlaylist } from "./playlist_actions.ts";

/** What each command needs the user's role to allow. */
const NEEDS: Record<PlaylistChoiceAction, PlaylistAction> = {
  add: "add",
  remove: "remove",
  share: "share",
  show: "view",
};

/** How to answer a user without any playlist the command may act on. */
const NONE_KEYS: Record<PlaylistChoiceAction, string> = {
  add: "playlist-none-editable",
  remove: "playlist-none-editable",
  share: "playlist-none-shareable",
  show: "playlist-list-empty",
};

/** The user's playlists a command may act on, in the order of their list. */
export async function eligiblePlaylists(ctx: BotContext, action: PlaylistChoiceAction) {
  const summaries = await listPlaylistsByUser(ctx.deps.kv, ctx.from!.id);
  return summaries.filter((s) => can(s.role, NEEDS[action])).map((s) => s.playlist);
}

/** Runs the command on the user's one fitting playlist, or asks which one by buttons. */
export async function chooseOrRun(ctx: BotContext, command: PlaylistCommand): Promise<void> {
  const playlists = await eligiblePlaylists(ctx, command.action);
  if (playlists.length === 0) {
    await ctx.reply(ctx.t(NONE_KEYS[command.action]));
    return;
  }
  if (playlists.length === 1) {
    await runCommand(ctx, command, playlists[0].id, "reply");
    return;
  }
  const choice = await createPlaylistChoice(ctx.deps.kv, { ...command, userId: ctx.from!.id });
  await present(ctx, renderPlaylistChoice(ctx.t, choice, playlists, 0), "reply");
}

/** The command, on the playlist now known. */
export async function runCommand(
  ctx: BotContext,
  command: PlaylistCommand,
  playlistId: string,
  mode: "edit" | "reply",
): Promise<void> {
  switch (command.action) {
    case "show":
      return await showPlaylist(ctx, playlistId, FIRST_PAGE, mode);
    case "share":
      return await present(ctx, await shareView(ctx, playlistId), mode);
    case "add":
      return await addLink(ctx, playlistId, command.url!, mode);
    case "remove":
      return await removeNumbered(ctx, playlistId, command.itemNumber!, mode);
  }
}

/** Adds a link: at once when its probe is cached, else after a probe job. */
export async function addLink(
  ctx: BotContext,
  playlistId: string,
  rawUrl: string,
  mode: "edit" | "reply",
): Promise<void> {
  const { kv, urlGuard, media } = ctx.deps;
  const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "add");
  const checked = await urlGuard.check(rawUrl);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const url = checked.url.href;
  const cached = await media.getProbe(url);
  if (cached) {
    const { created } = await addItem(kv, actorOf(ctx), playlistId, {
      url,
      info: cached,
      addedBy: ctx.from!.id,
    });
    const text = ctx.t(created ? "playlist-added" : "playlist-already-added", {
      title: escapeHtml(truncate(cached.title, 100)),
      name: playlistName(playlist),
    });
    await present(ctx, { text, keyboard: openPlaylistKeyboard(playlist) }, mode);
    return;
  }
  await queueForSender(ctx, {
    chatId: ctx.chat?.id ?? ctx.from!.id,
    priority: 1,
    payload: { kind: "probe", url, lang: ctx.i18n.getLocale(), playlistId },
    statusMessage: async () => {
      const text = ctx.t("playlist-adding", { name: playlistName(playlist) });
      return (await ctx.reply(text)).message_id;
    },
  });
}

/** Removes the item at this number (1 is the first), reading the items up to it, no further. */
async function removeNumbered(
  ctx: BotContext,
  playlistId: string,
  number: number,
  mode: "edit" | "reply",
): Promise<void> {
  const { kv } = ctx.deps;
  const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "remove");
  const wanted = Math.min(number, MAX_ITEMS);
  const items = wanted > 0 ? await listPlaylistItems(kv, playlistId, wanted) : [];
  const item = items[number - 1];
  if (!item) {
    await ctx.reply(ctx.t("playlist-no-such-item", { number }));
    return;
  }
  await removeItem(kv, actorOf(ctx), playlistId, item.id);
  const keyboard = openPlaylistKeyboard(playlist);
  await present(ctx, { text: ctx.t("playlist-item-removed"), keyboard }, mode);
}
