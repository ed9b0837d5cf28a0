/** /cookies for admins: the stored sets with their remove buttons, an import's answer, staleness. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import type { CookieSet } from "../kv/cookies.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { formatDate } from "./dates.ts";

/** "youtube.com, *.google.com": the set's domains, a star where subdomains are included. */
function domainsOf(set: CookieSet): string {
  const names = set.domains.map(({ domain, subdomains }) => `${subdomains ? "*." : ""}${domain}`);
  return escapeHtml(truncate(names.join(", "), 120));
}

function expiryOf(t: Translate, locale: string, set: CookieSet, now: number): string {
  if (set.earliestExpiry === undefined) return t("cookies-session-only");
  const date = formatDate(locale, "UTC", set.earliestExpiry);
  return set.earliestExpiry <= now
    ? t("cookies-expired", { date })
    : t("cookies-expires", { date });
}

export function renderCookieSets(
  t: Translate,
  locale: string,
  sets: readonly CookieSet[],
  now = Date.now(),
): string {
  const lines = sets.map((set, i) =>
    [
      `${i + 1}. <b>${domainsOf(set)}</b>`,
      t("cookies-set-details", {
        count: set.cookieCount,
        who: escapeHtml(truncate(set.addedBy.name, 40)),
        date: formatDate(locale, "UTC", set.addedAt),
        expiry: expiryOf(t, locale, set, now),
      }),
      ...(set.stale ? [t("cookies-set-stale", { failures: set.failures })] : []),
    ].join("\n")
  );
  return [
    t("cookies-title"),
    "",
    ...(lines.length > 0 ? lines : [t("cookies-none")]),
    "",
    t("cookies-how-to-add"),
  ].join("\n");
}

export function cookieSetsKeyboard(t: Translate, sets: readonly CookieSet[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  sets.forEach((set, i) => {
    const first = set.domains[0]?.domain ?? "";
    keyboard.text(
      t("cookies-remove", { n: i + 1, domain: truncate(first, 30) }),
      buildCallback("cookieRemove", { setId: set.id }),
    )
      .row();
  });
  return keyboard;
}

export function renderStaleCookieSet(t: Translate, set: CookieSet): string {
  return t("cookies-went-stale", { domains: domainsOf(set), failures: set.failures });
}
