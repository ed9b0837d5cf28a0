/**
 * The durable job queue on Deno KV atomics (see docs/architecture.md, "Job queue on KV").
 * Every state change is one atomic checked by versionstamp, so a job is always in
 * exactly one state and one index, whatever workers or the app do concurrently.
 */
import { monotonicUlids } from "../lib/ids.ts";
import type {
  Claim,
  Job,
  JobFailure,
  JobKind,
  JobPayload,
  JobProgress,
  JobResult,
  JobState,
} from "../media/job_types.ts";
import { type Commit, commit, retryAtomic } from "./retry_atomic.ts";

/** Monotonic, so jobs queued within one millisecond keep their order. */
const ulid = monotonicUlids();

export type FinishedJob = Job & { state: "done" | "failed" | "dead" | "cancelled" };

/** A finished job whose user has not been told yet, and how telling them has gone so far. */
export interface OutboxEntry {
  jobId: string;
  /** report attempts started, the running one included */
  attempts: number;
  /** the app instance reporting it now; the others leave it alone until leaseUntil */
  owner?: string;
  leaseUntil?: number;
  /** after a failed attempt, the next waits until then */
  retryAt?: number;
  lastError?: string;
}

/** A report given up after MAX_REPORT_ATTEMPTS, kept where admins see it. */
export interface UndeliverableReport {
  jobId: string;
  userId: number;
  kind: JobKind;
  state: JobState;
  attempts: number;
  error: string;
  movedAt: number;
}

/** A report that keeps failing is given up after this many attempts (about 2.5 minutes). */
export const MAX_REPORT_ATTEMPTS = 5;
const UNDELIVERABLE_TTL_MS = 30 * 86_400_000;

export const ACTIVE_STATES: readonly JobState[] = ["ready", "leased"];

// --- keys -------------------------------------------------------------------

export function jobKey(id: string) {
  return ["jobs", id] as const;
}
function readyKey(job: Pick<Job, "priority" | "dueAt" | "id">) {
  return ["jobs_ready", job.priority, job.dueAt, job.id] as const;
}
function leasedKey(leaseUntil: number, id: string) {
  return ["jobs_leased", leaseUntil, id] as const;
}
function byUserKey(userId: number, id: string) {
  return ["jobs_by_user", userId, id] as const;
}
/** A user's waiting or running jobs: a job's end removes its entry in the same atomic. */
export function activeJobsOfUserPrefix(userId: number) {
  return ["jobs_by_user", userId] as const;
}
function requestKey(userId: number, request: string) {
  return ["jobs_by_request", userId, request] as const;
}
/** Finished jobs whose user has not been told yet; removed once the app has answered. */
export function outboxKey(id: string) {
  return ["jobs_outbox", id] as const;
}
function undeliverableKey(movedAt: number, id: string) {
  return ["jobs_undeliverable", movedAt, id] as const;
}
const UNDELIVERABLE_COUNT_KEY = ["jobs_undeliverable_count"] as const;
function stateCountKey(state: JobState) {
  return ["jobs_count", state] as const;
}
/** Bumped on every enqueue so waiting workers wake at once through kv.watch. */
const JOBS_SIGNAL_KEY = ["jobs_signal"] as const;

/** Telegram stops redelivering an update after a day. */
const REQUEST_KEY_TTL_MS = 86_400_000;
/** gates read a user's quota and places, which that user's other requests may change meanwhile */
const ENQUEUE_ATTEMPTS = 20;

// --- queue ------------------------------------------------------------------

export interface QueueOptions {
  leaseMs: number;
  /** base of the exponential backoff between attempts */
  retryBaseMs: number;
  /** jobs finished this long ago are deleted by KV itself */
  finishedTtlMs: number;
  /** how long an app instance holds a report before another may take it (renewed while it runs) */
  reportLeaseMs: number;
  /** base of the exponential backoff between report attempts */
  reportRetryBaseMs: number;
  now: () => number;
}

const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  leaseMs: 30_000,
  retryBaseMs: 5_000,
  finishedTtlMs: 7 * 24 * 3600_000,
  reportLeaseMs: 60_000,
  reportRetryBaseMs: 10_000,
  now: Date.now,
};

export interface NewJob {
  /** a ULID chosen in advance: enqueueing it again returns the job already queued under it */
  id?: string;
  /**
   * What asked for the job (a callback query, a message): the same request handled twice, as
   * when Telegram delivers an update again, queues one job and reserves once.
   */
  requestKey?: string;
  userId: number;
  chatId: number;
  payload: JobPayload;
  priority?: number;
  dueAt?: number;
  maxAttempts?: number;
}

/** A gate's yes: the job as it will be stored, and the checks and writes to add to its atomic. */
export interface Admission {
  ok: true;
  job: Job;
  writes: (op: Deno.AtomicOperation) => void;
}

/**
 * Decides from what it reads now whether a job may be queued. Its checks make the job's atomic
 * fail when what it read has changed, and the queue then asks again.
 */
export interface EnqueueGate<R> {
  admit(job: Job): Promise<Admission | { ok: false; refusal: R }>;
}

export type EnqueueOutcome<R> =
  | { ok: true; job: Job; duplicate: boolean }
  | { ok: false; refusal: R };

export interface ReportLease {
  job: Job;
  entry: OutboxEntry;
}

export type HeartbeatAnswer =
  | { ok: true; cancel: boolean; stop: boolean; job: Job }
  | { ok: false };

export type SettleOutcome =
  | { changed: true; job: FinishedJob | Job }
  | { changed: false; job: Job | null };

export class JobQueue {
  readonly options: QueueOptions;

  constructor(private readonly kv: Deno.Kv, options: Partial<QueueOptions> = {}) {
    this.options = { ...DEFAULT_QUEUE_OPTIONS, ...options };
  }

  /** Queues a job with no gate; a fixed id or request key already queued returns that job. */
  async enqueue(input: NewJob): Promise<Job> {
    const outcome = await this.tryEnqueue<never>(input);
    if (!outcome.ok) throw new Error("a job without gates cannot be refused");
    return outcome.job;
  }

  /**
   * Queues a job if every gate admits it: the gates' checks and writes (a quota reservation, a
   * place among the user's active jobs) go into the job's own atomic, so neither can exist
   * without the other. A request already queued (same id or request key) returns its job,
   * reserving nothing again. `dryRun` decides without writing (to know before sending a status
   * message); the real call decides again.
   */
  async tryEnqueue<R>(
    input: NewJob,
    gates: readonly EnqueueGate<R>[] = [],
    options: { dryRun?: boolean } = {},
  ): Promise<EnqueueOutcome<R>> {
    const now = this.options.now();
    const draft: Job = {
      id: input.id ?? ulid(now),
      userId: input.userId,
      chatId: input.chatId,
      payload: input.payload,
      state: "ready",
      priority: input.priority ?? 5,
      dueAt: input.dueAt ?? now,
      attempts: 0,
      maxAttempts: input.maxAttempts ?? 3,
      createdAt: now,
      updatedAt: now,
      progress: { phase: "queued" },
    };
    return await retryAtomic(
      this.kv,
      async (op, attempt): Promise<EnqueueOutcome<R> | Commit<EnqueueOutcome<R>>> => {
        const first = attempt === 0;
        if (options.dryRun || !first) {
          const existing = await this.findRequested(input, draft.id);
          if (existing) return { ok: true, job: existing, duplicate: true };
        }
        let job = draft;
        const writes: ((op: Deno.AtomicOperation) => void)[] = [];
        for (const gate of gates) {
          const decision = await gate.admit(job);
          if (!decision.ok) {
            const existing = first && !options.dryRun
              ? await this.findRequested(input, draft.id)
              : null;
            return existing ? { ok: true, job: existing, duplicate: true } : decision;
          }
          job = decision.job;
          writes.push(decision.writes);
        }
        if (options.dryRun) return { ok: true, job, duplicate: false };
        op.check({ key: jobKey(job.id), versionstamp: null })
          .set(jobKey(job.id), job)
          .set(readyKey(job), job.id)
          .set(byUserKey(job.userId, job.id), job.id)
          .sum(stateCountKey("ready"), 1n)
          .sum(JOBS_SIGNAL_KEY, 1n);
        if (input.requestKey) {
          const key = requestKey(job.userId, input.requestKey);
          op.check({ key, versionstamp: null }).set(key, job.id, { expireIn: REQUEST_KEY_TTL_MS });
        }
        for (const write of writes) write(op);
        // a lost race: the job or its request is already queued, or a gate's reads changed
        return commit({ ok: true, job, duplicate: false });
      },
      { what: `the queueing of job ${draft.id}`, attempts: ENQUEUE_ATTEMPTS },
    );
  }

  /** The job a request queued (see `NewJob.requestKey`), for a day after it was asked. */
  async getByRequest(userId: number, request: string): Promise<Job | null> {
    const queued = await this.kv.get<string>(requestKey(userId, request));
    return queued.value ? await this.get(queued.value) : null;
  }

  /** The job queued before under this input's fixed id or request key, if any. */
  private async findRequested(input: NewJob, id: string): Promise<Job | null> {
    const requested = input.requestKey && await this.getByRequest(input.userId, input.requestKey);
    if (requested) return requested;
    return input.id ? await this.get(id) : null;
  }

  async get(id: string): Promise<Job | null> {
    return (await this.kv.get<Job>(jobKey(id))).value;
  }

  /** Takes the first due job, or null when none is due. Never hands one job to two callers. */
  async claim(workerId: string, kinds?: readonly JobKind[]): Promise<Claim | null> {
    return (await this.claimOrNextDue(workerId, kinds)).claim;
  }

  /**
   * claim(), and when nothing is due, when the first waiting job will be (a retry's backoff):
   * an idle worker sleeps until then or until kv.watch says a job was queued, not polling.
   */
  async claimOrNextDue(
    workerId: string,
    kinds?: readonly JobKind[],
  ): Promise<{ claim: Claim | null; nextDueAt?: number }> {
    const now = this.options.now();
    let nextDueAt: number | undefined;
    for await (const entry of this.kv.list<string>({ prefix: ["jobs_ready"] }, { limit: 200 })) {
      const [, , dueAt] = entry.key as [string, number, number, string];
      if (dueAt > now) {
        nextDueAt = Math.min(nextDueAt ?? dueAt, dueAt);
        continue;
      }
      const current = await this.kv.get<Job>(jobKey(entry.value));
      const job = current.value;
      if (!job || job.state !== "ready") continue;
      if (kinds && !kinds.includes(job.payload.kind)) continue;
      const leaseId = ulid(now);
      const leased: Job = {
        ...job,
        state: "leased",
        workerId,
        leaseId,
        leaseUntil: now + this.options.leaseMs,
        attempts: job.attempts + 1,
        startedAt: job.startedAt ?? now,
        updatedAt: now,
      };
      const result = await this.kv.atomic()
        .check(current)
        .check(entry)
        .delete(entry.key)
        .set(leasedKey(leased.leaseUntil!, job.id), job.id)
        .set(jobKey(job.id), leased)
        .sum(stateCountKey("leased"), 1n)
        .sum(stateCountKey("ready"), MINUS_ONE)
        .commit();
      if (result.ok) return { claim: { job: leased, leaseId, leaseMs: this.options.leaseMs } };
      // another worker won this one: try the next entry
    }
    return { claim: null, nextDueAt };
  }

  /** Extends the lease and records progress; tells the worker when to stop. */
  async heartbeat(id: string, leaseId: string, progress?: JobProgress): Promise<HeartbeatAnswer> {
    return await retryAtomic(
      this.kv,
      async (op): Promise<HeartbeatAnswer | Commit<HeartbeatAnswer>> => {
        const current = await this.kv.get<Job>(jobKey(id));
        const job = current.value;
        if (!job || job.state !== "leased" || job.leaseId !== leaseId) return { ok: false };
        const now = this.options.now();
        const updated: Job = {
          ...job,
          leaseUntil: now + this.options.leaseMs,
          progress: progress ?? job.progress,
          updatedAt: now,
        };
        op.check(current)
          .delete(leasedKey(job.leaseUntil!, id))
          .set(leasedKey(updated.leaseUntil!, id), id)
          .set(jobKey(id), updated);
        const { cancelRequested, stopRequested } = job;
        return commit({
          ok: true,
          cancel: Boolean(cancelRequested),
          stop: Boolean(stopRequested),
          job: updated,
        });
      },
      { what: `job ${id}`, attempts: 5, onContention: () => ({ ok: false }) },
    );
  }

  /** Completes a leased job. Completing twice, or with a lost lease, changes nothing. */
  complete(id: string, leaseId: string, result: JobResult): Promise<SettleOutcome> {
    return this.settle(id, leaseId, (job, now) => ({
      ...job,
      state: "done",
      result,
      progress: undefined,
      finishedAt: now,
    }));
  }

  /**
   * Records a failure: a retryable one goes back to the ready index with backoff while
   * attempts remain; otherwise the job ends as failed (or dead once retries ran out).
   */
  fail(
    id: string,
    leaseId: string,
    failure: JobFailure & { retryable: boolean },
  ): Promise<SettleOutcome> {
    return this.settle(id, leaseId, (job, now) => this.afterFailure(job, failure, now));
  }

  /** Cancels a job: at once when it waits, through the next heartbeat when a worker runs it. */
  async cancel(id: string): Promise<SettleOutcome> {
    return await retryAtomic(
      this.kv,
      async (op): Promise<SettleOutcome | Commit<SettleOutcome>> => {
        const current = await this.kv.get<Job>(jobKey(id));
        const job = current.value;
        if (!job || !ACTIVE_STATES.includes(job.state)) return { changed: false, job };
        const now = this.options.now();
        op.check(current);
        let updated: Job;
        if (job.state === "ready") {
          updated = this.finish(job, "cancelled", now, { code: "cancelled", message: "cancelled" });
          op.delete(readyKey(job))
            .delete(byUserKey(job.userId, id))
            .set(outboxKey(id), newOutboxEntry(id))
            .sum(stateCountKey("ready"), MINUS_ONE)
            .sum(stateCountKey("cancelled"), 1n)
            .set(jobKey(id), updated, { expireIn: this.options.finishedTtlMs });
        } else {
          if (job.cancelRequested) return { changed: false, job };
          updated = { ...job, cancelRequested: true, updatedAt: now };
          op.set(jobKey(id), updated);
        }
        return commit({ changed: true, job: updated });
      },
      { what: `job ${id}`, attempts: 5, onContention: () => this.unchanged(id) },
    );
  }

  /** Asks the worker running a job to end it early and deliver what it has; waiting jobs are left alone. */
  async requestStop(id: string): Promise<SettleOutcome> {
    return await retryAtomic(
      this.kv,
      async (op): Promise<SettleOutcome | Commit<SettleOutcome>> => {
        const current = await this.kv.get<Job>(jobKey(id));
        const job = current.value;
        if (!job || job.state !== "leased" || job.stopRequested || job.cancelRequested) {
          return { changed: false, job };
        }
        const updated: Job = { ...job, stopRequested: true, updatedAt: this.options.now() };
        op.check(current).set(jobKey(id), updated);
        return commit({ changed: true, job: updated });
      },
      { what: `job ${id}`, attempts: 5, onContention: () => this.unchanged(id) },
    );
  }

  /** Returns jobs whose lease ran out to the queue (or to the dead letters). */
  async sweepExpiredLeases(): Promise<Job[]> {
    const now = this.options.now();
    const settled: Job[] = [];
    const expired = this.kv.list<string>({
      start: ["jobs_leased"],
      end: ["jobs_leased", now + 1],
    });
    for await (const entry of expired) {
      const current = await this.kv.get<Job>(jobKey(entry.value));
      const job = current.value;
      if (!job || job.state !== "leased" || job.leaseUntil! > now) continue;
      const failure = { code: "lease_expired", message: "worker stopped responding" };
      const updated = job.cancelRequested
        ? this.finish(job, "cancelled", now, { code: "cancelled", message: "cancelled" })
        : this.afterFailure(job, { ...failure, retryable: true }, now);
      if (await this.commitTransition(current, updated)) settled.push(updated);
    }
    return settled;
  }

  /** Jobs of one user that are waiting or running, newest first. */
  async listActiveByUser(userId: number): Promise<Job[]> {
    const jobs: Job[] = [];
    for await (
      const entry of this.kv.list<string>({ prefix: ["jobs_by_user", userId] }, {
        reverse: true,
        limit: 50,
      })
    ) {
      const job = (await this.kv.get<Job>(jobKey(entry.value))).value;
      if (job && ACTIVE_STATES.includes(job.state)) jobs.push(job);
    }
    return jobs;
  }

  /** A page of the outbox in job order; pass its cursor back for the next page. */
  async listOutbox(
    options: { cursor?: string; limit?: number } = {},
  ): Promise<{ entries: OutboxEntry[]; cursor?: string }> {
    const limit = options.limit ?? 100;
    const listing = this.kv.list<StoredOutboxEntry>({ prefix: ["jobs_outbox"] }, {
      limit,
      cursor: options.cursor,
    });
    const entries: OutboxEntry[] = [];
    for await (const entry of listing) entries.push(outboxEntryOf(entry.key[1] as string, entry));
    return { entries, cursor: entries.length === limit ? listing.cursor : undefined };
  }

  /**
   * Takes a finished job's report for `owner`, counting the attempt, in one atomic: null when it
   * was reported, another instance holds it, or its next attempt is not due yet.
   */
  async leaseReport(id: string, owner: string): Promise<ReportLease | null> {
    const [stored, job] = await this.kv.getMany<[StoredOutboxEntry, Job]>([
      outboxKey(id),
      jobKey(id),
    ]);
    if (stored.versionstamp === null) return null;
    if (!job.value) {
      // the job itself expired: there is nothing left to tell
      await this.kv.atomic().check(stored).delete(stored.key).commit();
      return null;
    }
    const now = this.options.now();
    const entry = outboxEntryOf(id, stored);
    if (!isReportDue(entry, now)) return null;
    const leased: OutboxEntry = {
      jobId: id,
      attempts: entry.attempts + 1,
      owner,
      leaseUntil: now + this.options.reportLeaseMs,
      ...(entry.lastError ? { lastError: entry.lastError } : {}),
    };
    const result = await this.kv.atomic().check(stored).set(stored.key, leased).commit();
    return result.ok ? { job: job.value, entry: leased } : null;
  }

  /** Extends a report's lease while it runs; false when `owner` no longer holds it. */
  renewReport(id: string, owner: string): Promise<boolean> {
    return this.updateReport(id, owner, (entry, now) => ({
      ...entry,
      leaseUntil: now + this.options.reportLeaseMs,
    }));
  }

  /** A failed attempt: the entry waits, longer after each, for a later sweep. */
  deferReport(id: string, owner: string, error: string): Promise<boolean> {
    return this.updateReport(id, owner, (entry, now) => ({
      jobId: id,
      attempts: entry.attempts,
      retryAt: now + this.options.reportRetryBaseMs * 2 ** Math.max(0, entry.attempts - 1),
      lastError: error.slice(0, 500),
    }));
  }

  /** Marks a finished job's outcome as reported; false when it already was. */
  async clearOutbox(id: string): Promise<boolean> {
    const entry = await this.kv.get(outboxKey(id));
    if (entry.versionstamp === null) return false;
    return (await this.kv.atomic().check(entry).delete(entry.key).commit()).ok;
  }

  /** Gives up a report: its outbox entry moves to the list admins see; false when it was gone. */
  async moveReportAside(job: Job, attempts: number, error: string): Promise<boolean> {
    const entry = await this.kv.get(outboxKey(job.id));
    if (entry.versionstamp === null) return false;
    const movedAt = this.options.now();
    const record: UndeliverableReport = {
      jobId: job.id,
      userId: job.userId,
      kind: job.payload.kind,
      state: job.state,
      attempts,
      error: error.slice(0, 500),
      movedAt,
    };
    const result = await this.kv.atomic()
      .check(entry)
      .delete(entry.key)
      .set(undeliverableKey(movedAt, job.id), record, { expireIn: UNDELIVERABLE_TTL_MS })
      .sum(UNDELIVERABLE_COUNT_KEY, 1n)
      .commit();
    return result.ok;
  }

  /** How many reports were given up in all, and the latest of them (kept 30 days), newest first. */
  async listUndeliverable(
    limit: number,
  ): Promise<{ count: number; latest: UndeliverableReport[] }> {
    const count = (await this.kv.get<Deno.KvU64>(UNDELIVERABLE_COUNT_KEY)).value?.value ?? 0n;
    const latest: UndeliverableReport[] = [];
    const listing = this.kv.list<UndeliverableReport>({ prefix: ["jobs_undeliverable"] }, {
      reverse: true,
      limit,
    });
    for await (const entry of listing) latest.push(entry.value);
    return { count: Number(count), latest };
  }

  async countByState(): Promise<Record<JobState, number>> {
    const states: JobState[] = ["ready", "leased", "done", "failed", "dead", "cancelled"];
    const entries = await this.kv.getMany<Deno.KvU64[]>(states.map(stateCountKey));
    return Object.fromEntries(
      states.map((state, i) => [state, Number(entries[i].value?.value ?? 0n)]),
    ) as Record<JobState, number>;
  }

  /** Resolves when a job may have become ready, or after timeoutMs. */
  async waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const stream = this.kv.watch([JOBS_SIGNAL_KEY]);
    const reader = stream.getReader();
    const timer = setTimeout(() => reader.cancel().catch(() => {}), timeoutMs);
    const onAbort = () => reader.cancel().catch(() => {});
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await reader.read(); // first read is the current value
      if (!signal?.aborted) await reader.read();
    } catch {
      // cancelled by timeout or abort
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      await reader.cancel().catch(() => {});
    }
  }

  // --- internals ---------------------------------------------------------------

  private async updateReport(
    id: string,
    owner: string,
    next: (entry: OutboxEntry, now: number) => OutboxEntry,
  ): Promise<boolean> {
    const stored = await this.kv.get<StoredOutboxEntry>(outboxKey(id));
    if (stored.versionstamp === null) return false;
    const entry = outboxEntryOf(id, stored);
    if (entry.owner !== owner) return false;
    const updated = next(entry, this.options.now());
    return (await this.kv.atomic().check(stored).set(stored.key, updated).commit()).ok;
  }

  private async settle(
    id: string,
    leaseId: string,
    next: (job: Job, now: number) => Job,
  ): Promise<SettleOutcome> {
    return await retryAtomic(
      this.kv,
      async (op): Promise<SettleOutcome | Commit<SettleOutcome>> => {
        const current = await this.kv.get<Job>(jobKey(id));
        const job = current.value;
        if (!job || job.state !== "leased" || job.leaseId !== leaseId) {
          return { changed: false, job };
        }
        const updated = next(job, this.options.now());
        this.addTransition(op, current, updated);
        return commit({ changed: true, job: updated });
      },
      { what: `job ${id}`, attempts: 5, onContention: () => this.unchanged(id) },
    );
  }

  /** What a change that kept losing its race leaves: the job as it is now. */
  private async unchanged(id: string): Promise<SettleOutcome> {
    return { changed: false, job: await this.get(id) };
  }

  private afterFailure(job: Job, failure: JobFailure & { retryable: boolean }, now: number): Job {
    const error = { code: failure.code, message: failure.message };
    if (failure.code === "cancelled" || job.cancelRequested) {
      return this.finish(job, "cancelled", now, error);
    }
    if (!failure.retryable) return this.finish(job, "failed", now, error);
    if (job.attempts >= job.maxAttempts) return this.finish(job, "dead", now, error);
    const backoff = this.options.retryBaseMs * 2 ** (job.attempts - 1);
    return {
      ...job,
      state: "ready",
      dueAt: now + backoff,
      error,
      workerId: undefined,
      leaseId: undefined,
      leaseUntil: undefined,
      progress: { phase: "queued" },
      updatedAt: now,
    };
  }

  private finish(job: Job, state: FinishedJob["state"], now: number, error?: JobFailure): Job {
    return {
      ...job,
      state,
      error,
      progress: undefined,
      workerId: undefined,
      leaseId: undefined,
      leaseUntil: undefined,
      finishedAt: now,
      updatedAt: now,
    };
  }

  /** Moves a leased job to its next state in one atomic; false when someone else moved it. */
  private async commitTransition(current: Deno.KvEntryMaybe<Job>, updated: Job): Promise<boolean> {
    const op = this.kv.atomic();
    this.addTransition(op, current, updated);
    return (await op.commit()).ok;
  }

  private addTransition(
    op: Deno.AtomicOperation,
    current: Deno.KvEntryMaybe<Job>,
    updated: Job,
  ): void {
    const job = current.value!;
    op.check(current)
      .delete(leasedKey(job.leaseUntil!, job.id))
      .sum(stateCountKey(job.state), MINUS_ONE)
      .sum(stateCountKey(updated.state), 1n);
    if (updated.state === "ready") {
      op.set(readyKey(updated), updated.id)
        .set(jobKey(updated.id), updated)
        .sum(JOBS_SIGNAL_KEY, 1n);
    } else {
      op.delete(byUserKey(updated.userId, updated.id))
        .set(outboxKey(updated.id), newOutboxEntry(updated.id))
        .set(jobKey(updated.id), updated, { expireIn: this.options.finishedTtlMs });
    }
  }
}

/** Entries written before reports were counted hold only the job's id. */
type StoredOutboxEntry = OutboxEntry | string;

function newOutboxEntry(jobId: string): OutboxEntry {
  return { jobId, attempts: 0 };
}

function outboxEntryOf(id: string, stored: Deno.KvEntry<StoredOutboxEntry>): OutboxEntry {
  return typeof stored.value === "string" ? newOutboxEntry(id) : stored.value;
}

/** Neither held by an instance nor waiting after a failed attempt. */
export function isReportDue(entry: OutboxEntry, now: number): boolean {
  return (entry.leaseUntil ?? 0) <= now && (entry.retryAt ?? 0) <= now;
}

/** KvU64 sums wrap around, so adding 2^64 - 1 subtracts one. */
const MINUS_ONE = 0xffff_ffff_ffff_ffffn;
