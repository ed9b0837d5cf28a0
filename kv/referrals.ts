/** Invite links: each user's code, who brought whom, and the inviter's credit, paid once. */
import { randomToken } from "../lib/tokens.ts";
import { type AwardOutcome, awardXp, XP_ACTIONS } from "./xp.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface Referral {
  inviterId: number;
  at: number;
  /** set when the invitee's first download credited the inviter */
  creditedAt?: number;
}

export type JoinOutcome =
  | { joined: true; inviterId: number }
  | { joined: false; reason: "unknown_code" | "self" | "not_new" | "already_referred" };

/** The /start payload of an invite link; Telegram allows A-Z, a-z, 0-9, _ and - there. */
export const REFERRAL_PAYLOAD = /^ref_([\w-]{8,32})$/;

/** A profile created up to this long before /start was sent still counts as new (clock skew). */
const NEW_USER_WINDOW_MS = 60_000;

function codeKey(code: string) {
  return ["referral_codes", code] as const;
}
function codeOfUserKey(userId: number) {
  return ["referral_code_by_user", userId] as const;
}
function referralKey(inviteeId: number) {
  return ["referrals", inviteeId] as const;
}

/** The user's invite code, made on first use. */
export async function referralCodeOf(kv: Deno.Kv, userId: number): Promise<string> {
  return await retryAtomic(kv, async (op) => {
    const existing = await kv.get<string>(codeOfUserKey(userId));
    if (existing.value) return existing.value;
    const code = randomToken(9);
    op.check(existing)
      .check({ key: codeKey(code), versionstamp: null })
      .set(codeOfUserKey(userId), code)
      .set(codeKey(code), userId);
    return commit(code);
  }, { what: `the invite code of user ${userId}`, attempts: 5 });
}

/**
 * Records that `invitee` came through `code`: only a user first seen with this /start (`sentAt`
 * is the message's date), never oneself, and only once per invitee.
 */
export async function joinThroughReferral(
  kv: Deno.Kv,
  invitee: { id: number; createdAt: number },
  code: string,
  sentAt: number,
  at = Date.now(),
): Promise<JoinOutcome> {
  const inviterId = (await kv.get<number>(codeKey(code))).value;
  if (inviterId === null) return { joined: false, reason: "unknown_code" };
  if (inviterId === invitee.id) return { joined: false, reason: "self" };
  if (invitee.createdAt < sentAt - NEW_USER_WINDOW_MS) return { joined: false, reason: "not_new" };
  const referral: Referral = { inviterId, at };
  const result = await kv.atomic()
    .check({ key: referralKey(invitee.id), versionstamp: null })
    .set(referralKey(invitee.id), referral)
    .commit();
  return result.ok ? { joined: true, inviterId } : { joined: false, reason: "already_referred" };
}

/** Credits the inviter of `inviteeId` once, with the referral marked in the same atomic. */
export async function creditReferral(
  kv: Deno.Kv,
  inviteeId: number,
  at: number,
): Promise<{ inviterId: number; outcome: AwardOutcome } | null> {
  const referral = (await kv.get<Referral>(referralKey(inviteeId))).value;
  if (!referral || referral.creditedAt) return null;
  const { inviterId } = referral;
  const outcome = await awardXp(kv, inviterId, async () => {
    const entry = await kv.get<Referral>(referralKey(inviteeId));
    if (!entry.value || entry.value.creditedAt) return null;
    return {
      action: `referral:${inviteeId}`,
      xp: XP_ACTIONS.invite,
      at,
      permanent: true,
      counters: { referrals: 1 },
      checks: [entry],
      sets: [{ key: referralKey(inviteeId), value: { ...entry.value, creditedAt: at } }],
    };
  });
  return outcome ? { inviterId, outcome } : null;
}
