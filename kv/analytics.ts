/**
 * Product analytics: events counted per UTC day with KvU64 sums (commutative, so concurrent
 * events never conflict), per-label counts (site, reason…), summed amounts (bytes, Stars), and
 * the raw events, in groups, for a bounded time.
 */
import { monotonicUlids } from "../lib/ids.ts";
import { boundedKeyPart } from "../lib/kv_key.ts";
import { utcDay } from "../lib/time.ts";

/** raw events' ids: sortable by time; a monotonic factory draws randomness once per millisecond */
const eventId = monotonicUlids();

export interface AnalyticsEvent {
  name: string;
  userId: number;
  at: number;
  /** each value is counted too: site, failure reason, kind, source, plan, menu */
  labels: Record<string, string>;
  /** summed per day besides the count: bytes, stars */
  amounts: Record<string, number>;
}

const RAW_EVENT_TTL_MS = 30 * 86_400_000;
export const FAILURE_STEP_MS = 10 * 60_000;
/** the event whose reasons are also counted in FAILURE_STEP_MS steps */
const FAILURE_EVENT = "download_failed";
/** weekly actives look 7 days back; a little more covers time zones and late reads */
const ACTIVE_TTL_MS = 9 * 86_400_000;
const MAX_LABEL_CHARS = 100;
/** a raw event with its labels cut to MAX_LABEL_CHARS is well under 1 kB: 64 fit in a KV value */
const RAW_EVENTS_PER_ENTRY = 64;

/** Labels cut to MAX_LABEL_CHARS for the raw events (their counters' keys hash long ones). */
function cutLabels(event: AnalyticsEvent): AnalyticsEvent {
  const labels: Record<string, string> = {};
  for (const [label, value] of Object.entries(event.labels)) {
    labels[label] = value.slice(0, MAX_LABEL_CHARS);
  }
  return { ...event, labels };
}

function dailyCountKey(day: string, name: string) {
  return ["analytics_daily", day, name] as const;
}
function dailyLabelKey(day: string, name: string, label: string, value: string) {
  return ["analytics_daily_label", day, name, label, boundedKeyPart(value)] as const;
}
function dailyAmountKey(day: string, name: string, amount: string) {
  return ["analytics_daily_amount", day, name, amount] as const;
}
/** failures by reason in FAILURE_STEP_MS steps: /admin watches sign-in checks by the hour */
function failureStepKey(reason: string, stepStart: number) {
  return ["analytics_failure_steps", boundedKeyPart(reason), stepStart] as const;
}
function rawEventKey(id: string) {
  return ["analytics_events", id] as const;
}
function activeUserKey(day: string, userId: number) {
  return ["analytics_active", day, userId] as const;
}

/**
 * Records many events with few atomics: counters are summed in memory first, so a burst of
 * events costs a handful of KV writes instead of one each.
 */
export async function recordEvents(kv: Deno.Kv, events: AnalyticsEvent[]): Promise<void> {
  const sums = new Map<string, { key: Deno.KvKey; value: bigint }>();
  const add = (key: Deno.KvKey, value: bigint) => {
    const id = JSON.stringify(key);
    const current = sums.get(id);
    sums.set(id, { key, value: (current?.value ?? 0n) + value });
  };
  for (const event of events) {
    const day = utcDay(event.at);
    add(dailyCountKey(day, event.name), 1n);
    for (const [label, value] of Object.entries(event.labels)) {
      add(dailyLabelKey(day, event.name, label, value), 1n);
    }
    for (const [amount, value] of Object.entries(event.amounts)) {
      add(dailyAmountKey(day, event.name, amount), BigInt(Math.max(0, Math.round(value))));
    }
    if (event.name === FAILURE_EVENT && event.labels.reason) {
      const stepStart = event.at - event.at % FAILURE_STEP_MS;
      add(failureStepKey(event.labels.reason, stepStart), 1n);
    }
  }
  const mutations: Deno.KvMutation[] = [
    ...[...sums.values()].map(({ key, value }) => ({
      type: "sum" as const,
      key,
      value: new Deno.KvU64(value),
    })),
  ];
  // raw events go in groups: one KV entry, not one row each, per RAW_EVENTS_PER_ENTRY events
  for (let i = 0; i < events.length; i += RAW_EVENTS_PER_ENTRY) {
    const group = events.slice(i, i + RAW_EVENTS_PER_ENTRY).map(cutLabels);
    mutations.push({
      type: "set",
      key: rawEventKey(eventId(group[0].at)),
      value: group,
      expireIn: RAW_EVENT_TTL_MS,
    });
  }
  // an atomic holds at most 1,000 mutations
  for (let i = 0; i < mutations.length; i += 500) {
    const result = await kv.atomic().mutate(...mutations.slice(i, i + 500)).commit();
    if (!result.ok) throw new Error("analytics events were not recorded");
  }
}

export async function markActive(kv: Deno.Kv, userId: number, at: number): Promise<void> {
  await kv.set(activeUserKey(utcDay(at), userId), true, { expireIn: ACTIVE_TTL_MS });
}

/** The last `count` UTC days, today last. */
export function lastDays(count: number, now = Date.now()): string[] {
  return Array.from({ length: count }, (_, i) => utcDay(now - (count - 1 - i) * 86_400_000));
}

const u64 = (value: unknown) => value instanceof Deno.KvU64 ? Number(value.value) : 0;

/** Counts of every event over the days. */
export async function getEventCounts(kv: Deno.Kv, days: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const day of days) {
    for await (const e of kv.list({ prefix: ["analytics_daily", day] })) {
      const name = String(e.key[2]);
      counts.set(name, (counts.get(name) ?? 0) + u64(e.value));
    }
  }
  return counts;
}

/** How often each value of one label of one event occurred over the days, most frequent first. */
export async function getLabelCounts(
  kv: Deno.Kv,
  days: string[],
  name: string,
  label: string,
): Promise<[string, number][]> {
  const counts = new Map<string, number>();
  for (const day of days) {
    for await (const e of kv.list({ prefix: ["analytics_daily_label", day, name, label] })) {
      const value = String(e.key[4]);
      counts.set(value, (counts.get(value) ?? 0) + u64(e.value));
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export async function getAmount(
  kv: Deno.Kv,
  days: string[],
  name: string,
  amount: string,
): Promise<number> {
  const entries = await Promise.all(days.map((day) => kv.get(dailyAmountKey(day, name, amount))));
  return entries.reduce((sum, e) => sum + u64(e.value), 0);
}

/** Distinct users active on any of the days. */
export async function countActiveUsers(kv: Deno.Kv, days: string[]): Promise<number> {
  const users = new Set<number>();
  for (const day of days) {
    for await (const e of kv.list({ prefix: ["analytics_active", day] })) {
      users.add(Number(e.key[2]));
    }
  }
  return users.size;
}

/**
 * Failures for one reason from the step holding `from` up to the step holding `to`, that one
 * excluded: adjacent ranges never count a step twice.
 */
export async function countFailuresBetween(
  kv: Deno.Kv,
  reason: string,
  from: number,
  to: number,
): Promise<number> {
  const stepOf = (at: number) => at - at % FAILURE_STEP_MS;
  const range = {
    start: failureStepKey(reason, stepOf(from)),
    end: failureStepKey(reason, stepOf(to)),
  };
  let count = 0;
  for await (const e of kv.list(range)) count += u64(e.value);
  return count;
}
