/**
 * Premium bought with Telegram Stars. A payment is applied once per telegram_payment_charge_id,
 * in the same atomic that extends the user's premium, so a duplicated update grants nothing more.
 */
import { boundedKeyPart } from "../lib/kv_key.ts";
import type { UserProfile, UserStore } from "./users.ts";

export interface PremiumPlan {
  id: string;
  days: number;
  stars: number;
}

export const PREMIUM_PLANS: readonly PremiumPlan[] = [
  { id: "month", days: 30, stars: 250 },
  { id: "quarter", days: 90, stars: 600 },
  { id: "year", days: 365, stars: 2000 },
];

export function findPlan(id: string): PremiumPlan | undefined {
  return PREMIUM_PLANS.find((plan) => plan.id === id);
}

/** What an invoice carries back to us in pre_checkout_query and successful_payment. */
export function invoicePayload(plan: PremiumPlan, userId: number): string {
  return `premium:${plan.id}:${userId}`;
}

export function parseInvoicePayload(payload: string): { plan: PremiumPlan; userId: number } | null {
  const match = /^premium:(\w+):(\d+)$/.exec(payload);
  const plan = match ? findPlan(match[1]) : undefined;
  return plan && match ? { plan, userId: Number(match[2]) } : null;
}

export interface Receipt {
  chargeId: string;
  userId: number;
  planId: string;
  stars: number;
  days: number;
  /** premium end before and after this payment, so a refund can take back exactly its days */
  premiumUntilBefore?: number;
  premiumUntilAfter: number;
  paidAt: number;
  refundedAt?: number;
}

function receiptKey(chargeId: string) {
  return ["payments", boundedKeyPart(chargeId)] as const;
}
function receiptByUserKey(userId: number, chargeId: string) {
  return ["payments_by_user", userId, boundedKeyPart(chargeId)] as const;
}
const STARS_REVENUE_KEY = ["stars_revenue"] as const;

export type PaymentOutcome =
  | { applied: true; user: UserProfile; receipt: Receipt }
  | { applied: false; reason: "duplicate" | "unknown_user" };

export type RefundOutcome =
  | { refunded: true; user: UserProfile }
  | { refunded: false; reason: "unknown" | "already" };

/** Records the payment and extends the user's premium in one atomic, through the user store. */
export async function applyPayment(
  kv: Deno.Kv,
  users: UserStore,
  input: { chargeId: string; userId: number; plan: PremiumPlan; stars: number },
  now = Date.now(),
): Promise<PaymentOutcome> {
  return await users.updateWith<PaymentOutcome>(input.userId, async (user, op) => {
    const existing = await kv.get<Receipt>(receiptKey(input.chargeId));
    if (existing.value) return { user: null, result: { applied: false, reason: "duplicate" } };
    if (!user) return { user: null, result: { applied: false, reason: "unknown_user" } };
    const from = Math.max(now, user.premiumUntil ?? 0);
    const premiumUntil = from + input.plan.days * 86_400_000;
    const receipt: Receipt = {
      chargeId: input.chargeId,
      userId: input.userId,
      planId: input.plan.id,
      stars: input.stars,
      days: input.plan.days,
      premiumUntilBefore: user.premiumUntil,
      premiumUntilAfter: premiumUntil,
      paidAt: now,
    };
    const updated = { ...user, premiumUntil };
    op.check(existing)
      .set(receiptKey(input.chargeId), receipt)
      .set(receiptByUserKey(input.userId, input.chargeId), input.chargeId)
      .sum(STARS_REVENUE_KEY, BigInt(input.stars));
    return { user: updated, result: { applied: true, user: updated, receipt } };
  });
}

export async function getReceipt(kv: Deno.Kv, chargeId: string): Promise<Receipt | null> {
  return (await kv.get<Receipt>(receiptKey(chargeId))).value;
}

/** Marks a receipt refunded and takes back the premium days it bought, in one atomic. */
export async function applyRefund(
  kv: Deno.Kv,
  users: UserStore,
  chargeId: string,
  now = Date.now(),
): Promise<RefundOutcome> {
  // a receipt's user never changes: the atomic checks the rest
  const payer = (await getReceipt(kv, chargeId))?.userId;
  if (payer === undefined) return { refunded: false, reason: "unknown" };
  return await users.updateWith<RefundOutcome>(payer, async (user, op) => {
    const receiptEntry = await kv.get<Receipt>(receiptKey(chargeId));
    const receipt = receiptEntry.value;
    if (!receipt) return { user: null, result: { refunded: false, reason: "unknown" } };
    if (receipt.refundedAt) return { user: null, result: { refunded: false, reason: "already" } };
    if (!user) return { user: null, result: { refunded: false, reason: "unknown" } };
    const updated = {
      ...user,
      premiumUntil: (user.premiumUntil ?? now) - receipt.days * 86_400_000,
    };
    op.check(receiptEntry)
      .set(receiptKey(chargeId), { ...receipt, refundedAt: now })
      // KvU64 sums wrap around: adding 2^64 - n subtracts n
      .sum(STARS_REVENUE_KEY, (1n << 64n) - BigInt(receipt.stars));
    return { user: updated, result: { refunded: true, user: updated } };
  });
}

export async function starsRevenue(kv: Deno.Kv): Promise<number> {
  return Number((await kv.get<Deno.KvU64>(STARS_REVENUE_KEY)).value?.value ?? 0n);
}
