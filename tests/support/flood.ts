/**
 * Checks messages sent against Telegram's flood limits, on their own terms rather than the
 * bot's: each chat's pace (a burst at once, then a steady rate: three, then one a second), and
 * the whole bot's count in any second (30, and a tenth more for turns counted per slot).
 */
import type { ThrottleLimits } from "../../lib/throttle.ts";

/** sends `intervalMs` apart, up to `toleranceMs` early */
interface Pace {
  intervalMs: number;
  toleranceMs: number;
}

function chatPaceOf(limits: ThrottleLimits, chatId: number | string): Pace {
  const group = typeof chatId === "number" ? chatId < 0 : /^[-@]/.test(chatId);
  const [perSecond, burst] = group
    ? [limits.groupPerSecond, limits.groupBurst]
    : [limits.privatePerSecond, limits.privateBurst];
  return { intervalMs: 1000 / perSecond, toleranceMs: (burst - 1) * 1000 / perSecond };
}
import type { ApiCall } from "./fake_telegram.ts";

export interface Send {
  chatId: number | string;
  /** epoch milliseconds */
  at: number;
}

/** The calls that count against the limits: every one made to a chat, webhook replies included. */
export function sendsOf(calls: readonly ApiCall[]): Send[] {
  return calls.flatMap((call) => {
    const chatId = call.params.chat_id;
    if (typeof chatId !== "number" && typeof chatId !== "string") return [];
    const id = typeof chatId === "string" && /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
    return [{ chatId: id, at: call.time }];
  });
}

/**
 * The sends that came earlier than a pace allows, `slackMs` forgiven (calls reach the Bot API a
 * little after their turn, and not always in the order they took it); none when all conform.
 */
export function paceViolations(times: number[], pace: Pace, slackMs = 0): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const early: number[] = [];
  let tat = -Infinity;
  for (const at of sorted) {
    if (at < tat - pace.toleranceMs - slackMs) early.push(at);
    tat = Math.max(tat, at) + pace.intervalMs;
  }
  return early;
}

/** The most sends in any window of `windowMs` (its ends included). */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] > windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The most the bot may send in any second: its rate, and a tenth more. */
export function botSendsPerSecondMax(limits: ThrottleLimits): number {
  return Math.ceil(limits.globalPerSecond * 1.1);
}

/** Human-readable offences against the bot's and each chat's limits; empty when all conform. */
export function floodViolations(
  sends: Send[],
  limits: ThrottleLimits,
  { slackMs = 0 } = {},
): string[] {
  const offences: string[] = [];
  const byChat = Map.groupBy(sends, (send) => send.chatId);
  for (const [chatId, chatSends] of byChat) {
    const pace = chatPaceOf(limits, chatId);
    const early = paceViolations(chatSends.map((send) => send.at), pace, slackMs);
    if (early.length > 0) offences.push(`chat ${chatId}: ${early.length} sends too early`);
  }
  // a window a little shorter than a second: sends may reach the Bot API a little late
  const busiest = busiestWindow(sends.map((send) => send.at), 1000 - slackMs);
  const allowed = botSendsPerSecondMax(limits);
  if (busiest > allowed) {
    offences.push(`the bot: ${busiest} sends within a second (at most ${allowed})`);
  }
  return offences;
}
