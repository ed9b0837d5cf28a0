/** Premium paid in Telegram Stars: plans → invoice → pre-checkout check → payment applied once. */
import { applyPayment, findPlan, invoicePayload, parseInvoicePayload } from "../../kv/payments.ts";
import { planOf, type UserProfile } from "../../kv/users.ts";
import type { PreCheckoutQuery } from "grammy/types";
import type { BotContext } from "../context.ts";
import { timezoneOf } from "../../services/account.ts";
import { formatDate } from "../../views/dates.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { renderPaySupport, renderPlans, renderTerms } from "../../views/premium.ts";

export const premiumFeature = new FeatureComposer<BotContext>();

async function showPlans(ctx: BotContext) {
  const { config } = ctx.deps;
  const premium = ctx.user !== undefined && planOf(ctx.user) === "premium";
  const { text, keyboard } = renderPlans(ctx.t, ctx.i18n.getLocale(), {
    premiumQuotaBytes: config.premiumQuotaBytes,
    freeQuotaBytes: config.freeQuotaBytes,
    premiumUntil: premium ? ctx.user!.premiumUntil : undefined,
    timezone: timezoneOf(config, ctx.user),
  });
  await ctx.reply(text, { reply_markup: keyboard });
}

premiumFeature.command("premium", showPlans);

premiumFeature.command("paysupport", async (ctx) => {
  const { config } = ctx.deps;
  const support = { contact: config.supportContact, adminIds: config.adminIds };
  await ctx.reply(renderPaySupport(ctx.t, support), {
    link_preview_options: { is_disabled: true },
  });
});

premiumFeature.command("terms", async (ctx) => {
  const { config } = ctx.deps;
  const text = renderTerms(ctx.t, ctx.i18n.getLocale(), {
    contact: config.supportContact,
    adminIds: config.adminIds,
    premiumQuotaBytes: config.premiumQuotaBytes,
    freeQuotaBytes: config.freeQuotaBytes,
  });
  await ctx.reply(text, { link_preview_options: { is_disabled: true } });
});
onCallback(premiumFeature, "menuPremium", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showPlans(ctx);
});

onCallback(premiumFeature, "premiumBuy", async (ctx, { planId }) => {
  const plan = findPlan(planId);
  await ctx.answerCallbackQuery();
  if (!plan || !ctx.chat) return;
  await ctx.api.sendInvoice(
    ctx.chat.id,
    ctx.t("premium-invoice-title", { days: plan.days }),
    ctx.t("premium-invoice-description", { days: plan.days }),
    invoicePayload(plan, ctx.from.id),
    "XTR",
    [{ label: ctx.t("premium-invoice-title", { days: plan.days }), amount: plan.stars }],
  );
});

/** The plan exists, the price is today's, in Stars, and the payer is the user it was offered to. */
export function isValidCheckout(
  query: Pick<PreCheckoutQuery, "currency" | "total_amount" | "invoice_payload" | "from">,
  payer: UserProfile | undefined,
): boolean {
  const parsed = parseInvoicePayload(query.invoice_payload);
  return parsed !== null && query.currency === "XTR" && query.total_amount === parsed.plan.stars &&
    parsed.userId === query.from.id && payer !== undefined && !payer.blocked;
}

premiumFeature.on("pre_checkout_query", async (ctx) => {
  if (isValidCheckout(ctx.preCheckoutQuery, ctx.user)) await ctx.answerPreCheckoutQuery(true);
  else await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t("premium-invalid") });
});

premiumFeature.on("message:successful_payment", async (ctx) => {
  const payment = ctx.message.successful_payment;
  const parsed = parseInvoicePayload(payment.invoice_payload);
  if (!parsed || payment.currency !== "XTR") return;
  const outcome = await applyPayment(ctx.deps.kv, ctx.deps.users, {
    chargeId: payment.telegram_payment_charge_id,
    userId: ctx.from.id,
    plan: parsed.plan,
    stars: payment.total_amount,
  });
  if (!outcome.applied) return; // a repeated update: the first one already granted it
  const key = payment.telegram_payment_charge_id;
  const paid = { stars: payment.total_amount, planId: parsed.plan.id };
  ctx.deps.events.emit({ type: "payment", userId: ctx.from.id, key, ...paid });
  ctx.user = outcome.user;
  const locale = ctx.i18n.getLocale();
  const until = formatDate(
    locale,
    timezoneOf(ctx.deps.config, outcome.user),
    outcome.user.premiumUntil!,
  );
  await ctx.reply(ctx.t("premium-thanks", { until }));
  ctx.deps.events.emit({
    type: "premium_granted",
    userId: ctx.from.id,
    key: `payment:${payment.telegram_payment_charge_id}`,
  });
});

// Telegram reports refunds as a service message; the admin's /admin refund already applied it
premiumFeature.on("message:refunded_payment", () => {});
