/**
 * Download quota over a rolling 24 hours: a byte the user received counts for the 24 hours after
 * it was received, whatever time zone they pick (the zone only changes how times are shown).
 *
 * One KV entry per user holds it all: the bytes delivered per hour of the last 25, and the
 * reservations ("holds") of jobs still running, each under its job's id. A job's hold is written
 * in the same atomic as the job (`reservation()`, an enqueue gate), the worker may not exceed it,
 * and the job's end settles it to what was delivered (a failure or cancel releases it), so
 * concurrent requests can never overrun a quota and a hold never exists without its job.
 */
import { localDay } from "../lib/time.ts";
import type { Admission, EnqueueGate } from "./jobs.ts";
import type { Job } from "../media/job_types.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export const HOUR_MS = 3_600_000;
/** a byte counts while its hour is one of the last 25: 24 to 25 hours after it was received */
const WINDOW_HOURS = 24;
/**
 * No job lives this long (retries and a 3-hour recording included): a hold this old can only
 * have lost its job, and must not keep the user's quota for ever.
 */
const HOLD_TTL_MS = 2 * 86_400_000;
const LEDGER_TTL_MS = 3 * 86_400_000;
/** Telegram stops redelivering an update after a day */
const REQUEST_TTL_MS = 86_400_000;
/** Below this, a download of unknown size (or a recording) is not worth starting. */
export const MIN_RESERVATION_BYTES = 1024 * 1024;
const ATTEMPTS = 20;

export interface QuotaLedger {
  /** bytes delivered, by the hour they were delivered in (`Math.floor(at / HOUR_MS)`) */
  hours: Record<string, number>;
  /** reservations of jobs not yet ended, by job id */
  holds: Record<string, { bytes: number; at: number }>;
}

export interface QuotaUsage {
  limitBytes: number;
  /** delivered within the last 24 hours */
  usedBytes: number;
  /** reserved by jobs still running */
  heldBytes: number;
  leftBytes: number;
}

/** Why a request was refused: what is left, and when enough frees up (undefined: as jobs end). */
export interface QuotaRefusal {
  reason: "quota";
  limitBytes: number;
  leftBytes: number;
  freesAt?: number;
}

/** What a cache hit charged, to refund it exactly if the file cannot be sent. */
export interface QuotaCharge {
  hour: number;
  bytes: number;
}

export interface ReservationRequest {
  userId: number;
  /** only to read the count kept before the rolling window (see `legacyUsedKey`) */
  timezone: string;
  limitBytes: number;
  /** reserved when that much is left; less is granted down to `minimumBytes` */
  wantedBytes: number;
  minimumBytes: number;
}

function ledgerKey(userId: number) {
  return ["quota_ledger", userId] as const;
}
/**
 * Before the rolling window, bytes were counted per local day under this key. A user's entry for
 * the current local day is carried into their ledger once, as received in the current hour.
 */
function legacyUsedKey(userId: number, day: string) {
  return ["quota_used", userId, day] as const;
}
/** A cache hit's request, charged once however often Telegram delivers it. */
function chargedRequestKey(userId: number, request: string) {
  return ["quota_charged_requests", userId, request] as const;
}

type LedgerRead = [Deno.KvEntryMaybe<QuotaLedger>, Deno.KvEntryMaybe<number>];

export class QuotaStore {
  constructor(private readonly kv: Deno.Kv, private readonly now: () => number = Date.now) {}

  /** The keys `usageFrom()` reads, to fetch them along with others in one getMany. */
  usageKeys(userId: number, timezone: string): [Deno.KvKey, Deno.KvKey] {
    return [ledgerKey(userId), legacyUsedKey(userId, localDay(this.now(), timezone))];
  }

  usageFrom(entries: Deno.KvEntryMaybe<unknown>[], limitBytes: number): QuotaUsage {
    return usageOf(this.ledgerOf(entries as LedgerRead), this.now(), limitBytes);
  }

  async usage(userId: number, timezone: string, limitBytes: number): Promise<QuotaUsage> {
    return this.usageFrom(await this.read(userId, timezone), limitBytes);
  }

  /**
   * An enqueue gate that reserves up to `wantedBytes` under the job's id and holds the worker to
   * what it reserved (`maxBytes` in the payload).
   */
  reservation(request: ReservationRequest): EnqueueGate<QuotaRefusal> {
    return {
      admit: async (job: Job): Promise<Admission | { ok: false; refusal: QuotaRefusal }> => {
        const { payload } = job;
        if (payload.kind === "probe" || payload.kind === "expand") {
          throw new Error(`a ${payload.kind} job delivers no media to reserve for`);
        }
        const now = this.now();
        const read = await this.read(request.userId, request.timezone);
        const ledger = this.ledgerOf(read);
        const left = usageOf(ledger, now, request.limitBytes).leftBytes;
        const bytes = Math.min(request.wantedBytes, left);
        if (bytes < request.minimumBytes || bytes <= 0) {
          return {
            ok: false,
            refusal: refusalOf(ledger, now, request.limitBytes, request.minimumBytes),
          };
        }
        const held: QuotaLedger = {
          ...ledger,
          holds: { ...ledger.holds, [job.id]: { bytes, at: now } },
        };
        return {
          ok: true,
          job: { ...job, payload: { ...payload, reservationId: job.id, maxBytes: bytes } },
          writes: (op) => this.write(op, read, held),
        };
      },
    };
  }

  /**
   * Counts bytes received without a job (a cache hit); allowed to end at the limit, never past.
   * A request charged before (`duplicate`) is not charged again, and must not be sent again.
   */
  async charge(
    userId: number,
    timezone: string,
    limitBytes: number,
    bytes: number,
    request: string,
  ): Promise<
    | { ok: true; charge: QuotaCharge; duplicate: boolean }
    | { ok: false; refusal: QuotaRefusal }
  > {
    const requestKey = chargedRequestKey(userId, request);
    return await retryAtomic(this.kv, async (op) => {
      const now = this.now();
      const hour = Math.floor(now / HOUR_MS);
      const [read, requested] = await Promise.all([
        this.read(userId, timezone),
        this.kv.get<QuotaCharge>(requestKey),
      ]);
      if (requested.value) {
        return { ok: true as const, charge: requested.value, duplicate: true };
      }
      const ledger = this.ledgerOf(read);
      if (usageOf(ledger, now, limitBytes).leftBytes < bytes) {
        return { ok: false as const, refusal: refusalOf(ledger, now, limitBytes, bytes) };
      }
      const charge = { hour, bytes };
      op.check(requested).set(requestKey, charge, { expireIn: REQUEST_TTL_MS });
      this.write(op, read, addToHour(ledger, hour, bytes));
      return commit({ ok: true as const, charge, duplicate: false });
    }, { what: `the quota of user ${userId}`, attempts: ATTEMPTS });
  }

  /** Gives back a charge for a delivery that did not happen. */
  async refund(userId: number, timezone: string, charge: QuotaCharge): Promise<void> {
    await this.update(userId, timezone, (ledger) => addToHour(ledger, charge.hour, -charge.bytes));
  }

  /**
   * Replaces a job's hold by what it delivered (at most the hold); 0 releases it. Settling twice,
   * or a job that reserved nothing, changes nothing.
   */
  async settle(userId: number, jobId: string, deliveredBytes: number): Promise<void> {
    await this.update(userId, undefined, (ledger) => {
      const hold = ledger.holds[jobId];
      if (!hold) return null;
      const { [jobId]: _settled, ...holds } = ledger.holds;
      const hour = Math.floor(this.now() / HOUR_MS);
      return addToHour({ ...ledger, holds }, hour, Math.min(deliveredBytes, hold.bytes));
    });
  }

  release(userId: number, jobId: string): Promise<void> {
    return this.settle(userId, jobId, 0);
  }

  private async update(
    userId: number,
    timezone: string | undefined,
    change: (ledger: QuotaLedger) => QuotaLedger | null,
  ): Promise<void> {
    await retryAtomic(this.kv, async (op) => {
      const read = await this.read(userId, timezone);
      const next = change(this.ledgerOf(read));
      if (!next) return;
      this.write(op, read, next);
      return commit(undefined);
    }, { what: `the quota of user ${userId}`, attempts: ATTEMPTS });
  }

  /** The ledger and, while the user has none yet, the count kept per local day before it. */
  private async read(userId: number, timezone?: string): Promise<LedgerRead> {
    if (timezone === undefined) {
      return [await this.kv.get<QuotaLedger>(ledgerKey(userId)), NO_LEGACY];
    }
    return await this.kv.getMany(this.usageKeys(userId, timezone)) as LedgerRead;
  }

  private ledgerOf([ledger, legacy]: LedgerRead): QuotaLedger {
    if (ledger.value) return ledger.value;
    const hours: Record<string, number> = {};
    if (legacy.value) hours[Math.floor(this.now() / HOUR_MS)] = legacy.value;
    return { hours, holds: {} };
  }

  /** Writes the ledger, pruned, checking what was read; the legacy count is carried over once. */
  private write(op: Deno.AtomicOperation, [ledger, legacy]: LedgerRead, next: QuotaLedger): void {
    op.check(ledger).set(ledger.key, prune(next, this.now()), { expireIn: LEDGER_TTL_MS });
    if (ledger.versionstamp === null && legacy.versionstamp !== null) {
      op.check(legacy).delete(legacy.key);
    }
  }
}

const NO_LEGACY: Deno.KvEntryMaybe<number> = { key: [], value: null, versionstamp: null };

function addToHour(ledger: QuotaLedger, hour: number, bytes: number): QuotaLedger {
  const current = ledger.hours[hour];
  // a refund for an hour already out of the window has nothing left to give back
  if (current === undefined && bytes < 0) return ledger;
  return { ...ledger, hours: { ...ledger.hours, [hour]: Math.max(0, (current ?? 0) + bytes) } };
}

function firstCountedHour(now: number): number {
  return Math.floor(now / HOUR_MS) - WINDOW_HOURS;
}

function prune(ledger: QuotaLedger, now: number): QuotaLedger {
  const first = firstCountedHour(now);
  return {
    hours: Object.fromEntries(
      Object.entries(ledger.hours).filter(([hour, bytes]) => Number(hour) >= first && bytes > 0),
    ),
    holds: Object.fromEntries(
      Object.entries(ledger.holds).filter(([, hold]) => now - hold.at < HOLD_TTL_MS),
    ),
  };
}

function usageOf(ledger: QuotaLedger, now: number, limitBytes: number): QuotaUsage {
  const current = prune(ledger, now);
  const usedBytes = Object.values(current.hours).reduce((sum, bytes) => sum + bytes, 0);
  const heldBytes = Object.values(current.holds).reduce((sum, hold) => sum + hold.bytes, 0);
  return {
    limitBytes,
    usedBytes,
    heldBytes,
    leftBytes: Math.max(0, limitBytes - usedBytes - heldBytes),
  };
}

/** What is left, and the first time `neededBytes` will be, as the oldest hours leave the window. */
function refusalOf(
  ledger: QuotaLedger,
  now: number,
  limitBytes: number,
  neededBytes: number,
): QuotaRefusal {
  const current = prune(ledger, now);
  const usage = usageOf(current, now, limitBytes);
  let left = usage.leftBytes;
  let freesAt: number | undefined;
  const hours = Object.entries(current.hours).map(([hour, bytes]) => [Number(hour), bytes]);
  for (const [hour, bytes] of hours.sort((a, b) => a[0] - b[0])) {
    left = Math.min(limitBytes - usage.heldBytes, left + bytes);
    if (left >= neededBytes) {
      freesAt = (hour + WINDOW_HOURS + 1) * HOUR_MS;
      break;
    }
  }
  return { reason: "quota", limitBytes, leftBytes: usage.leftBytes, freesAt };
}
