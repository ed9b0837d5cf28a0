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

export const menuFeature = new FeatureComposer<BotContext>();

async function loadMenu(ctx: BotContext): Promise<MenuView> {
  const { config, reads, quota } = ctx.deps;
  const user = ctx.user;
  const timezone = timezoneOf(config, user);
  const limitBytes = quotaLimit(config, user);
  // one read for both: the menu is the most frequent answer
  const [ledgerEntry, legacyEntry, downloadsEntry] = await reads.getMany<
    [unknown, unknown, Deno.KvU64]
  >([...quota.usageKeys(ctx.from!.id, timezone), downloadsCountKey(ctx.from!.id)]);
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
