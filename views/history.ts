/** /history's page: the totals, five entries with their buttons, the filters and the paging. */
import { buildCallback, HISTORY_FILTER_CODES } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { HistoryEntry, HistoryFilter, HistoryPage, HistoryTotals } from "../kv/history.ts";
import type { Translate } from "../i18n/translations.ts";
import { escapeHtml, formatBytes, truncate } from "../lib/format.ts";
import type { MediaKind } from "../media/media_types.ts";

const KIND_ICONS: Record<MediaKind, string> = {
  video: "🎬",
  audio: "🎵",
  photo: "🖼",
  document: "📄",
};
const FILTERS = Object.keys(HISTORY_FILTER_CODES) as HistoryFilter[];

function historyPageData(filter: HistoryFilter, from?: string): string {
  return buildCallback("historyPage", { filter, ...(from ? { from } : {}) });
}

export interface HistoryView {
  filter: HistoryFilter;
  /** the page's first entry, unset on the newest page */
  from?: string;
  page: HistoryPage;
  totals: HistoryTotals;
  timezone: string;
}

export function renderHistory(
  t: Translate,
  locale: string,
  view: HistoryView,
): { text: string; keyboard: InlineKeyboard } {
  const { filter, from, page, totals } = view;
  const lines = [
    t("history-title"),
    t("history-totals", {
      downloads: totals.downloads,
      bytes: formatBytes(totals.bytes, locale),
      videos: totals.byKind.video,
      audio: totals.byKind.audio,
      images: totals.byKind.photo,
      files: totals.byKind.document,
    }),
    "",
  ];
  const keyboard = new InlineKeyboard();
  if (page.entries.length === 0) {
    lines.push(t(filter === "all" ? "history-empty" : "history-empty-filter"));
  }
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: view.timezone,
  });
  page.entries.forEach((entry: HistoryEntry, i) => {
    const number = i + 1;
    lines.push(
      t("history-item", {
        icon: `${number}. ${KIND_ICONS[entry.kind]}`,
        title: `<a href="${escapeHtml(entry.url)}">${escapeHtml(truncate(entry.title, 60))}</a>`,
        date: dateFormat.format(entry.at),
        size: formatBytes(entry.size, locale),
      }),
      "",
    );
    keyboard
      .text(
        t("history-button-download", { number, title: truncate(entry.title, 24) }),
        buildCallback("historySend", { entryId: entry.id }),
      )
      .text(
        t("history-button-remove", { number }),
        buildCallback("historyRemove", { filter, entryId: entry.id, ...(from ? { from } : {}) }),
      )
      .row();
  });
  for (const option of FILTERS) {
    const label = t(`history-filter-${option}`);
    keyboard.text(option === filter ? `• ${label} •` : label, historyPageData(option));
  }
  keyboard.row();
  if (page.newer) keyboard.text(t("history-newer"), historyPageData(filter, page.newer.from));
  if (page.older) keyboard.text(t("history-older"), historyPageData(filter, page.older));
  keyboard.row().text(t("button-menu"), buildCallback("menuMain"));
  return { text: lines.join("\n").trimEnd(), keyboard };
}
