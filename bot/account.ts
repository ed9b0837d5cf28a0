/** A user's plan, limits and local time, as the bot shows and applies them. */
import type { Config } from "../config.ts";
import { planOf, type UserProfile } from "../kv/users.ts";
import { nextLocalMidnight } from "../lib/time.ts";
import type { BotContext } from "./context.ts";

export function isAdmin(ctx: BotContext): boolean {
  return ctx.from !== undefined &&
    (ctx.deps.config.adminIds.includes(ctx.from.id) || ctx.user?.role === "admin");
}

export function quotaLimit(
  config: Config,
  user: UserProfile | undefined,
  now = Date.now(),
): number {
  return user && planOf(user, now) === "premium" ? config.premiumQuotaBytes : config.freeQuotaBytes;
}

export function timezoneOf(config: Config, user: UserProfile | undefined): string {
  return user?.timezone ?? config.defaultTimezone;
}

/** "23:59" style local time of the next quota reset, with the zone's name. */
export function quotaResetTime(locale: string, timezone: string, now = Date.now()): string {
  const reset = nextLocalMidnight(now, timezone);
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: timezone,
  }).format(reset) + ` (${timezone})`;
}

export function formatDate(locale: string, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: timezone }).format(at);
}
