/** /start, /menu, /help and News: the product's front door. */
import { InlineKeyboard } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { downloadsCountKey } from "../../kv/history.ts";
import { activeJobLimitsFor } from "../../kv/job_limits.ts";
import { planOf } from "../../kv/users.ts";
import { PREMIUM_PLANS } from "../../kv/payments.ts";
import { formatBytes, renderProgressBar } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";
import { replyInWebhook } from "../webhook_reply.ts";
import { quotaLimit, timezoneOf } from "../../services/account.ts";
import { isAdmin } from "../account.ts";
import { formatDate } from "../../views/dates.ts";
import { FeatureComposer } from "../composer.ts";

export const menuFeature = new FeatureComposer<BotContext>();

/** Buttons of features that exist; a feature adds itself here when it is installed. */
export const MENU_ENTRIES: { key: string; data: string }[] = [
  { key: "button-download", data: "menu:download" },
  { key: "button-history", data: "menu:history" },
  { key: "button-stats", data: "menu:stats" },
  { key: "button-recommend", data: "menu:recommend" },
  { key: "button-premium", data: "menu:premium" },
  { key: "button-settings", data: "menu:settings" },
  { key: "button-help", data: "menu:help" },
  { key: "button-news", data: "menu:news" },
];

export async function renderMenu(
  ctx: BotContext,
): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { config, reads, quota } = ctx.deps;
  const locale = ctx.i18n.getLocale();
  const user = ctx.user;
  const timezone = timezoneOf(config, user);
  const premium = user !== undefined && planOf(user) === "premium";
  const limit = quotaLimit(config, user);
  // one read for both: the menu is the most frequent answer
  const [ledgerEntry, legacyEntry, downloadsEntry] = await reads.getMany<
    [unknown, unknown, Deno.KvU64]
  >([...quota.usageKeys(ctx.from!.id, timezone), downloadsCountKey(ctx.from!.id)]);
  const usage = quota.usageFrom([ledgerEntry, legacyEntry], limit);
  // what running downloads reserved is already spoken for
  const used = usage.usedBytes + usage.heldBytes;
  const downloads = Number(downloadsEntry.value?.value ?? 0n);
  const text = [
    ctx.t("menu-title"),
    "",
    ctx.t("menu-account"),
    premium
      ? ctx.t("menu-status-premium", { until: formatDate(locale, timezone, user!.premiumUntil!) })
      : ctx.t("menu-status-free"),
    ctx.t("menu-quota", { used: formatBytes(used, locale), limit: formatBytes(limit, locale) }),
    `<code>${renderProgressBar(Math.min(100, (used / limit) * 100), 16)}</code>`,
    ctx.t("menu-downloads", { count: downloads }),
    "",
    ctx.t("menu-quick"),
    "",
    ctx.t("menu-sites"),
  ].join("\n");
  return { text, keyboard: menuKeyboard(ctx, locale) };
}

/**
 * The menu's buttons depend only on the language and on being an admin: built once for each,
 * and kept as plain markup, which JSON.stringify writes twice as fast as a class instance.
 */
const menuKeyboards = new Map<string, InlineKeyboardMarkup>();

function menuKeyboard(ctx: BotContext, locale: string): InlineKeyboardMarkup {
  const admin = isAdmin(ctx);
  const key = `${locale}:${admin}`;
  let markup = menuKeyboards.get(key);
  if (!markup) {
    const keyboard = new InlineKeyboard();
    MENU_ENTRIES.forEach((entry, i) => {
      keyboard.text(ctx.t(entry.key), entry.data);
      if (i % 2 === 1) keyboard.row();
    });
    if (MENU_ENTRIES.length % 2 === 1) keyboard.row();
    if (admin) keyboard.text(ctx.t("button-admin"), "menu:admin");
    markup = { inline_keyboard: keyboard.inline_keyboard };
    menuKeyboards.set(key, markup);
  }
  return markup;
}

export async function replyWithMenu(ctx: BotContext) {
  if (!ctx.from) return;
  const { text, keyboard } = await renderMenu(ctx);
  await replyInWebhook(ctx, text, { parse_mode: "HTML", reply_markup: keyboard });
  const key = `update:${ctx.update.update_id}`;
  ctx.deps.events.emit({ type: "menu_opened", userId: ctx.from.id, key, menu: "main" });
}

async function replyWithHelp(ctx: BotContext) {
  const locale = ctx.i18n.getLocale();
  const { config } = ctx.deps;
  const premium = ctx.user !== undefined && planOf(ctx.user) === "premium";
  const limits = activeJobLimitsFor(ctx.user);
  await replyInWebhook(
    ctx,
    ctx.t("help-text", {
      plan: ctx.t(premium ? "plan-premium" : "plan-free"),
      maxUpload: formatBytes(config.maxUploadBytes, locale),
      quota: formatBytes(quotaLimit(config, ctx.user), locale),
      places: limits.places,
      heavy: limits.heavy,
      cheapest: Math.min(...PREMIUM_PLANS.map((p) => p.stars)),
      premiumQuota: formatBytes(config.premiumQuotaBytes, locale),
    }),
    { parse_mode: "HTML", link_preview_options: { is_disabled: true } },
  );
}

menuFeature.command(["start", "menu"], replyWithMenu);
menuFeature.command("help", replyWithHelp);
menuFeature.callbackQuery("menu:help", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithHelp(ctx);
});
menuFeature.callbackQuery("menu:download", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("download-how"));
});
menuFeature.callbackQuery("menu:news", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("news-text"), { parse_mode: "HTML" });
});
menuFeature.callbackQuery("menu:main", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithMenu(ctx);
});
