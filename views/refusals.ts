/** What a refused request tells the user: the limit it reached, what is left and when it frees up. */
import type { Translate } from "../i18n/translations.ts";
import { formatBytes } from "../lib/format.ts";
import type { BusyRefusal } from "../kv/job_limits.ts";
import type { QuotaRefusal } from "../kv/quota.ts";
import type { UrlRefusal } from "../lib/url_guard.ts";
import { formatLocalTime } from "./dates.ts";

/** What a refusal tells the user: the limit reached, what is left and when it frees up. */
export function refusalText(
  t: Translate,
  locale: string,
  timezone: string,
  refusal: BusyRefusal | QuotaRefusal,
): string {
  if (refusal.reason === "busy") {
    return t(refusal.heavy ? "limit-heavy" : "limit-places", { limit: refusal.limit });
  }
  const amounts = {
    left: formatBytes(refusal.leftBytes, locale),
    limit: formatBytes(refusal.limitBytes, locale),
  };
  return refusal.freesAt === undefined
    ? t("quota-exceeded-held", amounts)
    : t("quota-exceeded", { ...amounts, at: formatLocalTime(locale, timezone, refusal.freesAt) });
}

/** The few words of a refusal that fit a callback query's answer. */
export function refusalShortText(t: Translate, refusal: BusyRefusal | QuotaRefusal): string {
  return t(refusal.reason === "busy" ? "limit-short" : "quota-exceeded-short");
}

/** The message for a link the URL guard refused. */
export const URL_REFUSAL_MESSAGES: Record<UrlRefusal, string> = {
  not_a_url: "error-bad-link",
  bad_scheme: "error-bad-link",
  credentials: "error-bad-link",
  too_long: "error-bad-link",
  private_address: "error-private-link",
  unresolvable: "error-unresolvable",
};

/** The few words of a URL refusal that fit above an inline query's results. */
export const URL_REFUSAL_INLINE: Record<UrlRefusal, string> = {
  not_a_url: "inline-refused-link",
  bad_scheme: "inline-refused-link",
  credentials: "inline-refused-link",
  too_long: "inline-refused-link",
  private_address: "inline-refused-private",
  unresolvable: "inline-refused-unresolvable",
};
