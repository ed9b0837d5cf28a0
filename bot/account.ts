/** A user's plan, limits and local time, as the bot shows and applies them. */
import type { Config } from "../config.ts";
import { planOf, type UserProfile } from "../kv/users.ts";
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

/** "25/11/2026 14:00 (Europe/Paris)": an instant in the user's zone, with the zone's name. */
export function formatLocalTime(locale: string, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: timezone,
  }).format(at) + ` (${timezone})`;
}

export function formatDate(locale: string, timezone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: timezone }).format(at);
}
