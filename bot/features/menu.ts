/** /start, /menu, /help and News: the product's front door. */
import { downloadsCountKey } from "../../kv/history.ts";
import { activeJobLimitsFor } from "../../kv/job_limits.ts";
import { planOf } from "../../kv/users.ts";
import { PREMIUM_PLANS } from "../../kv/payments.ts";
import { formatBytes } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";
import { replyInWebhook } from "../webhook_reply.ts";
import { showScreen } from "../in_place.ts";
import { quotaLimit, timezoneOf } from "../../services/account.ts";
import { isAdmin } from "../account.ts";
import { type MenuView, renderMenu } from "../../views/menu.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { callbackPattern } from "../../views/callbacks.ts";
import type { Prefetch } from "../prefetch.ts";

export const menuFeature = new FeatureComposer<BotContext>();

/** What the menu reads: the user's quota usage (in their time zone) and downloads count. */
function menuKeys(
  ctx: BotContext,
  userId: number,
  timezone: string,
): [Deno.KvKey, Deno.KvKey, Deno.KvKey] {
  return [...ctx.deps.quota.usageKeys(userId, timezone), downloadsCountKey(userId)];
}

/**
 * The menu is the most frequent answer: its keys are read with the user (bot/prefetch.ts), in the
 * bot's default time zone, which most users keep.
 */
export const prefetchMenu: Prefetch = (ctx) => {
  const opensMenu = ctx.hasCommand(["start", "menu"]) ||
    callbackPattern("menuMain").test(ctx.callbackQuery?.data ?? "");
  return opensMenu && ctx.from ? menuKeys(ctx, ctx.from.id, ctx.deps.config.defaultTimezone) : [];
};

async function loadMenu(ctx: BotContext): Promise<MenuView> {
  const { config, reads, quota } = ctx.deps;
  const user = ctx.user;
  const timezone = timezoneOf(config, user);
  const limitBytes = quotaLimit(config, user);
  // one read for both, made with the user's when it was guessed right
  const keys = menuKeys(ctx, ctx.from!.id, timezone);
  type Read = [unknown, unknown, Deno.KvU64];
  const [ledgerEntry, legacyEntry, downloadsEntry] = ctx.prefetched?.take<Read>(keys) ??
    await reads.getMany<Read>(keys);
  const usage = quota.usageFrom([ledgerEntry, legacyEntry], limitBytes);
  return {
    timezone,
    premiumUntil: user !== undefined && planOf(user) === "premium" ? user.premiumUntil : undefined,
    // what running downloads reserved is already spoken for
    usedBytes: usage.usedBytes + usage.heldBytes,
    limitBytes,
    downloads: Number(downloadsEntry.value?.value ?? 0n),
    admin: isAdmin(ctx),
  };
}

/** The menu: a new message for a command, in place of the screen whose "⬅️ Menu" was pressed. */
async function showMenu(ctx: BotContext) {
  if (!ctx.from) return;
  const { text, keyboard } = renderMenu(ctx.t, ctx.i18n.getLocale(), await loadMenu(ctx));
  if (ctx.callbackQuery) await showScreen(ctx, text, { reply_markup: keyboard });
  else await replyInWebhook(ctx, text, { reply_markup: keyboard });
  const key = `update:${ctx.update.update_id}`;
  ctx.deps.events.emit({ type: "menu_opened", userId: ctx.from.id, key, menu: "main" });
}

async function replyWithHelp(ctx: BotContext) {
  const locale = ctx.i18n.getLocale();
  const { config } = ctx.deps;
  const premium = ctx.user !== undefined && planOf(ctx.user) === "premium";
  const limits = activeJobLimitsFor(ctx.user);
  const help = ctx.t("help-text", {
    plan: ctx.t(premium ? "plan-premium" : "plan-free"),
    maxUpload: formatBytes(config.maxUploadBytes, locale),
    quota: formatBytes(quotaLimit(config, ctx.user), locale),
    places: limits.places,
    heavy: limits.heavy,
    cheapest: Math.min(...PREMIUM_PLANS.map((p) => p.stars)),
    premiumQuota: formatBytes(config.premiumQuotaBytes, locale),
  });
  await replyInWebhook(
    ctx,
    isAdmin(ctx) ? `${help}\n\n${ctx.t("help-admin")}` : help,
    { link_preview_options: { is_disabled: true } },
  );
}

menuFeature.command(["start", "menu"], showMenu);
menuFeature.command("help", replyWithHelp);
onCallback(menuFeature, "menuHelp", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithHelp(ctx);
});
onCallback(menuFeature, "menuDownload", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("download-how"));
});
onCallback(menuFeature, "menuNews", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("news-text"));
});
onCallback(menuFeature, "menuMain", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showMenu(ctx);
});
