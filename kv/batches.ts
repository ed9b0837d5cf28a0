/**
 * Batches: a group of downloads (a playlist's "download all", a list of links) followed by one
 * progress message. Each entry's outcome is recorded once, whatever retries happen, in one
 * atomic with the batch's counts, so concurrent finishes never lose a count.
 */
import { ulid } from "../lib/ids.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface Batch {
  id: string;
  userId: number;
  chatId: number;
  lang: string;
  /** what the batch is, e.g. the playlist's name (plain text) */
  title: string;
  total: number;
  /** the message that shows the batch's progress */
  statusMessageId: number;
  done: number;
  failed: number;
  cancelled: number;
  createdAt: number;
}

export type BatchOutcome = "done" | "failed" | "cancelled";

export interface BatchEntry {
  outcome: BatchOutcome;
  title: string;
  /** why it failed: a job's error code, "quota", "bad_link" or "undeliverable" */
  reason?: string;
}

const BATCH_TTL_MS = 7 * 86_400_000;

function batchKey(id: string) {
  return ["batches", id] as const;
}
function entryKey(batchId: string, entryId: string) {
  return ["batch_entries", batchId, entryId] as const;
}

export function finishedCount(batch: Batch): number {
  return batch.done + batch.failed + batch.cancelled;
}

export async function createBatch(
  kv: Deno.Kv,
  input: Pick<Batch, "userId" | "chatId" | "lang" | "title" | "total" | "statusMessageId">,
): Promise<Batch> {
  const batch: Batch = {
    ...input,
    id: ulid(),
    done: 0,
    failed: 0,
    cancelled: 0,
    createdAt: Date.now(),
  };
  await kv.set(batchKey(batch.id), batch, { expireIn: BATCH_TTL_MS });
  return batch;
}

export async function getBatch(kv: Deno.Kv, id: string): Promise<Batch | null> {
  return (await getBatchEntry(kv, id)).value;
}

/** The batch with its versionstamp, for a write that must see whether it changed since. */
export function getBatchEntry(kv: Deno.Kv, id: string): Promise<Deno.KvEntryMaybe<Batch>> {
  return kv.get<Batch>(batchKey(id));
}

/**
 * Records how one entry (a job id, or any id unique in the batch) ended. Returns the updated
 * batch, or null when the entry was recorded before or the batch is gone.
 */
export async function recordBatchOutcome(
  kv: Deno.Kv,
  batchId: string,
  entryId: string,
  entry: BatchEntry,
): Promise<Batch | null> {
  return await retryAtomic(kv, async (op) => {
    const [current, recorded] = await kv.getMany<[Batch, BatchEntry]>([
      batchKey(batchId),
      entryKey(batchId, entryId),
    ]);
    if (!current.value || recorded.value) return null;
    const updated = { ...current.value, [entry.outcome]: current.value[entry.outcome] + 1 };
    op.check(current, recorded)
      .set(entryKey(batchId, entryId), entry, { expireIn: BATCH_TTL_MS })
      .set(batchKey(batchId), updated, { expireIn: BATCH_TTL_MS });
    return commit(updated);
  }, { what: `batch ${batchId}`, attempts: 50 });
}

/** Titles of the entries that did not succeed, for the final message. */
export async function listUnsuccessfulEntries(
  kv: Deno.Kv,
  batchId: string,
  limit = 10,
): Promise<BatchEntry[]> {
  const entries: BatchEntry[] = [];
  for await (const entry of kv.list<BatchEntry>({ prefix: ["batch_entries", batchId] })) {
    if (entry.value.outcome !== "done") entries.push(entry.value);
    if (entries.length === limit) break;
  }
  return entries;
}
