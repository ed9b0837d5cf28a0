/** What we know about media: probe results (short-lived) and uploaded files (permanent). */
import type { ProbeInfo, Variant } from "../workers/media_types.ts";
import type { UploadedFile } from "./job_types.ts";
import { LruCache } from "../lib/lru.ts";

/** An uploaded file as the cache keeps it: Telegram's ids plus what a resend needs. */
export interface CachedFile extends Omit<UploadedFile, "chatId" | "messageId"> {
  title: string;
  performer?: string;
  createdAt: number;
}

export const PROBE_TTL_MS = 6 * 3600_000;
/** L1 bounds: the probes in memory, by count and by approximate size */
export const PROBE_MEMORY_ENTRIES = 500;
export const PROBE_MEMORY_BYTES = 16 * 1024 * 1024;

/** KV's expireIn deletes some time after the deadline; expiresAt makes the deadline exact. */
interface StoredProbe {
  info: ProbeInfo;
  expiresAt: number;
}

function probeKey(urlHash: string) {
  return ["probe_cache", urlHash] as const;
}
function partsKey(extractor: string, mediaId: string, mode: SendMode) {
  return ["media_parts", extractor, mediaId, mode] as const;
}
/** How a file was sent: a playable video/audio, or a document ("send as file"). */
export type SendMode = "video" | "file";

function fileKey(extractor: string, mediaId: string, variant: Variant, mode: SendMode) {
  return ["media_files", extractor, mediaId, variant, mode] as const;
}

/** KV keys are limited to 2 KiB, so URLs are keyed by their SHA-256. */
export async function hashUrl(url: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

export interface CacheStats {
  probeL1: { hits: number; misses: number };
  probeL2: { hits: number; misses: number };
  files: { hits: number; misses: number };
}

export interface MediaStoreOptions {
  /** the clock of both probe caches (tests move it) */
  now?: () => number;
  memoryEntries?: number;
  memoryBytes?: number;
}

export class MediaStore {
  readonly stats: CacheStats = {
    probeL1: { hits: 0, misses: 0 },
    probeL2: { hits: 0, misses: 0 },
    files: { hits: 0, misses: 0 },
  };
  readonly #probes: LruCache<string, ProbeInfo>;
  readonly #now: () => number;

  constructor(private readonly kv: Deno.Kv, options: MediaStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#probes = new LruCache<string, ProbeInfo>(
      options.memoryEntries ?? PROBE_MEMORY_ENTRIES,
      PROBE_TTL_MS,
      this.#now,
      { of: (info) => JSON.stringify(info).length, max: options.memoryBytes ?? PROBE_MEMORY_BYTES },
    );
  }

  /** L1 (memory) first, then L2 (KV); an L2 hit is kept in L1 for the rest of its life. */
  async getProbe(url: string): Promise<ProbeInfo | undefined> {
    const hash = await hashUrl(url);
    const memory = this.#probes.get(hash);
    this.count(this.stats.probeL1, memory !== undefined);
    if (memory) return memory;
    const stored = (await this.kv.get<StoredProbe>(probeKey(hash))).value;
    const now = this.#now();
    const fresh = stored && stored.expiresAt > now ? stored : undefined;
    this.count(this.stats.probeL2, fresh !== undefined);
    if (fresh) this.#probes.set(hash, fresh.info, fresh.expiresAt - now);
    return fresh?.info;
  }

  async saveProbe(url: string, info: ProbeInfo): Promise<void> {
    const hash = await hashUrl(url);
    this.#probes.set(hash, info);
    const stored: StoredProbe = { info, expiresAt: this.#now() + PROBE_TTL_MS };
    await this.kv.set(probeKey(hash), stored, { expireIn: PROBE_TTL_MS });
  }

  /** Probes held in memory and their approximate size. */
  memoryUsage(): { entries: number; bytes: number } {
    return { entries: this.#probes.size, bytes: this.#probes.totalWeight };
  }

  async getFile(
    info: Pick<ProbeInfo, "extractor" | "id">,
    variant: Variant,
    mode: SendMode = "video",
  ): Promise<CachedFile | undefined> {
    const file =
      (await this.kv.get<CachedFile>(fileKey(info.extractor, info.id, variant, mode))).value ??
        undefined;
    this.count(this.stats.files, file !== undefined);
    return file;
  }

  async saveFile(
    info: Pick<ProbeInfo, "extractor" | "id">,
    variant: Variant,
    file: CachedFile,
    mode: SendMode = "video",
  ): Promise<void> {
    await this.kv.set(fileKey(info.extractor, info.id, variant, mode), file);
  }

  /** Forgets a file Telegram no longer knows, so the next request downloads it again. */
  async forgetFile(
    info: Pick<ProbeInfo, "extractor" | "id">,
    variant: Variant,
    mode: SendMode = "video",
  ): Promise<void> {
    await this.kv.delete(fileKey(info.extractor, info.id, variant, mode));
  }

  /** The parts of a split download, in order. */
  async getParts(
    info: Pick<ProbeInfo, "extractor" | "id">,
    mode: SendMode = "video",
  ): Promise<CachedFile[] | undefined> {
    const key = partsKey(info.extractor, info.id, mode);
    const parts = (await this.kv.get<CachedFile[]>(key)).value ?? undefined;
    this.count(this.stats.files, parts !== undefined);
    return parts;
  }

  async saveParts(
    info: Pick<ProbeInfo, "extractor" | "id">,
    parts: CachedFile[],
    mode: SendMode = "video",
  ): Promise<void> {
    await this.kv.set(partsKey(info.extractor, info.id, mode), parts);
  }

  async forgetParts(info: Pick<ProbeInfo, "extractor" | "id">, mode: SendMode = "video") {
    await this.kv.delete(partsKey(info.extractor, info.id, mode));
  }

  private count(counter: { hits: number; misses: number }, hit: boolean) {
    if (hit) counter.hits++;
    else counter.misses++;
  }
}

/** What the file cache keeps of an upload: Telegram's ids plus what a resend needs. */
export function cachedFileOf(
  file: Omit<UploadedFile, "chatId" | "messageId">,
  meta: { title: string; performer?: string },
): CachedFile {
  return {
    fileId: file.fileId,
    fileUniqueId: file.fileUniqueId,
    kind: file.kind,
    size: file.size,
    width: file.width,
    height: file.height,
    duration: file.duration,
    title: meta.title,
    performer: meta.performer,
    createdAt: Date.now(),
  };
}
