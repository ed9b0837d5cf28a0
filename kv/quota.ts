/**
 * Daily download quota. A download reserves bytes atomically before it is queued, the worker may
 * not exceed the reservation, and completion settles it to the real size (failure releases it),
 * so concurrent requests can never overrun a user's quota.
 */
import { localDay } from "../lib/time.ts";

export interface Reservation {
  jobId: string;
  userId: number;
  day: string;
  bytes: number;
}

function usedKey(userId: number, day: string) {
  return ["quota_used", userId, day] as const;
}
function reservationKey(jobId: string) {
  return ["quota_reservations", jobId] as const;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | { ok: false; usedBytes: number; leftBytes: number };

export class QuotaStore {
  constructor(private readonly kv: Deno.Kv, private readonly now: () => number = Date.now) {}

  /** Where today's used bytes are, to read them along with other keys in one getMany. */
  usedTodayKey(userId: number, timezone: string): Deno.KvKey {
    return usedKey(userId, localDay(this.now(), timezone));
  }

  async usedToday(userId: number, timezone: string): Promise<number> {
    const entry = await this.kv.get<number>(this.usedTodayKey(userId, timezone));
    return entry.value ?? 0;
  }

  /**
   * Reserves up to `wantedBytes` (at least `minimumBytes`) within `limitBytes`; a smaller
   * reservation is granted when that is all that is left.
   */
  async reserve(
    jobId: string,
    userId: number,
    timezone: string,
    limitBytes: number,
    wantedBytes: number,
    minimumBytes = 1,
  ): Promise<ReserveResult> {
    const day = localDay(this.now(), timezone);
    for (let attempt = 0; attempt < 20; attempt++) {
      const entry = await this.kv.get<number>(usedKey(userId, day));
      const used = entry.value ?? 0;
      const left = Math.max(0, limitBytes - used);
      const bytes = Math.min(wantedBytes, left);
      if (bytes < minimumBytes || bytes <= 0) {
        return { ok: false, usedBytes: used, leftBytes: left };
      }
      const reservation = { jobId, userId, day, bytes };
      const result = await this.kv.atomic()
        .check(entry)
        .check({ key: reservationKey(jobId), versionstamp: null })
        .set(usedKey(userId, day), used + bytes, { expireIn: 3 * 86_400_000 })
        .set(reservationKey(jobId), reservation, { expireIn: 3 * 86_400_000 })
        .commit();
      if (result.ok) return { ok: true, reservation };
    }
    throw new Error(`quota of user ${userId} is too busy`);
  }

  /** Counts bytes received without a job (a cache hit); allowed to end at the limit, never past. */
  async charge(
    userId: number,
    timezone: string,
    limitBytes: number,
    bytes: number,
  ): Promise<boolean> {
    const day = localDay(this.now(), timezone);
    for (let attempt = 0; attempt < 20; attempt++) {
      const entry = await this.kv.get<number>(usedKey(userId, day));
      const used = entry.value ?? 0;
      if (used + bytes > limitBytes) return false;
      const result = await this.kv.atomic().check(entry)
        .set(usedKey(userId, day), Math.max(0, used + bytes), { expireIn: 3 * 86_400_000 })
        .commit();
      if (result.ok) return true;
    }
    throw new Error(`quota of user ${userId} is too busy`);
  }

  /** Gives back bytes charged for a delivery that did not happen. */
  async refund(userId: number, timezone: string, bytes: number): Promise<void> {
    await this.charge(userId, timezone, Infinity, -bytes);
  }

  /** Replaces a reservation by the real size (0 releases it). Settling twice changes nothing. */
  async settle(jobId: string, actualBytes: number): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const held = await this.kv.get<Reservation>(reservationKey(jobId));
      if (!held.value) return;
      const { userId, day, bytes } = held.value;
      const entry = await this.kv.get<number>(usedKey(userId, day));
      const used = Math.max(0, (entry.value ?? 0) - bytes + Math.min(actualBytes, bytes));
      const result = await this.kv.atomic()
        .check(held)
        .check(entry)
        .delete(reservationKey(jobId))
        .set(usedKey(userId, day), used, { expireIn: 3 * 86_400_000 })
        .commit();
      if (result.ok) return;
    }
    throw new Error(`could not settle the quota of job ${jobId}`);
  }

  release(jobId: string): Promise<void> {
    return this.settle(jobId, 0);
  }
}
