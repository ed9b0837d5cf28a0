import type { NextFunction } from "grammy";
import type { BotContext } from "./context.ts";
import { userKey, type UserProfile } from "../kv/users.ts";
import { type HitCounts, hitCountsKey } from "../kv/rate_limits.ts";
import { type Prefetch, Prefetched } from "./prefetch.ts";

/**
 * Loads (or creates) the sender's profile, as KV has it now, with their rate-limit counts and
 * what `prefetch` says the update's handler will read, in the same read; blocked users get
 * nothing processed.
 */
export function loadUser(prefetch: Prefetch = () => []) {
  return async (ctx: BotContext, next: NextFunction): Promise<void> => {
    // the bot added to or removed from a group: recorded whoever did it, blocked or not
    if (!ctx.from || ctx.from.is_bot || ctx.myChatMember) return await next();
    const ahead = prefetch(ctx);
    const [profile, hitCounts, ...prefetched] = await ctx.deps.reads.getMany<
      [UserProfile, HitCounts, ...unknown[]]
    >([userKey(ctx.from.id), hitCountsKey(ctx.from.id), ...ahead]);
    ctx.hitCounts = hitCounts;
    if (ahead.length > 0) ctx.prefetched = new Prefetched(ahead, prefetched);
    const user = await ctx.deps.users.touch(ctx.from, profile);
    if (user.blocked) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
      return;
    }
    ctx.user = user;
    await next();
    if (ctx.chat) {
      ctx.deps.events.emit({
        type: "interaction",
        userId: user.id,
        key: `update:${ctx.update.update_id}`,
        chatId: ctx.chat.id,
        lang: ctx.i18n.getLocale(),
        at: Date.now(),
        timezone: user.timezone,
      });
    }
  };
}

/** A friendly answer, once per burst, to users who send faster than a person would. */
export async function rateLimit(ctx: BotContext, next: NextFunction): Promise<void> {
  if (
    !ctx.from || ctx.preCheckoutQuery || ctx.message?.successful_payment || ctx.myChatMember
  ) return await next();
  const { rateLimits, kv } = ctx.deps;
  const counts = ctx.hitCounts ?? await kv.get<HitCounts>(hitCountsKey(ctx.from.id));
  const waitMs = await rateLimits.hit(ctx.from.id, counts);
  if (waitMs === 0) return await next();
  const text = ctx.t("error-rate-limited", { seconds: Math.ceil(waitMs / 1000) });
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text }).catch(() => {});
  else if (ctx.inlineQuery) {
    // no lookup for a user over the limit: the answer says so above no results
    const button = {
      text: ctx.t("inline-rate-limited", { seconds: Math.ceil(waitMs / 1000) }),
      start_parameter: "inline",
    };
    await ctx.answerInlineQuery([], { cache_time: 0, is_personal: true, button }).catch(() => {});
  } else if (ctx.chat?.type === "private" && await rateLimits.shouldWarn(ctx.from.id)) {
    await ctx.reply(text);
  }
}
