/** What the playlist feature's commands and buttons share: showing, answering, acting. */
import { GrammyError, InlineKeyboard } from "grammy";
import type { User } from "grammy/types";
import { getPlaylistByShareToken, listPlaylistsByUser } from "../kv/playlists.ts";
import {
  countPlaylistItems,
  getPlaylistItem,
  itemIdBefore,
  listPlaylistItems,
  listPlaylistItemsPage,
} from "../kv/playlist_items.ts";
import { type InviteRole, listPlaylistMembers } from "../kv/playlist_members.ts";
import { escapeHtml } from "../lib/format.ts";
import {
  botDeepLink,
  INVITE_PAYLOAD_PREFIX,
  playlistAppUrl,
  playlistPageUrl,
  publicBaseUrl,
  SHARE_PAYLOAD_PREFIX,
} from "../lib/links.ts";
import { isToken } from "../lib/tokens.ts";
import { type Actor, authorize, inviteAs, sharePlaylistAs } from "../services/playlists.ts";
import type { BotContext } from "./context.ts";
import { downloadPlaylist } from "../services/playlist_delivery.ts";
import {
  ITEMS_PER_PAGE,
  playlistErrorText,
  playlistName,
  type PlaylistRef,
  renderMembers,
  renderPlaylistList,
  renderPlaylistView,
  renderShare,
  roleName,
} from "../views/playlists.ts";
import { renderDeleteConfirm } from "../views/playlists.ts";

export type Shown = { text: string; keyboard: InlineKeyboard };

export function displayName(user: User): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

export function actorOf(ctx: BotContext, shareToken?: string): Actor {
  return { userId: ctx.from!.id, name: displayName(ctx.from!), shareToken };
}

/** Replaces the pressed message (a button's answer) or sends a new one. */
export async function present(
  ctx: BotContext,
  shown: Shown,
  mode: "edit" | "reply",
): Promise<void> {
  const options = {
    reply_markup: shown.keyboard,
    link_preview_options: { is_disabled: true },
  };
  if (mode === "edit" && ctx.callbackQuery?.message?.text !== undefined) {
    try {
      await ctx.editMessageText(shown.text, options);
      return;
    } catch (error) {
      if (error instanceof GrammyError && /not modified/.test(error.description)) return;
      throw error;
    }
  }
  await ctx.reply(shown.text, options);
}

/** Runs an action; a refusal the user can understand is told, anything else goes up. */
export async function guarded(ctx: BotContext, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const text = playlistErrorText(ctx.t, error);
    if (!text) throw error;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
    else await ctx.reply(text);
  }
}

export async function answer(ctx: BotContext, text?: string): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery(text ? { text } : undefined);
}

// --- showing -------------------------------------------------------------------------

export async function showList(ctx: BotContext, mode: "edit" | "reply", withHelp = false) {
  const summaries = await listPlaylistsByUser(ctx.deps.kv, ctx.from!.id);
  const list = renderPlaylistList(ctx.t, summaries);
  const text = withHelp ? `${ctx.t("playlist-help")}\n\n${list.text}` : list.text;
  await present(ctx, { text, keyboard: list.keyboard }, mode);
}

/** A page of a playlist: its number, and the id of its first item ("" for the first page). */
export interface PageAt {
  page: number;
  start: string;
}

export const FIRST_PAGE: PageAt = { page: 0, start: "" };

/** Shows one page, reading only its items (and, after the first page, those of the one before). */
export async function showPlaylist(
  ctx: BotContext,
  playlistId: string,
  at: PageAt,
  mode: "edit" | "reply",
  shareToken?: string,
) {
  const { kv } = ctx.deps;
  const access = await authorize(kv, playlistId, actorOf(ctx, shareToken), "view");
  // a page whose first item left meanwhile (or a button from before pages had one) starts over
  if (at.page > 0 && !at.start) at = FIRST_PAGE;
  const limit = ITEMS_PER_PAGE;
  let listed = await listPlaylistItemsPage(kv, playlistId, { limit, cursor: at.start });
  if (!listed) {
    at = FIRST_PAGE;
    listed = await listPlaylistItemsPage(kv, playlistId, { limit });
  }
  const previous = at.page > 0 ? await itemIdBefore(kv, playlistId, at.start, limit) : undefined;
  const ref: PlaylistRef = access.via === "share" && shareToken
    ? { kind: "share", token: shareToken }
    : { kind: "member" };
  const { playlist, role } = access;
  await present(
    ctx,
    renderPlaylistView(ctx.t, {
      playlist,
      role,
      items: listed?.values ?? [],
      itemCount: await countPlaylistItems(kv, playlistId),
      page: at.page,
      previous: previous ?? undefined,
      next: listed?.cursor ?? "",
      ref,
    }),
    mode,
  );
}

/**
 * Where an item stands: its index as its button said (counted, reading the items before it, for a
 * button without one), the item count and its page's first item. Null when the item is gone.
 */
export async function itemPlace(
  kv: Deno.Kv,
  playlistId: string,
  itemId: string,
  shownIndex?: number,
) {
  const [item, total] = await Promise.all([
    getPlaylistItem(kv, playlistId, itemId),
    countPlaylistItems(kv, playlistId),
  ]);
  if (!item) return null;
  const index = shownIndex === undefined
    ? (await listPlaylistItems(kv, playlistId)).findIndex((listed) => listed.id === itemId)
    : Math.min(Math.max(0, shownIndex), total - 1);
  if (index < 0) return null;
  const pageStart = await itemIdBefore(kv, playlistId, itemId, index % ITEMS_PER_PAGE);
  return pageStart === null ? null : { item, index, total, pageStart };
}

export async function showShared(
  ctx: BotContext,
  token: string,
  at: PageAt,
  mode: "edit" | "reply",
) {
  const shared = isToken(token) ? await getPlaylistByShareToken(ctx.deps.kv, token) : null;
  if (!shared) {
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: ctx.t("playlist-share-invalid"), show_alert: true });
    } else await ctx.reply(ctx.t("playlist-share-invalid"));
    return;
  }
  await showPlaylist(ctx, shared.playlist.id, at, mode, token);
}

// --- helpers ---------------------------------------------------------------------------

/** Achievements and analytics follow new playlists. */
export function announceCreated(ctx: BotContext, playlistId: string) {
  ctx.deps.events.emit({ type: "playlist_created", userId: ctx.from!.id, key: playlistId });
}

export async function shareView(ctx: BotContext, playlistId: string): Promise<Shown> {
  const playlist = await sharePlaylistAs(ctx.deps.kv, actorOf(ctx), playlistId);
  const base = publicBaseUrl(ctx.deps.config);
  const token = playlist.shareToken!;
  return renderShare(ctx.t, playlist, {
    page: playlistPageUrl(base, token),
    deepLink: botDeepLink(ctx.me.username, SHARE_PAYLOAD_PREFIX + token),
    app: base.startsWith("https:") ? playlistAppUrl(base, token) : undefined,
  });
}

export async function sendInvite(ctx: BotContext, playlistId: string, role: InviteRole) {
  const { playlist, invite } = await inviteAs(ctx.deps.kv, actorOf(ctx), playlistId, role);
  await ctx.reply(
    ctx.t("playlist-invite-text", {
      name: playlistName(playlist),
      role: roleName(ctx.t, role),
      link: escapeHtml(botDeepLink(ctx.me.username, INVITE_PAYLOAD_PREFIX + invite.token)),
    }),
    { link_preview_options: { is_disabled: true } },
  );
}

export async function showMembers(ctx: BotContext, playlistId: string) {
  const { playlist, role } = await authorize(ctx.deps.kv, playlistId, actorOf(ctx), "view");
  const members = await listPlaylistMembers(ctx.deps.kv, playlistId);
  await present(
    ctx,
    renderMembers(ctx.t, playlist, members, { userId: ctx.from!.id, role }),
    "edit",
  );
}

export async function askDelete(ctx: BotContext, playlistId: string, mode: "edit" | "reply") {
  const { kv } = ctx.deps;
  const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "delete");
  const count = await countPlaylistItems(kv, playlistId);
  await present(ctx, renderDeleteConfirm(ctx.t, playlist, count), mode);
}

/** "Download all": the button is answered before the batch's progress message comes. */
export async function downloadAll(ctx: BotContext, playlistId: string, shareToken?: string) {
  const { kv, jobs } = ctx.deps;
  await downloadPlaylist(
    { kv, batches: jobs.batches, batchDownloads: jobs.batchDownloads },
    actorOf(ctx, shareToken),
    playlistId,
    { chatId: ctx.chat?.id ?? ctx.from!.id, lang: ctx.i18n.getLocale() },
    (count) =>
      answer(
        ctx,
        count === 0
          ? ctx.t("playlist-nothing-to-download")
          : ctx.t("playlist-download-started", { count }),
      ),
  );
}
