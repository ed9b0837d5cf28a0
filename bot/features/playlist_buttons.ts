/** The playlist feature's buttons; their callback data is described in bot/playlist_views.ts. */
import { ownPreview } from "../preview_request.ts";
import type { BotContext } from "../context.ts";
import { getPlaylistByShareToken, listPlaylistsByUser } from "../../kv/playlists.ts";
import { type InviteRole, listPlaylistMembers } from "../../kv/playlist_members.ts";
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
  ID,
  itemPlace,
  present,
  sendInvite,
  shareView,
  showList,
  showMembers,
  showPlaylist,
  showShared,
  TOKEN,
} from "../playlist_actions.ts";
import { FeatureComposer } from "../composer.ts";
import { backToListKeyboard, renderPlaylistChoice } from "../../views/playlists.ts";
import { getPlaylistChoice } from "../../kv/playlist_choices.ts";
import { eligiblePlaylists, runCommand } from "../playlist_choice.ts";

export const playlistButtons = new FeatureComposer<BotContext>();

// --- buttons -----------------------------------------------------------------------

playlistButtons.callbackQuery("pl:ls", async (ctx) => {
  await answer(ctx);
  await showList(ctx, "edit");
});

/** The main menu's "🎵 Playlists": what /playlist answers. */
playlistButtons.callbackQuery("menu:playlists", async (ctx) => {
  await answer(ctx);
  await showList(ctx, "reply", true);
});

playlistButtons.callbackQuery(
  new RegExp(`^pl:o:(${ID})(?::(\\d{1,3})(?::(${ID}))?)?$`),
  async (ctx) => {
    await guarded(ctx, async () => {
      const at = { page: Number(ctx.match[2] ?? 0), start: ctx.match[3] ?? "" };
      await showPlaylist(ctx, ctx.match[1], at, "edit");
      await answer(ctx);
    });
  },
);

playlistButtons.callbackQuery(
  new RegExp(`^ps:o:(${TOKEN}):(\\d{1,3})(?::(${ID}))?$`),
  async (ctx) => {
    await guarded(ctx, async () => {
      const at = { page: Number(ctx.match[2]), start: ctx.match[3] ?? "" };
      await showShared(ctx, ctx.match[1], at, "edit");
      await answer(ctx);
    });
  },
);

playlistButtons.callbackQuery(new RegExp(`^pl:dl:(${ID})$`), async (ctx) => {
  await guarded(ctx, () => downloadAll(ctx, ctx.match[1]));
});

playlistButtons.callbackQuery(new RegExp(`^ps:dl:(${TOKEN})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const shared = await getPlaylistByShareToken(ctx.deps.kv, ctx.match[1]);
    if (!shared) {
      return await ctx.answerCallbackQuery({
        text: ctx.t("playlist-share-invalid"),
        show_alert: true,
      });
    }
    await downloadAll(ctx, shared.playlist.id, ctx.match[1]);
  });
});

playlistButtons.callbackQuery(new RegExp(`^ps:cp:(${TOKEN})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const shared = await getPlaylistByShareToken(ctx.deps.kv, ctx.match[1]);
    if (!shared) {
      return await ctx.answerCallbackQuery({
        text: ctx.t("playlist-share-invalid"),
        show_alert: true,
      });
    }
    const copy = await copyPlaylistAs(ctx.deps.kv, {
      ...actorOf(ctx, ctx.match[1]),
      name: displayName(ctx.from),
    }, shared.playlist.id);
    announceCreated(ctx, copy.id);
    await answer(ctx);
    await ctx.reply(ctx.t("playlist-copied", { name: playlistName(copy) }), {
      parse_mode: "HTML",
      reply_markup: openPlaylistKeyboard(copy),
    });
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:sh:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    await present(ctx, await shareView(ctx, ctx.match[1]), "edit");
    await answer(ctx);
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:rv:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const playlist = await revokeShareAs(ctx.deps.kv, actorOf(ctx), ctx.match[1]);
    await answer(ctx);
    await ctx.reply(ctx.t("playlist-share-revoked", { name: playlistName(playlist) }), {
      parse_mode: "HTML",
      reply_markup: openPlaylistKeyboard(playlist),
    });
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:in:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, ctx.match[1], actorOf(ctx), "invite");
    await present(ctx, renderInviteChoice(ctx.t, playlist), "edit");
    await answer(ctx);
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:iv:(${ID}):(view|edit|admin)$`), async (ctx) => {
  await guarded(ctx, async () => {
    await sendInvite(ctx, ctx.match[1], ctx.match[2] as InviteRole);
    await answer(ctx);
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:mb:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    await showMembers(ctx, ctx.match[1]);
    await answer(ctx);
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:(rn|ds):(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, ctx.match[2], actorOf(ctx), "rename");
    const action = ctx.match[1] === "rn" ? "rename" : "describe";
    await setPlaylistPrompt(ctx.deps.kv, ctx.from.id, { action, playlistId: playlist.id });
    await answer(ctx);
    await ctx.reply(
      ctx.t(action === "rename" ? "playlist-ask-name" : "playlist-ask-description", {
        name: playlistName(playlist),
      }),
      { parse_mode: "HTML" },
    );
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:rm:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    await askDelete(ctx, ctx.match[1], "edit");
    await answer(ctx);
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:rmok:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, ctx.match[1], actorOf(ctx), "delete");
    await deletePlaylistAs(ctx.deps.kv, actorOf(ctx), playlist.id);
    await answer(ctx);
    await present(ctx, {
      text: ctx.t("playlist-deleted", { name: playlistName(playlist) }),
      keyboard: backToListKeyboard(ctx.t),
    }, "edit");
  });
});

playlistButtons.callbackQuery(new RegExp(`^pl:lv:(${ID})$`), async (ctx) => {
  await guarded(ctx, async () => {
    const { playlist } = await authorize(ctx.deps.kv, ctx.match[1], actorOf(ctx), "view");
    await removeMember(ctx.deps.kv, actorOf(ctx), playlist.id, ctx.from.id);
    await answer(ctx);
    await present(ctx, {
      text: ctx.t("playlist-left", { name: playlistName(playlist) }),
      keyboard: backToListKeyboard(ctx.t),
    }, "edit");
  });
});

playlistButtons.callbackQuery(
  new RegExp(`^pi:(o|u|d|x):(${ID}):(${ID})(?::(\\d{1,3}))?$`),
  async (ctx) => {
    const [, action, playlistId, itemId, indexText] = ctx.match;
    const { kv } = ctx.deps;
    await guarded(ctx, async () => {
      if (action === "x") {
        await removeItem(kv, actorOf(ctx), playlistId, itemId);
        await answer(ctx, ctx.t("playlist-item-removed"));
        return await showPlaylist(ctx, playlistId, FIRST_PAGE, "edit");
      }
      let index = indexText === undefined ? undefined : Number(indexText);
      if (action === "o") await authorize(kv, playlistId, actorOf(ctx), "reorder");
      else {
        const up = action === "u";
        const moved = await moveItem(kv, actorOf(ctx), playlistId, itemId, up ? "up" : "down");
        await answer(ctx, ctx.t(moved ? "playlist-item-moved" : "playlist-item-at-end"));
        if (moved && index !== undefined) index += up ? -1 : 1;
      }
      const { playlist } = await authorize(kv, playlistId, actorOf(ctx), "view");
      const place = await itemPlace(kv, playlistId, itemId, index);
      if (!place) return await showPlaylist(ctx, playlistId, FIRST_PAGE, "edit");
      await present(ctx, renderItemView(ctx.t, playlist, place.item, place), "edit");
      if (action === "o") await answer(ctx);
    });
  },
);

playlistButtons.callbackQuery(new RegExp(`^pm:(x|t|tc):(${ID}):(\\d{1,15})$`), async (ctx) => {
  const [, action, playlistId, userText] = ctx.match;
  const userId = Number(userText);
  const { kv } = ctx.deps;
  await guarded(ctx, async () => {
    if (action === "x") {
      await removeMember(kv, actorOf(ctx), playlistId, userId);
      await answer(ctx, ctx.t("playlist-member-removed"));
      return await showMembers(ctx, playlistId);
    }
    if (action === "t") {
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
          { label: ctx.t("playlist-button-make-owner"), data: `pm:tc:${playlistId}:${userId}` },
          `pl:mb:${playlistId}`,
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

playlistButtons.callbackQuery(new RegExp(`^pc:(${ID}):(?:(${ID})|(\\d{1,2}))$`), async (ctx) => {
  const [, choiceId, playlistId, page] = ctx.match;
  const choice = await getPlaylistChoice(ctx.deps.kv, choiceId);
  if (!choice || choice.userId !== ctx.from.id) {
    return await ctx.answerCallbackQuery({
      text: ctx.t("playlist-choice-expired"),
      show_alert: true,
    });
  }
  await guarded(ctx, async () => {
    if (playlistId) {
      await runCommand(ctx, choice, playlistId, "edit");
      // a download refused for want of quota or places was answered already
      return await answer(ctx).catch(() => {});
    }
    const playlists = await eligiblePlaylists(ctx, choice.action);
    await present(ctx, renderPlaylistChoice(ctx.t, choice, playlists, Number(page)), "edit");
    await answer(ctx);
  });
});

// --- add from a preview ----------------------------------------------------------------

playlistButtons.callbackQuery(new RegExp(`^pa:(${ID})(?::(${ID}|new))?$`), async (ctx) => {
  const [, previewId, target] = ctx.match;
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
