/** /start, /menu and /help: the product's front door. */
import { Composer, InlineKeyboard } from "grammy";
import { getUsageSummary } from "../../kv/history.ts";
import { formatBytes } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";

export const menuFeature = new Composer<BotContext>();

export function isAdmin(ctx: BotContext): boolean {
  return ctx.from !== undefined && ctx.deps.config.adminIds.includes(ctx.from.id);
}

async function renderMenu(ctx: BotContext): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const locale = await ctx.i18n.getLocale();
  const usage = await getUsageSummary(ctx.deps.kv, ctx.from!.id);
  const text = [
    ctx.t("menu-title"),
    "",
    ctx.t("menu-account"),
    ctx.t("menu-status-free"),
    ctx.t("menu-quota", {
      used: formatBytes(usage.todayBytes, locale),
      limit: formatBytes(ctx.deps.config.freeQuotaBytes, locale),
    }),
    ctx.t("menu-downloads", { count: usage.downloads }),
    "",
    ctx.t("menu-quick"),
    "",
    ctx.t("menu-sites"),
  ].join("\n");
  const keyboard = new InlineKeyboard()
    .text(ctx.t("button-download"), "menu:download")
    .text(ctx.t("button-history"), "menu:history")
    .row()
    .text(ctx.t("button-help"), "menu:help");
  if (isAdmin(ctx)) keyboard.text(ctx.t("button-admin"), "menu:admin");
  return { text, keyboard };
}

async function replyWithMenu(ctx: BotContext) {
  if (!ctx.from) return;
  const { text, keyboard } = await renderMenu(ctx);
  await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboard });
}

async function replyWithHelp(ctx: BotContext) {
  const locale = await ctx.i18n.getLocale();
  await ctx.reply(
    ctx.t("help-text", {
      maxUpload: formatBytes(ctx.deps.config.maxUploadBytes, locale),
      quota: formatBytes(ctx.deps.config.freeQuotaBytes, locale),
    }),
    { parse_mode: "HTML" },
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
menuFeature.callbackQuery("menu:main", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithMenu(ctx);
});
