/**
 * Premium bought with Telegram Stars. A payment is applied once per telegram_payment_charge_id,
 * in the same atomic that extends the user's premium, so a duplicated update grants nothing more.
 */
import { boundedKeyPart } from "../lib/kv_key.ts";
import { type Commit, commit, retryAtomic } from "./retry_atomic.ts";
import { userKey, type UserProfile } from "./users.ts";

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
export const STARS_REVENUE_KEY = ["stars_revenue"] as const;

export type PaymentOutcome =
  | { applied: true; user: UserProfile; receipt: Receipt }
  | { applied: false; reason: "duplicate" | "unknown_user" };

export type RefundOutcome =
  | { refunded: true; user: UserProfile }
  | { refunded: false; reason: "unknown" | "already" };

export async function applyPayment(
  kv: Deno.Kv,
  input: { chargeId: string; userId: number; plan: PremiumPlan; stars: number },
  now = Date.now(),
): Promise<PaymentOutcome> {
  return await retryAtomic(kv, async (op): Promise<PaymentOutcome | Commit<PaymentOutcome>> => {
    const [existing, userEntry] = await kv.getMany<[Receipt, UserProfile]>([
      receiptKey(input.chargeId),
      userKey(input.userId),
    ]);
    if (existing.value) return { applied: false, reason: "duplicate" };
    if (!userEntry.value) return { applied: false, reason: "unknown_user" };
    const user = userEntry.value;
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
      .check(userEntry)
      .set(receiptKey(input.chargeId), receipt)
      .set(receiptByUserKey(input.userId, input.chargeId), input.chargeId)
      .set(userKey(input.userId), updated)
      .sum(STARS_REVENUE_KEY, BigInt(input.stars));
    return commit({ applied: true, user: updated, receipt });
  }, { what: `payment ${input.chargeId}`, attempts: 10 });
}

export async function getReceipt(kv: Deno.Kv, chargeId: string): Promise<Receipt | null> {
  return (await kv.get<Receipt>(receiptKey(chargeId))).value;
}

/** Marks a receipt refunded and takes back the premium days it bought. */
export async function applyRefund(
  kv: Deno.Kv,
  chargeId: string,
  now = Date.now(),
): Promise<RefundOutcome> {
  return await retryAtomic(kv, async (op): Promise<RefundOutcome | Commit<RefundOutcome>> => {
    const receiptEntry = await kv.get<Receipt>(receiptKey(chargeId));
    const receipt = receiptEntry.value;
    if (!receipt) return { refunded: false, reason: "unknown" };
    if (receipt.refundedAt) return { refunded: false, reason: "already" };
    const userEntry = await kv.get<UserProfile>(userKey(receipt.userId));
    if (!userEntry.value) return { refunded: false, reason: "unknown" };
    const user = userEntry.value;
    const updated = {
      ...user,
      premiumUntil: (user.premiumUntil ?? now) - receipt.days * 86_400_000,
    };
    op.check(receiptEntry)
      .check(userEntry)
      .set(receiptKey(chargeId), { ...receipt, refundedAt: now })
      .set(userKey(receipt.userId), updated)
      // KvU64 sums wrap around: adding 2^64 - n subtracts n
      .sum(STARS_REVENUE_KEY, (1n << 64n) - BigInt(receipt.stars));
    return commit({ refunded: true, user: updated });
  }, { what: `the refund of ${chargeId}`, attempts: 10 });
}

export async function starsRevenue(kv: Deno.Kv): Promise<number> {
  return Number((await kv.get<Deno.KvU64>(STARS_REVENUE_KEY)).value?.value ?? 0n);
}
