/**
 * How many jobs one user may have waiting or running ("places"), so that no one holds every
 * worker. A place is taken by a job the user asked for, or by a running batch item (its probe,
 * then its download, use that one place). Heavy jobs, hours of ffmpeg each, have a smaller limit.
 *
 * Counted in the atomic that takes a place, from the `jobs_by_user` index: a job's entry leaves
 * that index in the same atomic that ends the job (done, failed, dead, cancelled; a lease that
 * expired and is retried keeps it), so a place is freed exactly once, by the queue's own state
 * change, without a counter to keep in step. Every admission also rewrites the user's admission
 * key, which it checks: two requests that read the same free place cannot both take it, and an
 * ending job only makes a count read earlier too high, never too low.
 */
import { runningItemKey, runningItemsPrefix } from "./batch_items.ts";
import {
  ACTIVE_STATES,
  activeJobsOfUserPrefix,
  type Admission,
  type EnqueueGate,
  jobKey,
} from "./jobs.ts";
import { type Job } from "../media/job_types.ts";
import type { JobPayload } from "../media/job_types.ts";
import { type Plan, planOf, type UserProfile } from "./users.ts";

export interface ActiveJobLimits {
  /** jobs waiting or running, a running batch item counting as one */
  places: number;
  /** of which recordings, subtitles burned into the picture and compressions */
  heavy: number;
}

/** Twice a batch's running links (services/batch_downloads.ts): a batch leaves half the places. */
export const ACTIVE_JOB_LIMITS: Record<Plan, ActiveJobLimits> = {
  free: { places: 4, heavy: 1 },
  premium: { places: 8, heavy: 2 },
};

export function activeJobLimitsFor(user: UserProfile | undefined, now = Date.now()) {
  return ACTIVE_JOB_LIMITS[user ? planOf(user, now) : "free"];
}

export interface BusyRefusal {
  reason: "busy";
  /** the heavy jobs' limit was reached, not the places' */
  heavy: boolean;
  limit: number;
}

/** Re-encodes or records for minutes to hours: a worker is taken for that long. */
export function isHeavyJob(payload: JobPayload): boolean {
  return payload.kind === "record" ||
    (payload.kind === "subtitles" && payload.output === "burned") ||
    (payload.kind === "download" && payload.variant.startsWith("c_"));
}

/** The batch item a job works for, if any: its download has the item's id, its probe names it. */
function batchItemIdOf(job: Job): string | undefined {
  const { payload } = job;
  if (payload.kind === "download" && payload.batchId) return job.id;
  if (payload.kind === "probe" && payload.autoDownload?.batchId) return payload.autoDownload.jobId;
  return undefined;
}

function admissionKey(userId: number) {
  return ["jobs_admissions", userId] as const;
}

export interface Places {
  /** checked and rewritten by every admission */
  guard: Deno.KvEntryMaybe<string>;
  taken: number;
  heavy: number;
}

/** far above any limit: a user past it is refused whatever the rest holds */
const SCAN_LIMIT = 200;
/** KV's getMany reads at most 10 keys */
const GET_MANY_MAX = 10;
const ADMISSION_TTL_MS = 86_400_000;

/** The places a user's jobs and running batch items take now. */
export async function readPlaces(kv: Deno.Kv, userId: number): Promise<Places> {
  const guard = await kv.get<string>(admissionKey(userId));
  const [indexed, running] = await Promise.all([
    Array.fromAsync(kv.list<string>({ prefix: activeJobsOfUserPrefix(userId) }, {
      limit: SCAN_LIMIT,
    })),
    Array.fromAsync(kv.list({ prefix: runningItemsPrefix(userId) }, { limit: SCAN_LIMIT })),
  ]);
  const runningIds = new Set(running.map((entry) => entry.key.at(-1)));
  const ids = indexed.map((entry) => entry.value);
  let taken = running.length;
  let heavy = 0;
  for (let start = 0; start < ids.length; start += GET_MANY_MAX) {
    const keys = ids.slice(start, start + GET_MANY_MAX).map(jobKey);
    for (const { value: job } of await kv.getMany<Job[]>(keys)) {
      if (!job || !ACTIVE_STATES.includes(job.state)) continue;
      const itemId = batchItemIdOf(job);
      if (itemId && runningIds.has(itemId)) continue;
      taken++;
      if (isHeavyJob(job.payload)) heavy++;
    }
  }
  return { guard, taken, heavy };
}

/** Adds what takes a place to an atomic: a job's enqueue, or a batch item's start. */
export function takePlace(op: Deno.AtomicOperation, places: Places, takenBy: string): void {
  op.check(places.guard).set(places.guard.key, takenBy, { expireIn: ADMISSION_TTL_MS });
}

/**
 * The enqueue gate: a job takes a place if one is free (and a heavy one if it is heavy); a job
 * of a running batch item uses the item's place.
 */
export function placeGate(
  kv: Deno.Kv,
  userId: number,
  limits: ActiveJobLimits,
): EnqueueGate<BusyRefusal> {
  return {
    async admit(job: Job): Promise<Admission | { ok: false; refusal: BusyRefusal }> {
      const itemId = batchItemIdOf(job);
      if (itemId) {
        const item = await kv.get(runningItemKey(userId, itemId));
        if (item.versionstamp !== null) return { ok: true, job, writes: (op) => op.check(item) };
      }
      const places = await readPlaces(kv, userId);
      if (places.taken >= limits.places) {
        return { ok: false, refusal: { reason: "busy", heavy: false, limit: limits.places } };
      }
      if (isHeavyJob(job.payload) && places.heavy >= limits.heavy) {
        return { ok: false, refusal: { reason: "busy", heavy: true, limit: limits.heavy } };
      }
      return { ok: true, job, writes: (op) => takePlace(op, places, job.id) };
    },
  };
}
