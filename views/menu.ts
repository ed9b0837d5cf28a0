/** The main menu: the account's plan and quota, and the features' buttons. */
import { InlineKeyboard } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../i18n/translations.ts";
import { formatBytes, renderProgressBar } from "../lib/format.ts";
import { formatDate } from "./dates.ts";

/** The menu's buttons, in order; admins get one more. */
const MENU_ENTRIES: readonly { key: string; data: string }[] = [
  { key: "button-download", data: "menu:download" },
  { key: "button-history", data: "menu:history" },
  { key: "button-stats", data: "menu:stats" },
  { key: "button-recommend", data: "menu:recommend" },
  { key: "button-premium", data: "menu:premium" },
  { key: "button-settings", data: "menu:settings" },
  { key: "button-profile", data: "menu:profile" },
  { key: "button-help", data: "menu:help" },
  { key: "button-news", data: "menu:news" },
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
    if (admin) keyboard.text(t("button-admin"), "menu:admin");
    markup = { inline_keyboard: keyboard.inline_keyboard };
    menuKeyboards.set(key, markup);
  }
  return markup;
}
