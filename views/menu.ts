/** The main menu: the account's plan and quota, and the features' buttons. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../i18n/translations.ts";
import { formatBytes, renderProgressBar } from "../lib/format.ts";
import { formatDate } from "./dates.ts";

/** The menu's buttons, two a row in the seed's pairs; admins get one more. */
export const MENU_ENTRIES: readonly { key: string; data: string }[] = [
  { key: "button-download", data: buildCallback("menuDownload") },
  { key: "button-history", data: buildCallback("menuHistory") },
  { key: "button-playlists", data: buildCallback("menuPlaylists") },
  { key: "button-stats", data: buildCallback("menuStats") },
  { key: "button-recommend", data: buildCallback("menuRecommend") },
  { key: "button-profile", data: buildCallback("menuProfile") },
  { key: "button-premium", data: buildCallback("menuPremium") },
  { key: "button-settings", data: buildCallback("menuSettings") },
  { key: "button-help", data: buildCallback("menuHelp") },
  { key: "button-news", data: buildCallback("menuNews") },
];

export interface MenuView {
  timezone: string;
  /** set for Premium users */
  premiumUntil?: number;
  /** received in the last 24 hours, plus what running jobs reserved */
  usedBytes: number;
  limitBytes: number;
  downloads: number;
  admin: boolean;
}

export function renderMenu(
  t: Translate,
  locale: string,
  view: MenuView,
): { text: string; keyboard: InlineKeyboardMarkup } {
  const { usedBytes: used, limitBytes: limit } = view;
  const text = [
    t("menu-title"),
    "",
    t("menu-account"),
    view.premiumUntil !== undefined
      ? t("menu-status-premium", { until: formatDate(locale, view.timezone, view.premiumUntil) })
      : t("menu-status-free"),
    t("menu-quota", { used: formatBytes(used, locale), limit: formatBytes(limit, locale) }),
    `<code>${renderProgressBar(Math.min(100, (used / limit) * 100), 16)}</code>`,
    t("menu-downloads", { count: view.downloads }),
    "",
    t("menu-quick"),
    "",
    t("menu-sites"),
  ].join("\n");
  return { text, keyboard: menuKeyboard(t, locale, view.admin) };
}

/**
 * The menu's buttons depend only on the language and on being an admin: built once for each,
 * and kept as plain markup, which JSON.stringify writes twice as fast as a class instance.
 */
const menuKeyboards = new Map<string, InlineKeyboardMarkup>();

function menuKeyboard(t: Translate, locale: string, admin: boolean): InlineKeyboardMarkup {
  const key = `${locale}:${admin}`;
  let markup = menuKeyboards.get(key);
  if (!markup) {
    const keyboard = new InlineKeyboard();
    MENU_ENTRIES.forEach((entry, i) => {
      keyboard.text(t(entry.key), entry.data);
      if (i % 2 === 1) keyboard.row();
    });
    if (MENU_ENTRIES.length % 2 === 1) keyboard.row();
    if (admin) keyboard.text(t("button-admin"), buildCallback("menuAdmin"));
    markup = { inline_keyboard: keyboard.inline_keyboard };
    menuKeyboards.set(key, markup);
  }
  return markup;
}
