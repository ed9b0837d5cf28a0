/** Picks the translator TRANSLATOR names, with its cache. */
import { CachedTranslator, type TranslationCache } from "./cache.ts";
import { DeepLTranslator } from "./deepl.ts";
import { LibreTranslateTranslator } from "./libretranslate.ts";
import { noTranslator, TranslationError, type Translator } from "../../media/translator.ts";

export type TranslatorKind = "offline" | "libretranslate" | "deepl" | "none";

export interface TranslatorSettings {
  translator: TranslatorKind;
  translatorUrl?: string;
  translatorKey?: string;
  apertiumPath?: string;
}

export function createTranslator(
  settings: TranslatorSettings,
  cache?: TranslationCache,
): Translator {
  const translator = baseTranslator(settings);
  return cache && translator !== noTranslator
    ? new CachedTranslator(translator, cache)
    : translator;
}

/**
 * The app's translator for previews' titles, or none, and then no "Translate title": an HTTP
 * translator anywhere; Apertium only where the process may start it (never on Deno Deploy,
 * nor in a process run without --allow-run).
 */
export function titleTranslator(
  settings: TranslatorSettings,
  cache?: TranslationCache,
): Translator | undefined {
  if (settings.translator === "none") return undefined;
  if (settings.translator === "offline" && !maySpawn()) return undefined;
  return createTranslator(settings, cache);
}

function maySpawn(): boolean {
  return Deno.permissions.querySync({ name: "run" }).state === "granted";
}

function baseTranslator(settings: TranslatorSettings): Translator {
  switch (settings.translator) {
    case "offline":
      return offlineTranslator(settings.apertiumPath);
    case "libretranslate":
      if (!settings.translatorUrl) {
        throw new TranslationError("TRANSLATOR=libretranslate needs TRANSLATOR_URL");
      }
      return new LibreTranslateTranslator({
        url: settings.translatorUrl,
        key: settings.translatorKey,
      });
    case "deepl":
      if (!settings.translatorKey) {
        throw new TranslationError("TRANSLATOR=deepl needs TRANSLATOR_KEY");
      }
      return new DeepLTranslator({ key: settings.translatorKey, url: settings.translatorUrl });
    case "none":
      return noTranslator;
  }
}

/**
 * Apertium, loaded at its first translation: it runs through the workers' process helpers, whose
 * Node modules would weigh on every cold start of the app.
 */
function offlineTranslator(apertiumPath: string | undefined): Translator {
  let loaded: Promise<Translator> | undefined;
  const apertium = () =>
    loaded ??= import("./apertium.ts").then(({ ApertiumTranslator }) =>
      new ApertiumTranslator({ apertiumPath })
    );
  return {
    name: "apertium",
    translate: async (texts, from, to, signal) =>
      await (await apertium()).translate(texts, from, to, signal),
  };
}
