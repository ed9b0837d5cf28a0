/** /premium: what Premium gives, until when the user has it, and a button per plan. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import { PREMIUM_PLANS } from "../kv/payments.ts";
import { escapeHtml, formatBytes } from "../lib/format.ts";
import { formatDate } from "./dates.ts";

export interface PlansView {
  premiumQuotaBytes: number;
  freeQuotaBytes: number;
  /** set while the user has Premium */
  premiumUntil?: number;
  timezone: string;
}

export function renderPlans(
  t: Translate,
  locale: string,
  view: PlansView,
): { text: string; keyboard: InlineKeyboard } {
  const lines = [
    t("premium-title"),
    "",
    t("premium-benefits", {
      quota: formatBytes(view.premiumQuotaBytes, locale),
      free: formatBytes(view.freeQuotaBytes, locale),
    }),
  ];
  if (view.premiumUntil !== undefined) {
    lines.push(
      "",
      t("premium-active", { until: formatDate(locale, view.timezone, view.premiumUntil) }),
    );
  }
  // Telegram asks bots that sell with Stars to show their terms before the purchase
  lines.push("", t("premium-terms-line"));
  const keyboard = new InlineKeyboard();
  for (const plan of PREMIUM_PLANS) {
    keyboard.text(
      t("premium-plan-button", { days: plan.days, stars: plan.stars }),
      buildCallback("premiumBuy", { planId: plan.id }),
    )
      .row();
  }
  return { text: lines.join("\n"), keyboard };
}

/** How a user reaches support: SUPPORT_CONTACT, else the admins' profiles, else Telegram's receipt. */
export interface SupportView {
  contact?: string;
  adminIds: readonly number[];
}

function supportLine(t: Translate, view: SupportView): string {
  if (view.contact) return t("paysupport-contact", { contact: escapeHtml(view.contact) });
  if (view.adminIds.length === 0) return t("paysupport-none");
  const admins = view.adminIds.map((id, i) => `<a href="tg://user?id=${id}">${i + 1}</a>`);
  return t("paysupport-admins", { admins: admins.join(", ") });
}

/** /paysupport: what Telegram asks of bots that sell with Stars. */
export function renderPaySupport(t: Translate, view: SupportView): string {
  return t("paysupport-text", { contact: supportLine(t, view) });
}

/** /terms: what Premium is, what it costs, refunds, and support. */
export function renderTerms(
  t: Translate,
  locale: string,
  view: SupportView & { premiumQuotaBytes: number; freeQuotaBytes: number },
): string {
  const days = new Intl.ListFormat(locale, { type: "disjunction" })
    .format(PREMIUM_PLANS.map((plan) => String(plan.days)));
  return t("terms-text", {
    free: formatBytes(view.freeQuotaBytes, locale),
    premium: formatBytes(view.premiumQuotaBytes, locale),
    days,
    contact: supportLine(t, view),
  });
}
