import { Bot, type BotConfig } from "grammy";
import { installResilience } from "../lib/telegram.ts";
import type { BotContext, BotDeps } from "./context.ts";
import { menuFeature } from "./features/menu.ts";
import { historyFeature } from "./features/history.ts";
import { downloadFeature } from "./features/download.ts";
import { adminFeature } from "./features/admin.ts";
import { linkFeature } from "./features/link.ts";
import { unhandledFeature } from "./features/unhandled.ts";

export const BOT_COMMANDS = {
  en: [
    { command: "start", description: "Main menu" },
    { command: "history", description: "Your last downloads" },
    { command: "cancel", description: "Stop running downloads" },
    { command: "help", description: "How it works" },
  ],
  fr: [
    { command: "start", description: "Menu principal" },
    { command: "history", description: "Vos derniers téléchargements" },
    { command: "cancel", description: "Arrêter les téléchargements" },
    { command: "help", description: "Comment ça marche" },
  ],
};

export function createBot(deps: BotDeps, botConfig: BotConfig<BotContext> = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.config.botToken, {
    ...botConfig,
    client: { apiRoot: deps.config.telegramApiRoot, ...botConfig.client },
  });
  installResilience(bot.api);

  bot.use((ctx, next) => {
    ctx.deps = deps;
    return next();
  });
  bot.use(deps.i18n);

  const features = bot.errorBoundary(async (error) => {
    deps.logger.error("update failed", {
      error: error.error,
      updateId: error.ctx.update.update_id,
    });
    const ctx = error.ctx;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
    if (ctx.chat) await ctx.reply(ctx.t("error-generic")).catch(() => {});
  });
  features.use(
    menuFeature,
    historyFeature,
    downloadFeature,
    adminFeature,
    linkFeature,
    unhandledFeature,
  );

  bot.catch((error) => deps.logger.error("update failed", { error: error.error }));
  return bot;
}
