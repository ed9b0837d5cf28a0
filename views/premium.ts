/** /premium: what Premium gives, until when the user has it, and a button per plan. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import { PREMIUM_PLANS } from "../kv/payments.ts";
import { formatBytes } from "../lib/format.ts";
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
