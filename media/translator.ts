/** One interface for every machine translator, and the fallback that keeps the original text. */
import type { Logger } from "../lib/logger.ts";

export interface Translator {
  readonly name: string;
  /** Translates each text from one language to another (ISO 639-1 codes); same order, same count. */
  translate(texts: string[], from: string, to: string, signal?: AbortSignal): Promise<string[]>;
}

export class TranslationError extends Error {
  override name = "TranslationError";
}

/** TRANSLATOR=none: translation is switched off, so every request fails and keeps the original. */
export const noTranslator: Translator = {
  name: "none",
  translate() {
    return Promise.reject(new TranslationError("translation is switched off (TRANSLATOR=none)"));
  },
};

/** "en-US" → "en", "en-orig" → "en", "zh-Hans" → "zh", "FR" → "fr" */
export function primaryLanguage(code: string): string {
  return code.toLowerCase().split(/[-_]/)[0];
}

export interface TranslationOutcome {
  texts: string[];
  /** false: the translator failed and `texts` is the original */
  translated: boolean;
}

/** Translates, or keeps the original when the translator fails; the caller adds the note. */
export async function translateOrKeep(
  translator: Translator,
  texts: string[],
  from: string,
  to: string,
  options: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<TranslationOutcome> {
  const source = primaryLanguage(from);
  const target = primaryLanguage(to);
  if (source === target || texts.length === 0) return { texts, translated: true };
  try {
    const translated = await translator.translate(texts, source, target, options.signal);
    if (translated.length !== texts.length) {
      throw new TranslationError(
        `${translator.name} answered ${translated.length} of ${texts.length} texts`,
      );
    }
    return { texts: translated, translated: true };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    options.logger?.warn("translation failed; keeping the original", {
      translator: translator.name,
      from: source,
      to: target,
      error,
    });
    return { texts, translated: false };
  }
}

/** Splits a list into chunks of at most `size` (services cap texts per request). */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
