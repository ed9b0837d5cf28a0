/** Translations are kept by language pair and text hash: in KV for the app, in memory elsewhere. */
import { boundedKeyPart } from "../../lib/kv_key.ts";
import { Lru } from "../../lib/lru.ts";
import type { Translator } from "../../media/translator.ts";

export interface TranslationCache {
  /** one answer per key, undefined where nothing is stored */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  setMany(entries: readonly { key: string; text: string }[]): Promise<void>;
}

const TRANSLATION_TTL_MS = 30 * 24 * 3600_000;
/** Deno KV reads at most 10 keys at once */
const KV_READ_BATCH = 10;
/** well within KV's limits for one atomic (1000 mutations, 800 KB) */
const KV_WRITE_BATCH = 100;

function translationKey(key: string) {
  return ["translations", boundedKeyPart(key)] as const;
}

export class KvTranslationCache implements TranslationCache {
  constructor(private readonly kv: Deno.Kv) {}

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const found: (string | undefined)[] = [];
    for (let i = 0; i < keys.length; i += KV_READ_BATCH) {
      const entries = await this.kv.getMany<string[]>(
        keys.slice(i, i + KV_READ_BATCH).map(translationKey),
      );
      found.push(...entries.map((entry) => entry.value ?? undefined));
    }
    return found;
  }

  async setMany(entries: readonly { key: string; text: string }[]): Promise<void> {
    for (let i = 0; i < entries.length; i += KV_WRITE_BATCH) {
      const op = this.kv.atomic();
      for (const { key, text } of entries.slice(i, i + KV_WRITE_BATCH)) {
        op.set(translationKey(key), text, { expireIn: TRANSLATION_TTL_MS });
      }
      await op.commit();
    }
  }
}

export class MemoryTranslationCache implements TranslationCache {
  readonly #entries = new Lru<string, string>({ max: 20_000, ttl: TRANSLATION_TTL_MS });

  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.#entries.get(key)));
  }

  setMany(entries: readonly { key: string; text: string }[]): Promise<void> {
    for (const { key, text } of entries) this.#entries.set(key, text);
    return Promise.resolve();
  }
}

/** "en:fr:<sha-256 of the text>": KV keys stay short whatever the text. */
async function translationCacheKey(text: string, from: string, to: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${from}:${to}:${hex}`;
}

/** Asks the translator only for texts it has not translated before (each distinct text once). */
export class CachedTranslator implements Translator {
  constructor(private readonly inner: Translator, private readonly cache: TranslationCache) {}

  get name(): string {
    return this.inner.name;
  }

  async translate(
    texts: string[],
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const keys = await Promise.all(texts.map((text) => translationCacheKey(text, from, to)));
    const known = await this.cache.getMany(keys);
    const missing = new Map<string, string>();
    keys.forEach((key, i) => {
      if (known[i] === undefined) missing.set(key, texts[i]);
    });
    if (missing.size > 0) {
      const fresh = await this.inner.translate([...missing.values()], from, to, signal);
      const entries = [...missing.keys()].map((key, i) => ({ key, text: fresh[i] }));
      await this.cache.setMany(entries);
      for (const { key, text } of entries) missing.set(key, text);
    }
    return keys.map((key, i) => known[i] ?? missing.get(key)!);
  }
}
