/** What we know about media: probe results (short-lived) and uploaded files (permanent). */
import type { MediaKind, ProbeInfo, Variant } from "../workers/media_types.ts";
import { LruCache } from "../lib/lru.ts";

export interface CachedFile {
  fileId: string;
  fileUniqueId: string;
  kind: MediaKind;
  size: number;
  width?: number;
  height?: number;
  duration?: number;
  title: string;
  performer?: string;
  createdAt: number;
}

export const PROBE_TTL_MS = 6 * 3600_000;

function probeKey(urlHash: string) {
  return ["probes", urlHash] as const;
}
function fileKey(extractor: string, mediaId: string, variant: Variant) {
  return ["media_files", extractor, mediaId, variant] as const;
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

export class MediaStore {
  readonly stats: CacheStats = {
    probeL1: { hits: 0, misses: 0 },
    probeL2: { hits: 0, misses: 0 },
    files: { hits: 0, misses: 0 },
  };
  readonly #probes = new LruCache<string, ProbeInfo>(500, PROBE_TTL_MS);

  constructor(private readonly kv: Deno.Kv) {}

  async getProbe(url: string): Promise<ProbeInfo | undefined> {
    const hash = await hashUrl(url);
    const memory = this.#probes.get(hash);
    this.count(this.stats.probeL1, memory !== undefined);
    if (memory) return memory;
    const stored = (await this.kv.get<ProbeInfo>(probeKey(hash))).value ?? undefined;
    this.count(this.stats.probeL2, stored !== undefined);
    if (stored) this.#probes.set(hash, stored);
    return stored;
  }

  async saveProbe(url: string, info: ProbeInfo): Promise<void> {
    const hash = await hashUrl(url);
    this.#probes.set(hash, info);
    await this.kv.set(probeKey(hash), info, { expireIn: PROBE_TTL_MS });
  }

  async getFile(
    info: Pick<ProbeInfo, "extractor" | "id">,
    variant: Variant,
  ): Promise<CachedFile | undefined> {
    const file = (await this.kv.get<CachedFile>(fileKey(info.extractor, info.id, variant))).value ??
      undefined;
    this.count(this.stats.files, file !== undefined);
    return file;
  }

  async saveFile(
    info: Pick<ProbeInfo, "extractor" | "id">,
    variant: Variant,
    file: CachedFile,
  ): Promise<void> {
    await this.kv.set(fileKey(info.extractor, info.id, variant), file);
  }

  /** Forgets a file Telegram no longer knows, so the next request downloads it again. */
  async forgetFile(info: Pick<ProbeInfo, "extractor" | "id">, variant: Variant): Promise<void> {
    await this.kv.delete(fileKey(info.extractor, info.id, variant));
  }

  private count(counter: { hits: number; misses: number }, hit: boolean) {
    if (hit) counter.hits++;
    else counter.misses++;
  }
}
