/** A /history or /recommend button: the stored file again, or its link's preview. */
import { redeliver as redeliverStored, type StoredMedia } from "../services/redeliver.ts";
import type { RequestSource } from "../services/events.ts";
import { timezoneOf } from "../services/account.ts";
import type { BotContext } from "./context.ts";
import { refuseRequest } from "./job_requests.ts";
import { offerPreview } from "./preview_request.ts";

/** Answers the callback query exactly once, whatever happens to the cached file. */
export async function redeliver(
  ctx: BotContext,
  stored: StoredMedia,
  source: RequestSource,
): Promise<void> {
  const userId = ctx.from!.id;
  let answered = false;
  const outcome = await redeliverStored(ctx.deps, {
    api: ctx.api,
    userId,
    user: ctx.user,
    chatId: ctx.chat?.id ?? userId,
    lang: ctx.i18n.getLocale(),
    key: `cb:${ctx.callbackQuery!.id}`,
    botUsername: ctx.me.username,
    t: ctx.t,
    stored,
    source,
    beforeSend: async () => {
      answered = true;
      await ctx.answerCallbackQuery(ctx.t("download-cached"));
    },
  });
  if (outcome.kind === "refused") {
    await refuseRequest(ctx, timezoneOf(ctx.deps.config, ctx.user), outcome.refusal);
  } else if (outcome.kind === "missing") {
    // Telegram no longer has the file, or it was never cached: the link's preview instead
    if (!answered) await ctx.answerCallbackQuery().catch(() => {});
    await offerPreview(ctx, stored.url);
  }
}
