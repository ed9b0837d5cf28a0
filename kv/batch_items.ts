/**
 * The links of a batch (/batch, a .txt file, a listed playlist) waiting for their turn, and the
 * few of each user that are running (probing, then downloading). The batch itself, its counts
 * and its message are kv/batches.ts; this is only who goes next.
 */
import { ulid } from "ulid";
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
