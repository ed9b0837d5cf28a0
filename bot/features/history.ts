/**
 * /history: the user's downloads, a page at a time, filtered by kind; each item can be sent
 * again (by file_id, a cache hit) or removed. Callback data carries ULIDs, never URLs.
 */
import { GrammyError, InlineKeyboard } from "grammy";
import {
  getHistoryEntry,
  getHistoryTotals,
  type HistoryEntry,
  type HistoryFilter,
  listHistoryPage,
  removeHistoryEntry,
} from "../../kv/history.ts";
import { escapeHtml, formatBytes, truncate } from "../../lib/format.ts";
import type { MediaKind } from "../../media/media_types.ts";
import type { BotContext } from "../context.ts";
import { redeliver } from "../redeliver.ts";
import { timezoneOf } from "../../services/account.ts";
import { FeatureComposer } from "../composer.ts";

export const historyFeature = new FeatureComposer<BotContext>();

export const HISTORY_PAGE_SIZE = 5;

const KIND_ICONS: Record<MediaKind, string> = { video: "🎬", audio: "🎵", document: "📄" };
/** one letter per filter keeps callback data short */
const FILTER_CODES: Record<HistoryFilter, string> = {
  all: "a",
  video: "v",
  audio: "u",
  document: "d",
};
const FILTERS_BY_CODE = Object.fromEntries(
  Object.entries(FILTER_CODES).map(([filter, code]) => [code, filter as HistoryFilter]),
);

function pageData(filter: HistoryFilter, from?: string): string {
  return `hp:${FILTER_CODES[filter]}${from ? `:${from}` : ""}`;
}

async function renderHistory(
  ctx: BotContext,
  filter: HistoryFilter,
  from?: string,
): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const userId = ctx.from!.id;
  const { kv, config } = ctx.deps;
  let page = await listHistoryPage(kv, userId, { filter, from, limit: HISTORY_PAGE_SIZE });
  // the last item of a page was removed: show the newest page instead of an empty one
  if (page.entries.length === 0 && from) {
    page = await listHistoryPage(kv, userId, { filter, limit: HISTORY_PAGE_SIZE });
    from = undefined;
  }
  const totals = await getHistoryTotals(kv, userId);
  const locale = ctx.i18n.getLocale();
  const lines = [
    ctx.t("history-title"),
    ctx.t("history-totals", {
      downloads: totals.downloads,
      bytes: formatBytes(totals.bytes, locale),
      videos: totals.byKind.video,
      audio: totals.byKind.audio,
      files: totals.byKind.document,
    }),
    "",
  ];
  const keyboard = new InlineKeyboard();
  if (page.entries.length === 0) {
    lines.push(ctx.t(filter === "all" ? "history-empty" : "history-empty-filter"));
  }
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: timezoneOf(config, ctx.user),
  });
  page.entries.forEach((entry: HistoryEntry, i) => {
    const number = i + 1;
    lines.push(
      ctx.t("history-item", {
        icon: `${number}. ${KIND_ICONS[entry.kind]}`,
        title: `<a href="${escapeHtml(entry.url)}">${escapeHtml(truncate(entry.title, 60))}</a>`,
        date: dateFormat.format(entry.at),
        size: formatBytes(entry.size, locale),
      }),
      "",
    );
    keyboard
      .text(
        ctx.t("history-button-download", { number, title: truncate(entry.title, 24) }),
        `hd:${entry.id}`,
      )
      .text(
        ctx.t("history-button-remove", { number }),
        `hr:${FILTER_CODES[filter]}:${entry.id}${from ? `:${from}` : ""}`,
      )
      .row();
  });
  for (const option of Object.keys(FILTER_CODES) as HistoryFilter[]) {
    const label = ctx.t(`history-filter-${option}`);
    keyboard.text(option === filter ? `• ${label} •` : label, pageData(option));
  }
  keyboard.row();
  if (page.newer) keyboard.text(ctx.t("history-newer"), pageData(filter, page.newer.from));
  if (page.older) keyboard.text(ctx.t("history-older"), pageData(filter, page.older));
  return { text: lines.join("\n").trimEnd(), keyboard };
}

async function replyWithHistory(ctx: BotContext) {
  if (!ctx.from) return;
  const { text, keyboard } = await renderHistory(ctx, "all");
  await ctx.reply(text, {
    parse_mode: "HTML",
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

async function showPage(ctx: BotContext, filter: HistoryFilter, from?: string) {
  const { text, keyboard } = await renderHistory(ctx, filter, from);
  try {
    await ctx.editMessageText(text, {
      parse_mode: "HTML",
      reply_markup: keyboard,
      link_preview_options: { is_disabled: true },
    });
  } catch (error) {
    // pressing the filter that is already shown changes nothing
    if (!(error instanceof GrammyError && /not modified/.test(error.description))) throw error;
  }
}

historyFeature.command("history", replyWithHistory);
historyFeature.callbackQuery("menu:history", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithHistory(ctx);
});

historyFeature.callbackQuery(/^hp:([avud])(?::([0-9A-Z]{26}))?$/, async (ctx) => {
  await ctx.answerCallbackQuery();
  await showPage(ctx, FILTERS_BY_CODE[ctx.match[1]], ctx.match[2]);
});

historyFeature.callbackQuery(/^hd:([0-9A-Z]{26})$/, async (ctx) => {
  const entry = await getHistoryEntry(ctx.deps.kv, ctx.from.id, ctx.match[1]);
  if (!entry) {
    await ctx.answerCallbackQuery({ text: ctx.t("history-gone"), show_alert: true });
    return;
  }
  await redeliver(ctx, entry, "history");
});

historyFeature.callbackQuery(/^hr:([avud]):([0-9A-Z]{26})(?::([0-9A-Z]{26}))?$/, async (ctx) => {
  const removed = await removeHistoryEntry(ctx.deps.kv, ctx.from.id, ctx.match[2]);
  await ctx.answerCallbackQuery(ctx.t(removed ? "history-removed" : "history-gone"));
  await showPage(ctx, FILTERS_BY_CODE[ctx.match[1]], ctx.match[3]);
});
