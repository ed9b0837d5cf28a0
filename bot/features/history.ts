import { Composer } from "grammy";
import { listRecentHistory } from "../../kv/history.ts";
import { escapeHtml, formatBytes, truncate } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";

export const historyFeature = new Composer<BotContext>();

const KIND_ICONS = { video: "🎬", audio: "🎵", document: "📄" } as const;

export async function replyWithHistory(ctx: BotContext) {
  if (!ctx.from) return;
  const entries = await listRecentHistory(ctx.deps.kv, ctx.from.id, 10);
  if (entries.length === 0) {
    await ctx.reply(ctx.t("history-empty"));
    return;
  }
  const locale = await ctx.i18n.getLocale();
  const dateFormat = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: ctx.deps.config.defaultTimezone,
  });
  const items = entries.map((entry) =>
    ctx.t("history-item", {
      icon: KIND_ICONS[entry.kind],
      title: escapeHtml(truncate(entry.title, 60)),
      date: dateFormat.format(entry.at),
      size: formatBytes(entry.size, locale),
    })
  );
  await ctx.reply([ctx.t("history-title"), "", ...items].join("\n\n"), {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
  });
}

historyFeature.command("history", replyWithHistory);
historyFeature.callbackQuery("menu:history", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithHistory(ctx);
});
