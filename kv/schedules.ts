/**
 * Scheduled downloads: a link and the time to fetch it, indexed by that time so the app's sweep
 * (an interval, and Deno.cron where the process sleeps) finds the due ones. A run queues a probe
 * job whose id was chosen in advance, so a run retried after a crash cannot queue it twice.
 */
import { ulid } from "../lib/ids.ts";
import type { Repeat } from "../lib/when.ts";
import type { QualityVariant } from "../media/media_types.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface Schedule {
  id: string;
  userId: number;
  chatId: number;
  lang: string;
  url: string;
  /** the next run */
  runAt: number;
  timezone: string;
  repeat?: { every: Repeat; hour: number; minute: number };
  /** the quality asked for; without one, the run chooses as a batch's links do */
  variant?: QualityVariant;
  /** the probe job the next run queues */
  nextJobId: string;
  runs: number;
  createdAt: number;
}

export type NewSchedule = Pick<
  Schedule,
  "userId" | "chatId" | "lang" | "url" | "runAt" | "timezone" | "repeat" | "variant"
>;

function scheduleKey(id: string) {
  return ["schedules", id] as const;
}
function dueKey(runAt: number, id: string) {
  return ["schedules_due", runAt, id] as const;
}
function byUserKey(userId: number, id: string) {
  return ["schedules_by_user", userId, id] as const;
}
/** held by the sweep that runs this occurrence, until the deadline it stores */
function runLeaseKey(schedule: Pick<Schedule, "id" | "nextJobId">) {
  return ["schedules_run_lease", schedule.id, schedule.nextJobId] as const;
}

export class ScheduleLimitError extends Error {
  override name = "ScheduleLimitError";
  constructor(readonly max: number) {
    super(`at most ${max} scheduled downloads per user`);
  }
}

export async function createSchedule(
  kv: Deno.Kv,
  input: NewSchedule,
  maxPerUser: number,
): Promise<Schedule> {
  const existing = await listSchedulesByUser(kv, input.userId, maxPerUser);
  if (existing.length >= maxPerUser) throw new ScheduleLimitError(maxPerUser);
  const schedule: Schedule = {
    ...input,
    id: ulid(),
    nextJobId: ulid(),
    runs: 0,
    createdAt: Date.now(),
  };
  const result = await kv.atomic()
    .check({ key: scheduleKey(schedule.id), versionstamp: null })
    .set(scheduleKey(schedule.id), schedule)
    .set(dueKey(schedule.runAt, schedule.id), schedule.id)
    .set(byUserKey(schedule.userId, schedule.id), schedule.id)
    .commit();
  if (!result.ok) throw new Error(`could not create schedule ${schedule.id}`);
  return schedule;
}

export async function getSchedule(kv: Deno.Kv, id: string): Promise<Schedule | null> {
  return (await kv.get<Schedule>(scheduleKey(id))).value;
}

/** A user's schedules, the next to run first. */
export async function listSchedulesByUser(
  kv: Deno.Kv,
  userId: number,
  limit = 50,
): Promise<Schedule[]> {
  const ids: string[] = [];
  for await (const entry of kv.list<string>({ prefix: ["schedules_by_user", userId] }, { limit })) {
    ids.push(entry.value);
  }
  const entries = ids.length > 0 ? await kv.getMany<Schedule[]>(ids.map(scheduleKey)) : [];
  return entries.flatMap((entry) => entry.value ? [entry.value] : [])
    .sort((a, b) => a.runAt - b.runAt);
}

/** Schedules whose time has come, oldest first. */
export async function listDueSchedules(kv: Deno.Kv, now: number, limit = 50): Promise<Schedule[]> {
  const schedules: Schedule[] = [];
  const due = kv.list<string>({ start: ["schedules_due"], end: ["schedules_due", now + 1] }, {
    limit,
  });
  for await (const entry of due) {
    const schedule = await getSchedule(kv, entry.value);
    if (schedule) schedules.push(schedule);
    else await kv.delete(entry.key);
  }
  return schedules;
}

/** Removes a schedule of this user; false when there is none (any more). */
export async function deleteSchedule(kv: Deno.Kv, id: string, userId: number): Promise<boolean> {
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<Schedule>(scheduleKey(id));
    if (!entry.value || entry.value.userId !== userId) return false;
    op.check(entry)
      .delete(scheduleKey(id))
      .delete(dueKey(entry.value.runAt, id))
      .delete(byUserKey(userId, id));
    return commit(true);
  }, { what: `schedule ${id}`, attempts: 5 });
}

/**
 * Takes this occurrence's run for one sweep, so two app instances do not both start it; false
 * while another holds it. A sweep that crashed midway lets it go when the lease lapses.
 */
export async function leaseRun(
  kv: Deno.Kv,
  schedule: Schedule,
  now: number,
  leaseMs: number,
): Promise<boolean> {
  const held = await kv.get<number>(runLeaseKey(schedule));
  if (held.value !== null && held.value > now) return false;
  const result = await kv.atomic()
    .check(held)
    .set(runLeaseKey(schedule), now + leaseMs, { expireIn: leaseMs * 10 })
    .commit();
  return result.ok;
}

/**
 * Marks the run of `schedule` (as read before the run) as done: the next run is set, or the
 * schedule is removed. False when it changed meanwhile (cancelled, or run by another sweep).
 */
export async function completeRun(
  kv: Deno.Kv,
  schedule: Schedule,
  nextRunAt: number | undefined,
): Promise<boolean> {
  const entry = await kv.get<Schedule>(scheduleKey(schedule.id));
  if (entry.value?.nextJobId !== schedule.nextJobId) return false;
  const op = kv.atomic()
    .check(entry)
    .delete(dueKey(schedule.runAt, schedule.id))
    .delete(runLeaseKey(schedule));
  if (nextRunAt === undefined) {
    op.delete(scheduleKey(schedule.id)).delete(byUserKey(schedule.userId, schedule.id));
  } else {
    const next = { ...schedule, runAt: nextRunAt, nextJobId: ulid(), runs: schedule.runs + 1 };
    op.set(scheduleKey(schedule.id), next).set(dueKey(nextRunAt, schedule.id), schedule.id);
  }
  return (await op.commit()).ok;
}
