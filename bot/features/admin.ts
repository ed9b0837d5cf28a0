import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import { isAdmin } from "./menu.ts";

export const adminFeature = new Composer<BotContext>();

async function replyWithAdmin(ctx: BotContext) {
  if (!isAdmin(ctx)) {
    await ctx.reply(ctx.t("error-forbidden"));
    return;
  }
  const counts = await ctx.deps.queue.countByState();
  const files = ctx.deps.media.stats.files;
  await ctx.reply(
    [
      ctx.t("admin-title"),
      "",
      ctx.t("admin-queue", counts),
      ctx.t("admin-cache", { hits: files.hits, total: files.hits + files.misses }),
    ].join("\n"),
    { parse_mode: "HTML" },
  );
}

adminFeature.command("admin", replyWithAdmin);
adminFeature.callbackQuery("menu:admin", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithAdmin(ctx);
});
