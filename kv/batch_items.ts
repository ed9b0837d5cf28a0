/**
 * The links of a batch (/batch, a .txt file, a listed playlist) waiting for their turn, and the
 * few of each user that are running (probing, then downloading). The batch itself, its counts
 * and its message are kv/batches.ts; this is only who goes next.
 */
import { ulid } from "../lib/ids.ts";
import type { PlaylistEntry } from "../media/job_types.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface BatchItem extends PlaylistEntry {
  /** an item of a saved playlist ("download all"): downloaded as saved, without probing again */
  saved?: { playlistId: string; itemId: string };
  /** ULID: the item's entry id in the batch, and the id of its download job */
  id: string;
  /** the probe job's id, chosen in advance so a start retried after a crash queues it once */
  probeJobId: string;
  batchId: string;
  userId: number;
  chatId: number;
  lang: string;
}

const BATCH_ITEM_TTL_MS = 7 * 86_400_000;
/** set mutations per atomic, far below KV's limits for values this small */
const WRITE_CHUNK = 100;

function waitingKey(userId: number, id: string) {
  return ["batch_waiting", userId, id] as const;
}
export function runningItemKey(userId: number, id: string) {
  return ["batch_running", userId, id] as const;
}
export function runningItemsPrefix(userId: number) {
  return ["batch_running", userId] as const;
}
function stoppedKey(batchId: string) {
  return ["batch_stopped", batchId] as const;
}

/** New items in the given order; ULIDs keep it, within a batch and across a user's batches. */
export function newBatchItems(
  base: Pick<BatchItem, "batchId" | "userId" | "chatId" | "lang">,
  entries: (PlaylistEntry & Pick<BatchItem, "saved">)[],
): BatchItem[] {
  return entries.map((entry) => ({ ...entry, ...base, id: ulid(), probeJobId: ulid() }));
}

export async function addWaitingItems(kv: Deno.Kv, items: BatchItem[]): Promise<void> {
  for (let start = 0; start < items.length; start += WRITE_CHUNK) {
    const op = kv.atomic();
    for (const item of items.slice(start, start + WRITE_CHUNK)) {
      op.set(waitingKey(item.userId, item.id), item, { expireIn: BATCH_ITEM_TTL_MS });
    }
    if (!(await op.commit()).ok) throw new Error("could not store batch items");
  }
}

/** A user's next waiting items, oldest first. */
export async function listWaitingItems(
  kv: Deno.Kv,
  userId: number,
  limit: number,
): Promise<Deno.KvEntry<BatchItem>[]> {
  if (limit <= 0) return [];
  return await Array.fromAsync(
    kv.list<BatchItem>({ prefix: ["batch_waiting", userId] }, { limit }),
  );
}

export async function listRunningItems(kv: Deno.Kv, userId: number): Promise<BatchItem[]> {
  const entries = kv.list<BatchItem>({ prefix: runningItemsPrefix(userId) }, { limit: 1000 });
  return (await Array.fromAsync(entries)).map((entry) => entry.value);
}

/** Users with items waiting or running (to resume them after a restart). */
export async function listUsersWithItems(kv: Deno.Kv): Promise<number[]> {
  const users = new Set<number>();
  for (const prefix of ["batch_waiting", "batch_running"]) {
    for await (const entry of kv.list({ prefix: [prefix] })) users.add(entry.key[1] as number);
  }
  return [...users];
}

/**
 * Moves a waiting item to the running set, with `also` (taking the user's place) in the same
 * atomic; false when another pump took or dropped it, or what `also` checks changed.
 */
export async function startItem(
  kv: Deno.Kv,
  waiting: Deno.KvEntry<BatchItem>,
  also?: (op: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const item = waiting.value;
  const op = kv.atomic()
    .check(waiting)
    .delete(waiting.key)
    .set(runningItemKey(item.userId, item.id), item, { expireIn: BATCH_ITEM_TTL_MS });
  also?.(op);
  return (await op.commit()).ok;
}

/** Frees the item's place; false when it was freed before. */
export async function finishItem(kv: Deno.Kv, userId: number, id: string): Promise<boolean> {
  const entry = await kv.get<BatchItem>(runningItemKey(userId, id));
  if (entry.versionstamp === null) return false;
  return (await kv.atomic().check(entry).delete(entry.key).commit()).ok;
}

/** Removes every waiting item of a user and returns them (a cancel). */
export async function dropWaitingItems(kv: Deno.Kv, userId: number): Promise<BatchItem[]> {
  const dropped: BatchItem[] = [];
  while (true) {
    // a start that took one of them meanwhile fails the commit: read again
    const chunk = await retryAtomic(kv, async (op) => {
      const entries = await listWaitingItems(kv, userId, WRITE_CHUNK);
      for (const entry of entries) op.check(entry).delete(entry.key);
      return entries.length === 0 ? [] : commit(entries.map((entry) => entry.value));
    }, { what: `the waiting links of user ${userId}`, attempts: 20 });
    if (chunk.length === 0) return dropped;
    dropped.push(...chunk);
  }
}

/** Marks a batch as stopped, so its items that are between two jobs go no further. */
export async function stopBatchItems(kv: Deno.Kv, batchId: string): Promise<void> {
  await kv.set(stoppedKey(batchId), true, { expireIn: BATCH_ITEM_TTL_MS });
}

export async function isBatchStopped(kv: Deno.Kv, batchId: string): Promise<boolean> {
  return (await kv.get<boolean>(stoppedKey(batchId))).value === true;
}

/** The instance that queues a user's next items; `again` asks it for one more round. */
interface PumpLease {
  holder: string;
  until: number;
  again: boolean;
}

function pumpLeaseKey(userId: number) {
  return ["batch_pump", userId] as const;
}

/** a lease a crash left is found by the sweep long before this */
const PUMP_LEASE_TTL_MS = 86_400_000;

/**
 * Takes the pump of a user's items for `holder` (again, if it holds it); false when another
 * instance holds it, which is then asked for another round: what made the caller pump (an item
 * that ended, new items) is seen by that round.
 */
export async function takePump(
  kv: Deno.Kv,
  userId: number,
  holder: string,
  leaseMs: number,
  now = Date.now(),
): Promise<boolean> {
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<PumpLease>(pumpLeaseKey(userId));
    const lease = entry.value;
    if (lease && lease.holder !== holder && lease.until > now) {
      if (lease.again) return false;
      op.check(entry).set(entry.key, { ...lease, again: true }, { expireIn: PUMP_LEASE_TTL_MS });
      return commit(false);
    }
    op.check(entry).set(pumpLeaseKey(userId), { holder, until: now + leaseMs, again: false }, {
      expireIn: PUMP_LEASE_TTL_MS,
    });
    return commit(true);
  }, { what: `the batch pump of user ${userId}`, attempts: 20 });
}

/** Keeps the pump while a round runs; false when `holder` lost it. */
export async function renewPump(
  kv: Deno.Kv,
  userId: number,
  holder: string,
  leaseMs: number,
  now = Date.now(),
): Promise<boolean> {
  const entry = await kv.get<PumpLease>(pumpLeaseKey(userId));
  if (entry.value?.holder !== holder) return false;
  const renewed = { ...entry.value, until: now + leaseMs };
  const result = await kv.atomic().check(entry).set(entry.key, renewed, {
    expireIn: PUMP_LEASE_TTL_MS,
  }).commit();
  return result.ok;
}

/**
 * Gives the pump back after a round. False when another round was asked for meanwhile: the
 * holder keeps the pump and runs it. With `force` (a round that failed), it is given back anyway.
 */
export async function releasePump(
  kv: Deno.Kv,
  userId: number,
  holder: string,
  { force = false } = {},
): Promise<boolean> {
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<PumpLease>(pumpLeaseKey(userId));
    if (entry.value?.holder !== holder) return true;
    op.check(entry);
    if (entry.value.again && !force) {
      op.set(entry.key, { ...entry.value, again: false }, { expireIn: PUMP_LEASE_TTL_MS });
      return commit(false);
    }
    op.delete(entry.key);
    return commit(true);
  }, { what: `the batch pump of user ${userId}`, attempts: 20 });
}

/** Users whose pump's holder stopped without giving it back (a crash): the sweep pumps them. */
export async function listLapsedPumps(kv: Deno.Kv, now = Date.now()): Promise<number[]> {
  const users: number[] = [];
  for await (const entry of kv.list<PumpLease>({ prefix: ["batch_pump"] })) {
    if (entry.value.until <= now) users.push(entry.key[1] as number);
  }
  return users;
}
