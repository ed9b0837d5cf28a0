import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";

/** Last in the chain: unknown commands and stray buttons get an answer, never silence. */
export const unhandledFeature = new FeatureComposer<BotContext>();

unhandledFeature.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("preview-expired") });
});

unhandledFeature.chatType("private").on("message", async (ctx) => {
  await ctx.reply(ctx.t("error-no-link"));
});
