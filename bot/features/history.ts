/**
 * /history: the user's downloads, a page at a time, filtered by kind; each item can be sent
 * again (by file_id, a cache hit) or removed. Callback data carries ULIDs, never URLs.
 */
import { GrammyError, InlineKeyboard } from "grammy";
import {
  getHistoryEntry,
  getHistoryTotals,
  type HistoryFilter,
  listHistoryPage,
  removeHistoryEntry,
} from "../../kv/history.ts";
import { renderHistory } from "../../views/history.ts";
import type { BotContext } from "../context.ts";
import { redeliver } from "../redeliver.ts";
import { timezoneOf } from "../../services/account.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { showScreen } from "../in_place.ts";

export const historyFeature = new FeatureComposer<BotContext>();

const HISTORY_PAGE_SIZE = 5;

/** The page the user asked for, or the newest when the last item of that page was removed. */
async function loadHistory(
  ctx: BotContext,
  filter: HistoryFilter,
  from?: string,
): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const userId = ctx.from!.id;
  const { kv, config } = ctx.deps;
  let page = await listHistoryPage(kv, userId, { filter, from, limit: HISTORY_PAGE_SIZE });
  if (page.entries.length === 0 && from) {
    page = await listHistoryPage(kv, userId, { filter, limit: HISTORY_PAGE_SIZE });
    from = undefined;
  }
  return renderHistory(ctx.t, ctx.i18n.getLocale(), {
    filter,
    from,
    page,
    totals: await getHistoryTotals(kv, userId),
    timezone: timezoneOf(config, ctx.user),
  });
}

/** The newest page: a new message for /history, in place of the menu for its button. */
async function showHistory(ctx: BotContext) {
  if (!ctx.from) return;
  const { text, keyboard } = await loadHistory(ctx, "all");
  await showScreen(ctx, text, {
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

async function showPage(ctx: BotContext, filter: HistoryFilter, from?: string) {
  const { text, keyboard } = await loadHistory(ctx, filter, from);
  try {
    await ctx.editMessageText(text, {
      reply_markup: keyboard,
      link_preview_options: { is_disabled: true },
    });
  } catch (error) {
    // pressing the filter that is already shown changes nothing
    if (!(error instanceof GrammyError && /not modified/.test(error.description))) throw error;
  }
}

historyFeature.command("history", showHistory);
onCallback(historyFeature, "menuHistory", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showHistory(ctx);
});

onCallback(historyFeature, "historyPage", async (ctx, { filter, from }) => {
  await ctx.answerCallbackQuery();
  await showPage(ctx, filter, from);
});

onCallback(historyFeature, "historySend", async (ctx, { entryId }) => {
  const entry = await getHistoryEntry(ctx.deps.kv, ctx.from.id, entryId);
  if (!entry) {
    await ctx.answerCallbackQuery({ text: ctx.t("history-gone"), show_alert: true });
    return;
  }
  await redeliver(ctx, entry, "history");
});

onCallback(historyFeature, "historyRemove", async (ctx, { filter, entryId, from }) => {
  const removed = await removeHistoryEntry(ctx.deps.kv, ctx.from.id, entryId);
  await ctx.answerCallbackQuery(ctx.t(removed ? "history-removed" : "history-gone"));
  await showPage(ctx, filter, from);
});
