/** What we know about media: probe results (short-lived) and uploaded files (permanent). */
import type { ProbeInfo, Variant } from "../media/media_types.ts";
import type { UploadedFile } from "../media/job_types.ts";
import { Lru } from "../lib/lru.ts";
import {
  hasSiteId,
  type MediaIdentity,
  mediaIdentity,
  type MediaRef,
  normalizeMediaUrl,
} from "../media/media_identity.ts";

/** An uploaded file as the cache keeps it: Telegram's ids plus what a resend needs. */
export interface CachedFile extends Omit<UploadedFile, "chatId" | "messageId"> {
  title: string;
  performer?: string;
  createdAt: number;
}

export const PROBE_TTL_MS = 6 * 3600_000;
/** L1 bounds: the probes in memory, by count and by approximate size */
const PROBE_MEMORY_ENTRIES = 500;
const PROBE_MEMORY_BYTES = 16 * 1024 * 1024;

/** A probe with the (normalised) URL it answers, checked on a hit at both levels. */
interface ProbeEntry {
  url: string;
  info: ProbeInfo;
}

/** KV's expireIn deletes some time after the deadline; expiresAt makes the deadline exact. */
interface StoredProbe extends ProbeEntry {
  expiresAt: number;
}

/** Cache entries carry the identity text of their media; a hit must match it. */
interface StoredFile {
  identity: string;
  file: CachedFile;
}
interface StoredParts {
  identity: string;
  parts: CachedFile[];
}

function probeKey(urlHash: string) {
  return ["probe_cache", urlHash] as const;
}
/** The media a link was probed as: outlives the probe, so an inline query finds its files. */
function linkMediaKey(urlHash: string) {
  return ["media_by_link", urlHash] as const;
}
const LINK_MEDIA_TTL_MS = 180 * 86_400_000;

interface LinkMedia {
  url: string;
  media: MediaRef;
}

/** A cached file found among several variants and modes, with where it was found. */
export interface FoundFile {
  variant: Variant;
  mode: SendMode;
  file: CachedFile;
}
/** How a file was sent: a playable video/audio, or a document ("send as file"). */
export type SendMode = "video" | "file";

function fileKey(identity: MediaIdentity, variant: Variant, mode: SendMode) {
  return ["media_file_cache", identity.key, variant, mode] as const;
}
function partsKey(identity: MediaIdentity, mode: SendMode) {
  return ["media_parts_cache", identity.key, mode] as const;
}
/** A gallery's items, sent as albums: keyed by identity and mode only (a gallery has no quality). */
function albumKey(identity: MediaIdentity, mode: SendMode) {
  return ["media_album_cache", identity.key, mode] as const;
}
/** Where files and parts were cached before keys carried the identity (see adoptLegacy). */
function legacyFileKey(media: MediaRef, variant: Variant, mode: SendMode) {
  return ["media_files", media.extractor, media.id, variant, mode] as const;
}
function legacyPartsKey(media: MediaRef, mode: SendMode) {
  return ["media_parts", media.extractor, media.id, mode] as const;
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
  readonly #probes: Lru<string, ProbeEntry>;
  readonly #now: () => number;

  constructor(private readonly kv: Deno.Kv, options: MediaStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#probes = new Lru<string, ProbeEntry>({
      max: options.memoryEntries ?? PROBE_MEMORY_ENTRIES,
      ttl: PROBE_TTL_MS,
      // approximate bytes; a probe larger than the whole bound is not kept
      maxSize: options.memoryBytes ?? PROBE_MEMORY_BYTES,
      sizeOf: (entry) => entry.url.length + JSON.stringify(entry.info).length,
      now: this.#now,
    });
  }

  /** L1 (memory) first, then L2 (KV); an L2 hit is kept in L1 for the rest of its life. */
  async getProbe(url: string): Promise<ProbeInfo | undefined> {
    const normalized = normalizeMediaUrl(url);
    const hash = await hashUrl(normalized);
    const memory = this.#probes.get(hash);
    const inMemory = memory?.url === normalized ? memory : undefined;
    this.count(this.stats.probeL1, inMemory !== undefined);
    if (inMemory) return inMemory.info;
    const stored = (await this.kv.get<StoredProbe>(probeKey(hash))).value;
    const now = this.#now();
    // entries from before the URL was stored have none, so they never match
    const fresh = stored?.url === normalized && stored.expiresAt > now ? stored : undefined;
    this.count(this.stats.probeL2, fresh !== undefined);
    if (fresh) {
      this.#probes.set(hash, { url: normalized, info: fresh.info }, { ttl: fresh.expiresAt - now });
    }
    return fresh?.info;
  }

  async saveProbe(url: string, info: ProbeInfo): Promise<void> {
    const normalized = normalizeMediaUrl(url);
    const hash = await hashUrl(normalized);
    this.#probes.set(hash, { url: normalized, info });
    const stored: StoredProbe = { url: normalized, info, expiresAt: this.#now() + PROBE_TTL_MS };
    const media: MediaRef = { extractor: info.extractor, id: info.id, webpageUrl: info.webpageUrl };
    await this.kv.atomic()
      .set(probeKey(hash), stored, { expireIn: PROBE_TTL_MS })
      .set(linkMediaKey(hash), { url: normalized, media } satisfies LinkMedia, {
        expireIn: LINK_MEDIA_TTL_MS,
      })
      .commit();
  }

  /** The media a link is, as its last probe said (the probe cache, then the longer-lived index). */
  async getMediaOfLink(url: string): Promise<MediaRef | undefined> {
    const probe = await this.getProbe(url);
    if (probe) return { extractor: probe.extractor, id: probe.id, webpageUrl: probe.webpageUrl };
    const normalized = normalizeMediaUrl(url);
    const stored = (await this.kv.get<LinkMedia>(linkMediaKey(await hashUrl(normalized)))).value;
    return stored?.url === normalized ? stored.media : undefined;
  }

  /**
   * The first file cached for the media in the order of `variants`, then `modes`: one hit or miss
   * counted, whatever the number of keys read. Files cached under legacy keys are not looked at.
   */
  async findFile(
    media: MediaRef,
    variants: readonly Variant[],
    modes: readonly SendMode[],
  ): Promise<FoundFile | undefined> {
    const identity = await mediaIdentity(media);
    const wanted = variants.flatMap((variant) => modes.map((mode) => ({ variant, mode })));
    let found: FoundFile | undefined;
    // getMany reads at most 10 keys
    for (let i = 0; i < wanted.length && !found; i += 10) {
      const chunk = wanted.slice(i, i + 10);
      const entries = await this.kv.getMany<StoredFile[]>(
        chunk.map(({ variant, mode }) => fileKey(identity, variant, mode)),
      );
      const index = entries.findIndex((e) => e.value?.identity === identity.text);
      if (index >= 0) found = { ...chunk[index], file: entries[index].value!.file };
    }
    this.count(this.stats.files, found !== undefined);
    return found;
  }

  /** Probes held in memory and their approximate size. */
  memoryUsage(): { entries: number; bytes: number } {
    return { entries: this.#probes.size, bytes: this.#probes.calculatedSize };
  }

  async getFile(
    media: MediaRef,
    variant: Variant,
    mode: SendMode = "video",
  ): Promise<CachedFile | undefined> {
    const identity = await mediaIdentity(media);
    const key = fileKey(identity, variant, mode);
    const stored = await this.readChecked(
      media,
      identity,
      key,
      legacyFileKey(media, variant, mode),
      (file: CachedFile): StoredFile => ({ identity: identity.text, file }),
    );
    this.count(this.stats.files, stored !== undefined);
    return stored?.file;
  }

  async saveFile(
    media: MediaRef,
    variant: Variant,
    file: CachedFile,
    mode: SendMode = "video",
  ): Promise<void> {
    const identity = await mediaIdentity(media);
    const stored: StoredFile = { identity: identity.text, file };
    await this.kv.set(fileKey(identity, variant, mode), stored);
  }

  /** Forgets a file Telegram no longer knows, so the next request downloads it again. */
  async forgetFile(media: MediaRef, variant: Variant, mode: SendMode = "video"): Promise<void> {
    await this.kv.delete(fileKey(await mediaIdentity(media), variant, mode));
  }

  /** The parts of a split download, in order. */
  async getParts(media: MediaRef, mode: SendMode = "video"): Promise<CachedFile[] | undefined> {
    const identity = await mediaIdentity(media);
    const stored = await this.readChecked(
      media,
      identity,
      partsKey(identity, mode),
      legacyPartsKey(media, mode),
      (parts: CachedFile[]): StoredParts => ({ identity: identity.text, parts }),
    );
    this.count(this.stats.files, stored !== undefined);
    return stored?.parts;
  }

  async saveParts(media: MediaRef, parts: CachedFile[], mode: SendMode = "video"): Promise<void> {
    const identity = await mediaIdentity(media);
    const stored: StoredParts = { identity: identity.text, parts };
    await this.kv.set(partsKey(identity, mode), stored);
  }

  async forgetParts(media: MediaRef, mode: SendMode = "video"): Promise<void> {
    await this.kv.delete(partsKey(await mediaIdentity(media), mode));
  }

  /** A gallery's items in order, as they were sent in albums. */
  async getAlbum(media: MediaRef, mode: SendMode = "video"): Promise<CachedFile[] | undefined> {
    const identity = await mediaIdentity(media);
    const stored = (await this.kv.get<StoredParts>(albumKey(identity, mode))).value;
    const album = stored?.identity === identity.text ? stored.parts : undefined;
    this.count(this.stats.files, album !== undefined);
    return album;
  }

  async saveAlbum(media: MediaRef, items: CachedFile[], mode: SendMode = "video"): Promise<void> {
    const identity = await mediaIdentity(media);
    const stored: StoredParts = { identity: identity.text, parts: items };
    await this.kv.set(albumKey(identity, mode), stored);
  }

  async forgetAlbum(media: MediaRef, mode: SendMode = "video"): Promise<void> {
    await this.kv.delete(albumKey(await mediaIdentity(media), mode));
  }

  /**
   * The entry at `key` if it is this media's (its identity text matches), else the one cached
   * under the legacy key if that can be trusted (see adoptLegacy).
   */
  private async readChecked<T extends { identity: string }, Legacy>(
    media: MediaRef,
    identity: MediaIdentity,
    key: Deno.KvKey,
    legacyKey: Deno.KvKey,
    upgrade: (legacy: Legacy) => T,
  ): Promise<T | undefined> {
    const keys = hasSiteId(media) ? [key, legacyKey] : [key];
    const [current, legacy] = await this.kv.getMany<unknown[]>(keys);
    const value = current.value as T | null;
    if (value) return value.identity === identity.text ? value : undefined;
    if (!legacy?.value) return undefined;
    return await this.adoptLegacy(key, legacy, upgrade(legacy.value as Legacy));
  }

  /**
   * Files cached before keys carried the identity sat under (extractor, id). For a site id that
   * named one media, so they move to their new key on first use; under a URL-derived id
   * (generic "video"…) they may be another link's file, so they are never read.
   */
  private async adoptLegacy<T>(
    key: Deno.KvKey,
    legacy: Deno.KvEntryMaybe<unknown>,
    upgraded: T,
  ): Promise<T> {
    await this.kv.atomic()
      .check(legacy, { key, versionstamp: null })
      .set(key, upgraded)
      .delete(legacy.key)
      .commit();
    return upgraded;
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
