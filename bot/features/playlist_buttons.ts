/** The playlist feature's buttons (their callback data: views/callbacks.ts). */
import { ownPreview } from "../preview_request.ts";
import type { BotContext } from "../context.ts";
import { getPlaylistByShareToken, listPlaylistsByUser } from "../../kv/playlists.ts";
import { listPlaylistMembers } from "../../kv/playlist_members.ts";
import { setPlaylistPrompt } from "../../kv/playlist_prompts.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import {
  addItem,
  authorize,
  copyPlaylistAs,
  createOwnPlaylist,
  deletePlaylistAs,
  moveItem,
  removeItem,
  removeMember,
  revokeShareAs,
  transferOwnership,
} from "../../services/playlists.ts";
import { can } from "../../kv/playlist_roles.ts";
import {
  confirmKeyboard,
  openPlaylistKeyboard,
  playlistName,
  renderAddChoice,
  renderInviteChoice,
  renderItemView,
} from "../../views/playlists.ts";
import {
  actorOf,
  announceCreated,
  answer,
  askDelete,
  displayName,
  downloadAll,
  FIRST_PAGE,
  guarded,
  itemPlace,
  present,
  sendInvite,
  shareView,
  showList,
  showMembers,
  showPlaylist,
  showShared,
} from "../playlist_actions.ts";
import { FeatureComposer } from "../composer.ts";
import { backToListKeyboard, renderPlaylistChoice } from "../../views/playlists.ts";
import { onCallback } from "../callbacks.ts";
import { buildCallback } from "../../views/callbacks.ts";
import { getPlaylistChoice } from "../../kv/playlist_choices.ts";
import { eligiblePlaylists, runCommand } from "../playlist_choice.ts";

export const playlistButtons = new FeatureComposer<BotContext>();

// --- buttons -----------------------------------------------------------------------

onCallback(playlistButtons, "playlistList", async (ctx) => {
  await answer(ctx);
  await showList(ctx, "edit");
});

/** The main menu's "🎵 Playlists": what /playlist answers. */
onCallback(playlistButtons, "menuPlaylists", async (ctx) => {
  await answer(ctx);
  await showList(ctx, "reply", true);
});

onCallback(playlistButtons, "playlistOpen", async (ctx, { playlistId, page = 0, start = "" }) => {
  await guarded(ctx, async () => {
    await showPlaylist(ctx, playlistId, { page, start }, "edit");
    await answer(ctx);
  });
});

onCallback(playlistButtons, "sharedOpen", async (ctx, { token, page, start = "" }) => {
  await guarded(ctx, async () => {
    await showShared(ctx, token, { page, start }, "edit");
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistDownload", async (ctx, { playlistId }) => {
  await guarded(ctx, () => downloadAll(ctx, playlistId));
});

onCallback(playlistButtons, "sharedDownload", async (ctx, { token }) => {
  await guarded(ctx, async () => {
    const shared = await getPlaylistByShareToken(ctx.deps.kv, token);
    if (!shared) {
      return await ctx.answerCallbackQuery({
        text: ctx.t("playlist-share-invalid"),
        show_alert: true,
      });
    }
    await downloadAll(ctx, shared.playlist.id, token);
  });
});

onCallback(playlistButtons, "sharedCopy", async (ctx, { token }) => {
  await guarded(ctx, async () => {
    const shared = await getPlaylistByShareToken(ctx.deps.kv, token);
    if (!shared) {
      return await ctx.answerCallbackQuery({
        text: ctx.t("playlist-share-invalid"),
        show_alert: true,
      });
    }
    const copy = await copyPlaylistAs(ctx.deps.kv, {
      ...actorOf(ctx, token),
      name: displayName(ctx.from),
    }, shared.playlist.id);
    announceCreated(ctx, copy.id);
    await answer(ctx);
    await ctx.reply(ctx.t("playlist-copied", { name: playlistName(copy) }), {
      reply_markup: openPlaylistKeyboard(copy),
    });
  });
});

onCallback(playlistButtons, "playlistShare", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    await present(ctx, await shareView(ctx, playlistId), "edit");
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistRevoke", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    const playlist = await revokeShareAs(ctx.deps.kv, actorOf(ctx), playlistId);
    await answer(ctx);
    await ctx.reply(ctx.t("playlist-share-revoked", { name: playlistName(playlist) }), {
      reply_markup: openPlaylistKeyboard(playlist),
    });
  });
});

onCallback(playlistButtons, "playlistInvite", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, playlistId, actorOf(ctx), "invite");
    await present(ctx, renderInviteChoice(ctx.t, playlist), "edit");
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistInviteAs", async (ctx, { playlistId, role }) => {
  await guarded(ctx, async () => {
    await sendInvite(ctx, playlistId, role);
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistMembers", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    await showMembers(ctx, playlistId);
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistAsk", async (ctx, { question: action, playlistId }) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, playlistId, actorOf(ctx), "rename");
    await setPlaylistPrompt(ctx.deps.kv, ctx.from.id, { action, playlistId: playlist.id });
    await answer(ctx);
    await ctx.reply(
      ctx.t(action === "rename" ? "playlist-ask-name" : "playlist-ask-description", {
        name: playlistName(playlist),
      }),
    );
  });
});

onCallback(playlistButtons, "playlistDelete", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    await askDelete(ctx, playlistId, "edit");
    await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistDeleteConfirmed", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, playlistId, actorOf(ctx), "delete");
    await deletePlaylistAs(ctx.deps.kv, actorOf(ctx), playlist.id);
    await answer(ctx);
    await present(ctx, {
      text: ctx.t("playlist-deleted", { name: playlistName(playlist) }),
      keyboard: backToListKeyboard(ctx.t),
    }, "edit");
  });
});

onCallback(playlistButtons, "playlistLeave", async (ctx, { playlistId }) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, playlistId, actorOf(ctx), "view");
    await removeMember(ctx.deps.kv, actorOf(ctx), playlist.id, ctx.from.id);
    await answer(ctx);
    await present(ctx, {
      text: ctx.t("playlist-left", { name: playlistName(playlist) }),
      keyboard: backToListKeyboard(ctx.t),
    }, "edit");
  });
});

onCallback(playlistButtons, "playlistItem", async (ctx, fields) => {
  const { action, playlistId, itemId } = fields;
  const { kv } = ctx.deps;
  await guarded(ctx, async () => {
    if (action === "remove") {
      await removeItem(kv, actorOf(ctx), playlistId, itemId);
      await answer(ctx, ctx.t("playlist-item-removed"));
      return await showPlaylist(ctx, playlistId, FIRST_PAGE, "edit");
    }
    let index = fields.index;
    if (action === "open") await authorize(kv, playlistId, actorOf(ctx), "reorder");
    else {
      const moved = await moveItem(kv, actorOf(ctx), playlistId, itemId, action);
      await answer(ctx, ctx.t(moved ? "playlist-item-moved" : "playlist-item-at-end"));
      if (moved && index !== undefined) index += action === "up" ? -1 : 1;
    }
    const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "view");
    const place = await itemPlace(kv, playlistId, itemId, index);
    if (!place) return await showPlaylist(ctx, playlistId, FIRST_PAGE, "edit");
    await present(ctx, renderItemView(ctx.t, playlist, place.item, place), "edit");
    if (action === "open") await answer(ctx);
  });
});

onCallback(playlistButtons, "playlistMember", async (ctx, { action, playlistId, userId }) => {
  const { kv } = ctx.deps;
  await guarded(ctx, async () => {
    if (action === "remove") {
      await removeMember(kv, actorOf(ctx), playlistId, userId);
      await answer(ctx, ctx.t("playlist-member-removed"));
      return await showMembers(ctx, playlistId);
    }
    if (action === "transfer") {
      const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "transfer");
      const heir = (await listPlaylistMembers(kv, playlistId)).find((m) => m.userId === userId);
      if (!heir) return await answer(ctx, ctx.t("playlist-invalid"));
      await answer(ctx);
      return await present(ctx, {
        text: ctx.t("playlist-transfer-confirm", {
          name: escapeHtml(truncate(heir.name, 40)),
          playlist: playlistName(playlist),
        }),
        keyboard: confirmKeyboard(
          ctx.t,
          {
            label: ctx.t("playlist-button-make-owner"),
            data: buildCallback("playlistMember", {
              action: "transferConfirmed",
              playlistId,
              userId,
            }),
          },
          buildCallback("playlistMembers", { playlistId }),
        ),
      }, "edit");
    }
    const playlist = await transferOwnership(kv, actorOf(ctx), playlistId, userId);
    await answer(ctx);
    await present(ctx, {
      text: ctx.t("playlist-transferred", {
        name: escapeHtml(truncate(playlist.ownerName, 40)),
        playlist: playlistName(playlist),
      }),
      keyboard: openPlaylistKeyboard(playlist),
    }, "edit");
  });
});

// --- the playlist a command without one acts on -----------------------------------------

async function answerExpiredChoice(ctx: BotContext) {
  await ctx.answerCallbackQuery({ text: ctx.t("playlist-choice-expired"), show_alert: true });
}

onCallback(playlistButtons, "playlistChoose", async (ctx, { choiceId, playlistId }) => {
  const choice = await getPlaylistChoice(ctx.deps.kv, choiceId);
  if (!choice || choice.userId !== ctx.from.id) return await answerExpiredChoice(ctx);
  await guarded(ctx, async () => {
    await runCommand(ctx, choice, playlistId, "edit");
    // a download refused for want of quota or places was answered already
    await answer(ctx).catch(() => {});
  });
});

onCallback(playlistButtons, "playlistChoicePage", async (ctx, { choiceId, page }) => {
  const choice = await getPlaylistChoice(ctx.deps.kv, choiceId);
  if (!choice || choice.userId !== ctx.from.id) return await answerExpiredChoice(ctx);
  await guarded(ctx, async () => {
    const playlists = await eligiblePlaylists(ctx, choice.action);
    await present(ctx, renderPlaylistChoice(ctx.t, choice, playlists, page), "edit");
    await answer(ctx);
  });
});

// --- add from a preview ----------------------------------------------------------------

onCallback(playlistButtons, "playlistAdd", async (ctx, { previewId, target }) => {
  const { kv } = ctx.deps;
  const preview = await ownPreview(ctx, previewId);
  if (!preview) return;
  await guarded(ctx, async () => {
    const editable = (await listPlaylistsByUser(kv, ctx.from.id)).filter((s) => can(s.role, "add"));
    let playlistId = target;
    if (!playlistId) {
      if (editable.length > 0) {
        await answer(ctx);
        const choice = renderAddChoice(
          ctx.t,
          preview.info.title,
          previewId,
          editable.map((s) => s.playlist),
        );
        return await present(ctx, choice, "reply");
      }
      playlistId = "new";
    }
    if (playlistId === "new") {
      const owner = { id: ctx.from.id, name: displayName(ctx.from) };
      playlistId = (await createOwnPlaylist(kv, owner, ctx.t("playlist-default-name"))).id;
      announceCreated(ctx, playlistId);
    }
    const { playlist, created } = await addItem(kv, actorOf(ctx), playlistId, {
      url: preview.url,
      info: preview.info,
      addedBy: ctx.from.id,
    });
    const text = ctx.t(created ? "playlist-added" : "playlist-already-added", {
      title: escapeHtml(truncate(preview.info.title, 100)),
      name: playlistName(playlist),
    });
    await answer(ctx);
    await present(
      ctx,
      { text, keyboard: openPlaylistKeyboard(playlist) },
      target ? "edit" : "reply",
    );
  });
});
