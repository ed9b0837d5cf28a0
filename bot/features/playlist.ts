/**
 * /playlist and its buttons: personal, shared and collaborative playlists. Every action goes
 * through services/playlists.ts, which checks the actor's role in one table; buttons a role
 * may not use are hidden, but a forged callback is refused all the same.
 */
import { listPlaylistsByUser, PlaylistError, type PlaylistSummary } from "../../kv/playlists.ts";
import { type InviteRole } from "../../kv/playlist_members.ts";
import { takePlaylistPrompt } from "../../kv/playlist_prompts.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { INVITE_PAYLOAD_PREFIX, SHARE_PAYLOAD_PREFIX } from "../../lib/links.ts";
import { isToken } from "../../lib/tokens.ts";
import {
  acceptInvite,
  cleanDescription,
  cleanPlaylistName,
  createOwnPlaylist,
  renamePlaylist,
  revokeShareAs,
} from "../../services/playlists.ts";
import type { BotContext } from "../context.ts";
import { openPlaylistKeyboard, playlistName, roleName } from "../../views/playlists.ts";
import {
  actorOf,
  announceCreated,
  askDelete,
  displayName,
  FIRST_PAGE,
  guarded,
  present,
  sendInvite,
  shareView,
  showList,
  showPlaylist,
  showShared,
} from "../playlist_actions.ts";
import { playlistButtons } from "./playlist_buttons.ts";
import { addLink, chooseOrRun, runCommand } from "../playlist_choice.ts";
import { FeatureComposer } from "../composer.ts";
import { isId } from "../../lib/ids.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";

export const playlistFeature = new FeatureComposer<BotContext>();

// --- /playlist ---------------------------------------------------------------------

/** A playlist named by its number in the user's list, its id, or its name. */
function resolveRef(summaries: PlaylistSummary[], ref: string): string | undefined {
  const text = ref.trim();
  if (/^\d+$/.test(text)) return summaries[Number(text) - 1]?.playlist.id;
  if (isId(text)) return text;
  const lower = text.toLowerCase();
  return summaries.find((s) => s.playlist.name.toLowerCase() === lower)?.playlist.id;
}

async function resolveOrTell(ctx: BotContext, ref: string): Promise<string | undefined> {
  const id = ref.trim()
    ? resolveRef(await listPlaylistsByUser(ctx.deps.kv, ctx.from!.id), ref)
    : undefined;
  if (!id) {
    await ctx.reply(
      ref.trim()
        ? ctx.t("playlist-unknown-ref", { ref: escapeHtml(truncate(ref.trim(), 40)) })
        : ctx.t("playlist-usage"),
    );
  }
  return id;
}

/** Splits "a b c" into its first word and the rest. */
function firstWord(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space < 0 ? [trimmed, ""] : [trimmed.slice(0, space), trimmed.slice(space + 1).trim()];
}

/** Splits "a b c" into everything but the last word, and the last word. */
function lastWord(text: string): [string, string] {
  const trimmed = text.trim();
  const space = trimmed.search(/\s\S*$/);
  return space < 0 ? ["", trimmed] : [trimmed.slice(0, space).trim(), trimmed.slice(space + 1)];
}

playlistFeature.command("playlist", async (ctx) => {
  if (!ctx.from) return;
  const [sub, rest] = firstWord(ctx.match);
  await guarded(ctx, async () => {
    switch (sub.toLowerCase()) {
      case "":
      case "help":
        return await showList(ctx, "reply", true);
      case "create":
        return await createFromCommand(ctx, rest);
      case "add":
        return await addFromCommand(ctx, rest);
      case "show":
      case "open": {
        if (!rest) return await chooseOrRun(ctx, { action: "show" });
        const id = await resolveOrTell(ctx, rest);
        if (id) await showPlaylist(ctx, id, FIRST_PAGE, "reply");
        return;
      }
      case "share": {
        if (!rest) return await chooseOrRun(ctx, { action: "share" });
        const id = await resolveOrTell(ctx, rest);
        if (id) await present(ctx, await shareView(ctx, id), "reply");
        return;
      }
      case "unshare": {
        const id = await resolveOrTell(ctx, rest);
        if (!id) return;
        const playlist = await revokeShareAs(ctx.deps.kv, actorOf(ctx), id);
        await ctx.reply(ctx.t("playlist-share-revoked", { name: playlistName(playlist) }));
        return;
      }
      case "invite": {
        const [ref, role] = lastWord(rest);
        if (!["view", "edit", "admin"].includes(role)) {
          return await ctx.reply(ctx.t("playlist-usage"));
        }
        const id = await resolveOrTell(ctx, ref);
        if (id) await sendInvite(ctx, id, role as InviteRole);
        return;
      }
      case "rename": {
        const [ref, newName] = firstWord(rest);
        const name = cleanPlaylistName(newName);
        if (!name) return await ctx.reply(ctx.t("playlist-usage"));
        const id = await resolveOrTell(ctx, ref);
        if (!id) return;
        const playlist = await renamePlaylist(ctx.deps.kv, actorOf(ctx), id, { name });
        await ctx.reply(ctx.t("playlist-renamed", { name: playlistName(playlist) }), {
          reply_markup: openPlaylistKeyboard(playlist),
        });
        return;
      }
      case "remove": {
        const [ref, number] = lastWord(rest);
        if (!/^\d{1,6}$/.test(number)) return await ctx.reply(ctx.t("playlist-usage"));
        const command = { action: "remove", itemNumber: Number(number) } as const;
        if (!ref) return await chooseOrRun(ctx, command);
        const id = await resolveOrTell(ctx, ref);
        if (id) await runCommand(ctx, command, id, "reply");
        return;
      }
      case "delete": {
        const id = await resolveOrTell(ctx, rest);
        if (id) await askDelete(ctx, id, "reply");
        return;
      }
      default:
        await ctx.reply(ctx.t("playlist-usage"));
    }
  });
});

async function createFromCommand(ctx: BotContext, text: string) {
  const name = cleanPlaylistName(text);
  if (!name) return await ctx.reply(ctx.t("playlist-usage"));
  const playlist = await createOwnPlaylist(ctx.deps.kv, {
    id: ctx.from!.id,
    name: displayName(ctx.from!),
  }, name);
  announceCreated(ctx, playlist.id);
  await ctx.reply(ctx.t("playlist-created", { name: playlistName(playlist) }), {
    reply_markup: openPlaylistKeyboard(playlist),
  });
}

/** /playlist add <link> [playlist]: the link is checked first, then the playlist is found. */
async function addFromCommand(ctx: BotContext, args: string) {
  const [raw, ref] = firstWord(args);
  if (!raw) return await ctx.reply(ctx.t("playlist-usage"));
  const checked = await ctx.deps.urlGuard.check(raw);
  if (!checked.ok) return await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
  if (!ref) return await chooseOrRun(ctx, { action: "add", url: checked.url.href });
  const id = await resolveOrTell(ctx, ref);
  if (id) await addLink(ctx, id, checked.url.href, "reply");
}

// --- deep links --------------------------------------------------------------------

playlistFeature.command("start", async (ctx, next) => {
  const payload = ctx.match.trim();
  if (payload.startsWith(SHARE_PAYLOAD_PREFIX)) {
    return await guarded(
      ctx,
      () => showShared(ctx, payload.slice(SHARE_PAYLOAD_PREFIX.length), FIRST_PAGE, "reply"),
    );
  }
  if (payload.startsWith(INVITE_PAYLOAD_PREFIX)) {
    const token = payload.slice(INVITE_PAYLOAD_PREFIX.length);
    return await guarded(ctx, async () => {
      const accepted = isToken(token) ? await acceptOrNull(ctx, token) : null;
      if (!accepted) return await ctx.reply(ctx.t("playlist-invite-invalid"));
      await ctx.reply(
        ctx.t("playlist-invite-accepted", {
          role: roleName(ctx.t, accepted.role),
          name: playlistName(accepted.playlist),
        }),
      );
      await showPlaylist(ctx, accepted.playlist.id, FIRST_PAGE, "reply");
    });
  }
  await next();
});

/** An invite that expired, was used or whose playlist is gone is simply invalid. */
async function acceptOrNull(ctx: BotContext, token: string) {
  try {
    return await acceptInvite(ctx.deps.kv, token, {
      id: ctx.from!.id,
      name: displayName(ctx.from!),
    });
  } catch (error) {
    if (error instanceof PlaylistError && error.code === "not_found") return null;
    throw error;
  }
}

playlistFeature.use(playlistButtons);

// --- answers to prompts --------------------------------------------------------------

playlistFeature.chatType("private").on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/") || /https?:\/\//i.test(text)) return await next();
  const prompt = await takePlaylistPrompt(ctx.deps.kv, ctx.from.id);
  if (!prompt) return await next();
  await guarded(ctx, async () => {
    if (prompt.action === "rename") {
      const name = cleanPlaylistName(text);
      if (!name) return await ctx.reply(ctx.t("playlist-usage"));
      const playlist = await renamePlaylist(ctx.deps.kv, actorOf(ctx), prompt.playlistId, { name });
      await ctx.reply(ctx.t("playlist-renamed", { name: playlistName(playlist) }), {
        reply_markup: openPlaylistKeyboard(playlist),
      });
      return;
    }
    const playlist = await renamePlaylist(ctx.deps.kv, actorOf(ctx), prompt.playlistId, {
      description: cleanDescription(text),
    });
    await ctx.reply(ctx.t("playlist-described"), { reply_markup: openPlaylistKeyboard(playlist) });
  });
});
