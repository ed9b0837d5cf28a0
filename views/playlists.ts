/** Texts and keyboards of the playlist feature (their callback data: views/callbacks.ts). */
import { InlineKeyboard } from "grammy";
import { buildCallback } from "./callbacks.ts";
import {
  MAX_PLAYLISTS_PER_USER,
  type Playlist,
  PlaylistError,
  type PlaylistRole,
  type PlaylistSummary,
} from "../kv/playlists.ts";
import { MAX_ITEMS, type PlaylistItem } from "../kv/playlist_items.ts";
import { type InviteRole, type PlaylistMember } from "../kv/playlist_members.ts";
import { escapeHtml, formatDuration, truncate } from "../lib/format.ts";
import { can, PlaylistForbiddenError } from "../kv/playlist_roles.ts";
import type { Translate } from "../i18n/translations.ts";
import type { PlaylistChoice } from "../kv/playlist_choices.ts";

export const ITEMS_PER_PAGE = 10;
/** longer URLs are shown without a link, so a page of items stays within a message */
const LINKED_URL_MAX = 300;

/** How the viewer reached the playlist: as a collaborator, or through its public link. */
export type PlaylistRef = { kind: "member" } | { kind: "share"; token: string };

export function roleName(t: Translate, role: PlaylistRole): string {
  return t(`playlist-role-${role}`);
}

/** The data of a button that opens the playlist at its first page. */
function openData(playlistId: string): string {
  return buildCallback("playlistOpen", { playlistId });
}

function name(playlist: Pick<Playlist, "name">): string {
  return escapeHtml(truncate(playlist.name, 64));
}

export function renderPlaylistList(
  t: Translate,
  summaries: PlaylistSummary[],
): { text: string; keyboard: InlineKeyboard } {
  const keyboard = new InlineKeyboard();
  if (summaries.length === 0) return { text: t("playlist-list-empty"), keyboard };
  const lines = summaries.map(({ playlist, role, itemCount }, i) =>
    t("playlist-list-item", {
      number: i + 1,
      icon: role === "owner" ? "📁" : "👥",
      name: name(playlist),
      items: t("playlist-items-count", { count: itemCount }),
      role: role === "owner" ? "" : ` · ${roleName(t, role)}`,
    })
  );
  summaries.forEach(({ playlist }, i) => {
    keyboard.text(`${i + 1}. ${truncate(playlist.name, 30)}`, openData(playlist.id));
    if (i % 2 === 1) keyboard.row();
  });
  return { text: [t("playlist-list-title"), "", ...lines].join("\n"), keyboard };
}

export interface PlaylistViewInput {
  playlist: Playlist;
  role?: PlaylistRole;
  /** the page's items, and how many the playlist has */
  items: PlaylistItem[];
  itemCount: number;
  page: number;
  /** where the previous page starts ("" for the first) and the next ("" when none) */
  previous?: string;
  next: string;
  ref: PlaylistRef;
}

function pageCount(items: number): number {
  return Math.max(1, Math.ceil(items / ITEMS_PER_PAGE));
}

export function renderPlaylistView(
  t: Translate,
  input: PlaylistViewInput,
): { text: string; keyboard: InlineKeyboard } {
  const { playlist, role, items: shown, itemCount, ref } = input;
  const pages = Math.max(pageCount(itemCount), input.page + 1);
  const page = input.page;
  const lines = [`📁 <b>${name(playlist)}</b>`];
  if (playlist.description) lines.push(`<i>${escapeHtml(truncate(playlist.description, 300))}</i>`);
  lines.push(t("playlist-view-owner", {
    owner: escapeHtml(truncate(playlist.ownerName, 40)),
    items: t("playlist-items-count", { count: itemCount }),
    visibility: t(playlist.isPublic ? "playlist-public" : "playlist-private"),
  }));
  lines.push(
    ref.kind === "share"
      ? t("playlist-shared-by")
      : t("playlist-your-role", { role: role ? roleName(t, role) : "—" }),
  );
  lines.push("");
  if (shown.length === 0) lines.push(t("playlist-empty"));
  shown.forEach((item, i) => lines.push(renderItemLine(item, page * ITEMS_PER_PAGE + i + 1)));
  if (pages > 1) lines.push("", t("playlist-page", { page: page + 1, pages }));

  const keyboard = new InlineKeyboard();
  // a page after the first is opened from its first item on
  const at = (to: number, start: string) => start ? { page: to, start } : { page: 0 };
  const open = (to: number, start: string) =>
    ref.kind === "share"
      ? buildCallback("sharedOpen", { token: ref.token, ...at(to, start) })
      : buildCallback("playlistOpen", { playlistId: playlist.id, ...at(to, start) });
  if (ref.kind === "member" && can(role, "reorder")) {
    shown.forEach((item, i) => {
      const index = page * ITEMS_PER_PAGE + i;
      keyboard.text(
        String(index + 1),
        buildCallback("playlistItem", {
          action: "open",
          playlistId: playlist.id,
          itemId: item.id,
          index,
        }),
      );
      if (i % 5 === 4) keyboard.row();
    });
    keyboard.row();
  }
  const hasPrevious = page > 0 && input.previous !== undefined;
  if (hasPrevious) keyboard.text("◀️", open(page - 1, input.previous!));
  if (input.next) keyboard.text("▶️", open(page + 1, input.next));
  if (hasPrevious || input.next) keyboard.row();
  if (ref.kind === "share") {
    const { token } = ref;
    if (itemCount > 0) {
      keyboard.text(t("playlist-button-download-all"), buildCallback("sharedDownload", { token }));
    }
    keyboard.text(t("playlist-button-copy"), buildCallback("sharedCopy", { token }));
    return { text: lines.join("\n"), keyboard };
  }
  const playlistId = playlist.id;
  if (itemCount > 0 && can(role, "download")) {
    keyboard.text(
      t("playlist-button-download-all"),
      buildCallback("playlistDownload", { playlistId }),
    ).row();
  }
  if (can(role, "share")) {
    keyboard.text(t("playlist-button-share"), buildCallback("playlistShare", { playlistId }))
      .text(t("playlist-button-invite"), buildCallback("playlistInvite", { playlistId }))
      .text(t("playlist-button-members"), buildCallback("playlistMembers", { playlistId }))
      .row()
      .text(
        t("playlist-button-rename"),
        buildCallback("playlistAsk", { question: "rename", playlistId }),
      )
      .text(
        t("playlist-button-describe"),
        buildCallback("playlistAsk", { question: "describe", playlistId }),
      )
      .row();
  }
  if (can(role, "delete")) {
    keyboard.text(t("playlist-button-delete"), buildCallback("playlistDelete", { playlistId }));
  } else if (role) {
    keyboard.text(t("playlist-button-leave"), buildCallback("playlistLeave", { playlistId }));
  }
  keyboard.text(t("playlist-button-back"), buildCallback("playlistList"));
  return { text: lines.join("\n"), keyboard };
}

function renderItemLine(item: PlaylistItem, number: number): string {
  const title = escapeHtml(truncate(item.info.title, 60));
  const url = item.info.webpageUrl || item.url;
  const linked = url.length <= LINKED_URL_MAX && /^https?:\/\//i.test(url)
    ? `<a href="${escapeHtml(url)}">${title}</a>`
    : title;
  const duration = item.info.duration ? ` · ${formatDuration(item.info.duration)}` : "";
  return `${number}. ${linked}${duration}`;
}

/** One item: `index` is where it stands, `pageStart` the first item of its page ("" the first). */
export function renderItemView(
  t: Translate,
  playlist: Playlist,
  item: PlaylistItem,
  place: { index: number; total: number; pageStart: string },
): { text: string; keyboard: InlineKeyboard } {
  const { index, total } = place;
  const lines = [`🎬 <b>${escapeHtml(truncate(item.info.title, 200))}</b>`];
  const details = [
    item.info.duration ? `⏱ ${formatDuration(item.info.duration)}` : "",
    item.info.uploader ? `👤 ${escapeHtml(truncate(item.info.uploader, 80))}` : "",
  ].filter(Boolean);
  if (details.length > 0) lines.push(details.join(" · "));
  lines.push("", t("playlist-item-position", { number: index + 1, total, name: name(playlist) }));
  const ids = { playlistId: playlist.id, itemId: item.id };
  const page = Math.floor(index / ITEMS_PER_PAGE);
  const back = place.pageStart ? { page, start: place.pageStart } : { page: 0 };
  const keyboard = new InlineKeyboard()
    .text(t("playlist-button-up"), buildCallback("playlistItem", { action: "up", ...ids, index }))
    .text(
      t("playlist-button-down"),
      buildCallback("playlistItem", { action: "down", ...ids, index }),
    )
    .text(t("playlist-button-remove"), buildCallback("playlistItem", { action: "remove", ...ids }))
    .row()
    .text(
      t("playlist-button-back"),
      buildCallback("playlistOpen", { playlistId: playlist.id, ...back }),
    );
  return { text: lines.join("\n"), keyboard };
}

export function renderShare(
  t: Translate,
  playlist: Playlist,
  links: { page: string; deepLink: string; app?: string },
): { text: string; keyboard: InlineKeyboard } {
  const text = t("playlist-share-text", {
    name: name(playlist),
    page: escapeHtml(links.page),
    deepLink: escapeHtml(links.deepLink),
  });
  const keyboard = new InlineKeyboard();
  // Telegram opens Mini Apps from https only
  if (links.app) keyboard.webApp(t("playlist-button-open-app"), links.app).row();
  keyboard.text(
    t("playlist-button-revoke"),
    buildCallback("playlistRevoke", { playlistId: playlist.id }),
  )
    .text(t("playlist-button-back"), openData(playlist.id));
  return { text, keyboard };
}

export function renderInviteChoice(
  t: Translate,
  playlist: Playlist,
): { text: string; keyboard: InlineKeyboard } {
  const roles: InviteRole[] = ["view", "edit", "admin"];
  const keyboard = new InlineKeyboard();
  for (const role of roles) {
    keyboard.text(
      t(`playlist-button-role-${role}`),
      buildCallback("playlistInviteAs", { playlistId: playlist.id, role }),
    );
  }
  keyboard.row().text(t("playlist-button-back"), openData(playlist.id));
  return { text: t("playlist-invite-choose", { name: name(playlist) }), keyboard };
}

export function renderMembers(
  t: Translate,
  playlist: Playlist,
  members: PlaylistMember[],
  viewer: { userId: number; role?: PlaylistRole },
): { text: string; keyboard: InlineKeyboard } {
  const lines = members.map((member) =>
    t("playlist-member-line", {
      name: escapeHtml(truncate(member.name, 40)),
      role: roleName(t, member.role),
    })
  );
  const keyboard = new InlineKeyboard();
  for (const member of members) {
    if (member.role === "owner" || member.userId === viewer.userId) continue;
    const who = { playlistId: playlist.id, userId: member.userId };
    const outranks = viewer.role === "owner" ||
      (can(viewer.role, "remove_member") && member.role !== "admin");
    if (outranks) {
      keyboard.text(
        `✖️ ${truncate(member.name, 20)}`,
        buildCallback("playlistMember", { action: "remove", ...who }),
      );
    }
    if (can(viewer.role, "transfer")) {
      keyboard.text(
        `${t("playlist-button-make-owner")}: ${truncate(member.name, 20)}`,
        buildCallback("playlistMember", { action: "transfer", ...who }),
      );
    }
    keyboard.row();
  }
  keyboard.text(t("playlist-button-back"), openData(playlist.id));
  return {
    text: [t("playlist-members-title", { name: name(playlist) }), "", ...lines].join("\n"),
    keyboard,
  };
}

export function renderAddChoice(
  t: Translate,
  title: string,
  previewId: string,
  playlists: Playlist[],
): { text: string; keyboard: InlineKeyboard } {
  const keyboard = new InlineKeyboard();
  for (const playlist of playlists) {
    keyboard.text(
      `📁 ${truncate(playlist.name, 40)}`,
      buildCallback("playlistAdd", { previewId, target: playlist.id }),
    ).row();
  }
  keyboard.text(
    t("playlist-button-new"),
    buildCallback("playlistAdd", { previewId, target: "new" }),
  );
  return { text: t("playlist-choose", { title: escapeHtml(truncate(title, 100)) }), keyboard };
}

/** playlists a page of "which playlist?" buttons shows */
const CHOICES_PER_PAGE = 8;

/** "Share which playlist?": one button per playlist the command may act on, a page at a time. */
export function renderPlaylistChoice(
  t: Translate,
  choice: PlaylistChoice,
  playlists: Pick<Playlist, "id" | "name">[],
  page: number,
): { text: string; keyboard: InlineKeyboard } {
  const pages = Math.max(1, Math.ceil(playlists.length / CHOICES_PER_PAGE));
  const at = Math.min(Math.max(0, page), pages - 1);
  const lines = [
    t(`playlist-choose-${choice.action}`, {
      link: escapeHtml(truncate(choice.url ?? "", 100)),
      number: choice.itemNumber ?? 0,
    }),
  ];
  if (pages > 1) lines.push(t("playlist-page", { page: at + 1, pages }));
  const keyboard = new InlineKeyboard();
  for (const playlist of playlists.slice(at * CHOICES_PER_PAGE, (at + 1) * CHOICES_PER_PAGE)) {
    keyboard.text(
      `📁 ${truncate(playlist.name, 40)}`,
      buildCallback("playlistChoose", { choiceId: choice.id, playlistId: playlist.id }),
    ).row();
  }
  if (at > 0) {
    keyboard.text("◀️", buildCallback("playlistChoicePage", { choiceId: choice.id, page: at - 1 }));
  }
  if (at < pages - 1) {
    keyboard.text("▶️", buildCallback("playlistChoicePage", { choiceId: choice.id, page: at + 1 }));
  }
  return { text: lines.join("\n"), keyboard };
}

export function confirmKeyboard(t: Translate, yes: { label: string; data: string }, back: string) {
  return new InlineKeyboard().text(yes.label, yes.data).text(t("playlist-button-keep"), back);
}

export function openPlaylistKeyboard(playlist: Playlist) {
  return new InlineKeyboard().text(`📁 ${truncate(playlist.name, 40)}`, openData(playlist.id));
}

export function playlistName(playlist: Pick<Playlist, "name">): string {
  return name(playlist);
}

/** What to tell the user when a playlist action failed for a reason they can act on. */
export function playlistErrorText(t: Translate, error: unknown): string | undefined {
  if (error instanceof PlaylistForbiddenError) return t("playlist-forbidden");
  if (!(error instanceof PlaylistError)) return undefined;
  switch (error.code) {
    case "not_found":
      return t("playlist-not-found");
    case "full":
      return t("playlist-full", { max: MAX_ITEMS });
    case "too_many_playlists":
      return t("playlist-too-many", { max: MAX_PLAYLISTS_PER_USER });
    case "conflict":
      return t("playlist-busy");
    default:
      return t("playlist-invalid");
  }
}

export function backToListKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("playlist-button-back"), buildCallback("playlistList"));
}

/** "Delete <name> and its N items?", with the confirming button and a way back. */
export function renderDeleteConfirm(
  t: Translate,
  playlist: Playlist,
  count: number,
): { text: string; keyboard: InlineKeyboard } {
  return {
    text: t("playlist-delete-confirm", {
      name: playlistName(playlist),
      items: t("playlist-items-count", { count }),
    }),
    keyboard: confirmKeyboard(
      t,
      {
        label: t("playlist-button-confirm-delete"),
        data: buildCallback("playlistDeleteConfirmed", { playlistId: playlist.id }),
      },
      openData(playlist.id),
    ),
  };
}
