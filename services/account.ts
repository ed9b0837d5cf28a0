/** A user's quota limit and time zone, from their plan and settings. */
import type { Config } from "../config.ts";
import { planOf, type UserProfile } from "../kv/users.ts";

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
