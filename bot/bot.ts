import {
  Bot,
  type BotConfig,
  BotError,
  Context,
  type Transformer,
  type WebhookReplyEnvelope,
} from "grammy";
import type { Update } from "grammy/types";
import { installApiDefaults, telegramClientOptions } from "../lib/telegram.ts";
import type { BotContext, BotDeps } from "./context.ts";
import { menuFeature, prefetchMenu } from "./features/menu.ts";
import { settingsFeature } from "./features/settings.ts";
import { premiumFeature } from "./features/premium.ts";
import { loadUser, rateLimit } from "./middleware.ts";
import { FeatureComposer } from "./composer.ts";
import { i18nMiddleware } from "./i18n.ts";
import { historyFeature } from "./features/history.ts";
import { statsFeature } from "./features/stats.ts";
import { recommendationsFeature } from "./features/recommendations.ts";
import { downloadFeature } from "./features/download.ts";
import { scheduleFeature } from "./features/schedule.ts";
import { batchFeature } from "./features/batch.ts";
import { cookiesFeature } from "./features/cookies.ts";
import { qualityFeature } from "./features/quality.ts";
import { adminFeature } from "./features/admin.ts";
import { recordFeature } from "./features/record.ts";
import { subtitlesFeature } from "./features/subtitles.ts";
import { translateFeature } from "./features/translate.ts";
import { linkFeature } from "./features/link.ts";
import { playlistFeature } from "./features/playlist.ts";
import { gamificationFeature } from "./features/gamification.ts";
import { shareFeature } from "./features/share.ts";
import { unhandledFeature } from "./features/unhandled.ts";
import { groupsFeature } from "./features/groups.ts";

/**
 * The updates the bot handles. Telegram keeps the last list it was given, for the webhook and for
 * getUpdates alike, so both name it: inline mode's two would otherwise never arrive.
 */
export const ALLOWED_UPDATES = [
  "message",
  "callback_query",
  "pre_checkout_query",
  "inline_query",
  "chosen_inline_result",
  // added to or removed from a group: welcome it, or stop sending there
  "my_chat_member",
] as const;

/**
 * grammY's Bot, except that an update's context calls the Bot API through the bot's own Api.
 * grammY builds an Api per update only to carry its webhook reply, which this bot replaces
 * (bot/webhook_reply.ts); those per-update clients were a large share of the app's garbage.
 */
class MediaBot extends Bot<BotContext> {
  override async handleUpdate(update: Update, envelope?: WebhookReplyEnvelope): Promise<void> {
    if (envelope) return await super.handleUpdate(update, envelope);
    const ctx = new Context(update, this.api, this.botInfo) as BotContext;
    try {
      await this.middleware()(ctx, () => Promise.resolve());
    } catch (error) {
      throw new BotError(error, ctx);
    }
  }
}

/**
 * The bot and its features. `apiTransformers` go under the app's own Bot API transformers, next to
 * the HTTP call: tests answer the calls there, seeing them as Telegram would.
 */
export function createBot(
  deps: BotDeps,
  botConfig: BotConfig<BotContext> = {},
  apiTransformers: Transformer[] = [],
): Bot<BotContext> {
  const bot = new MediaBot(deps.config.botToken, {
    ...botConfig,
    client: {
      ...telegramClientOptions(deps.config.telegramApiRoot),
      ...botConfig.client,
    },
  });
  bot.api.config.use(...apiTransformers);
  installApiDefaults(bot.api, deps.throttle);

  // one list of features rather than grammY's nested chain: see FeatureComposer
  const features = new FeatureComposer<BotContext>(
    // first: in groups only /dl and /help are answered, personal commands point to the private chat
    groupsFeature,
    // before the menu: it answers /start with a playlist's deep link payload
    playlistFeature,
    // before the menu too: it records /start ref_<code> invitations, then lets the menu answer
    gamificationFeature,
    // before the menu and links: /start sh_<token>, and our own results sent into the bot's chat
    shareFeature,
    menuFeature,
    settingsFeature,
    premiumFeature,
    historyFeature,
    statsFeature,
    recommendationsFeature,
    scheduleFeature,
    // before batches: an admin's cookies.txt is a .txt file too, which batches would read as links
    cookiesFeature,
    // before downloads: its /cancel drops a batch's waiting links, then lets theirs cancel the jobs
    batchFeature,
    downloadFeature,
    qualityFeature,
    adminFeature,
    recordFeature,
    subtitlesFeature,
    translateFeature,
    linkFeature,
    unhandledFeature,
  );
  // a flat list too, in front of the features: every update runs through these
  const pipeline = new FeatureComposer<BotContext>(
    (ctx, next) => {
      ctx.deps = deps;
      return next();
    },
    loadUser(prefetchMenu),
    i18nMiddleware(deps.i18n),
    rateLimit,
  );
  pipeline.errorBoundary(async (error) => {
    deps.logger.error("update failed", {
      error: error.error,
      updateId: error.ctx.update.update_id,
    });
    const ctx = error.ctx;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
    if (ctx.chat) await ctx.reply(ctx.t("error-generic")).catch(() => {});
  }, features);
  bot.use(pipeline);

  bot.catch((error) => deps.logger.error("update failed", { error: error.error }));
  return bot;
}
