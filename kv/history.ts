/** Each user's delivered downloads, newest first. */
import { ulid } from "ulid";
import type { MediaKind, Variant } from "../workers/media_types.ts";

export interface HistoryEntry {
  id: string;
  userId: number;
  title: string;
  url: string;
  kind: MediaKind;
  variant: Variant;
  size: number;
  extractor: string;
  mediaId: string;
  fromCache: boolean;
  at: number;
}

function historyKey(userId: number, id: string) {
  return ["history", userId, id] as const;
}
function downloadsCountKey(userId: number) {
  return ["user_counters", userId, "downloads"] as const;
}
function bytesCountKey(userId: number) {
  return ["user_counters", userId, "bytes"] as const;
}
function dailyBytesKey(userId: number, day: string) {
  return ["usage_daily", userId, day] as const;
}

export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Records a delivery with its counters in one atomic. */
export async function addHistoryEntry(
  kv: Deno.Kv,
  input: Omit<HistoryEntry, "id" | "at">,
  at = Date.now(),
): Promise<HistoryEntry> {
  const entry: HistoryEntry = { ...input, id: ulid(at), at };
  const size = BigInt(Math.max(0, Math.round(entry.size)));
  await kv.atomic()
    .set(historyKey(entry.userId, entry.id), entry)
    .sum(downloadsCountKey(entry.userId), 1n)
    .sum(bytesCountKey(entry.userId), size)
    .sum(dailyBytesKey(entry.userId, utcDay(at)), size)
    .commit();
  return entry;
}

export async function listRecentHistory(
  kv: Deno.Kv,
  userId: number,
  limit = 10,
): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for await (
    const e of kv.list<HistoryEntry>({ prefix: ["history", userId] }, { reverse: true, limit })
  ) {
    entries.push(e.value);
  }
  return entries;
}

export interface UsageSummary {
  downloads: number;
  totalBytes: number;
  todayBytes: number;
}

export async function getUsageSummary(
  kv: Deno.Kv,
  userId: number,
  at = Date.now(),
): Promise<UsageSummary> {
  const [downloads, bytes, today] = await kv.getMany<Deno.KvU64[]>([
    downloadsCountKey(userId),
    bytesCountKey(userId),
    dailyBytesKey(userId, utcDay(at)),
  ]);
  return {
    downloads: Number(downloads.value?.value ?? 0n),
    totalBytes: Number(bytes.value?.value ?? 0n),
    todayBytes: Number(today.value?.value ?? 0n),
  };
}
