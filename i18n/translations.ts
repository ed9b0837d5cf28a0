/**
 * The bot's words, from locales/<locale>.ftl through Fluent. Each update's locale is settled
 * once, so a translation is one lookup and one format: no language negotiation per message.
 */
import { FluentBundle, FluentResource } from "@fluent/bundle";

export const LOCALES = ["en", "fr"] as const;
export type Locale = typeof LOCALES[number];
const FALLBACK: Locale = "en";

/** Telegram's language_code (e.g. "fr-CA") mapped to a locale the bot speaks. */
export function pickLocale(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export type Translate = (key: string, variables?: Record<string, string | number>) => string;

export class Translations {
  #sources = new Map<string, string>();
  /** parsed at a locale's first message: a cold start answers in one language and parses one */
  #bundles = new Map<string, FluentBundle>();
  /** messages without variables, formatted once per locale: buttons, titles, most lines */
  #plain = new Map<string, Map<string, string>>();

  add(locale: Locale, source: string): void {
    this.#sources.set(locale, source);
    this.#bundles.delete(locale);
    this.#plain.clear();
  }

  /** Parses every locale now, throwing on the first file with errors. */
  parseAll(): void {
    for (const locale of this.#sources.keys()) this.#bundle(locale);
  }

  #bundle(locale: string): FluentBundle | undefined {
    let bundle = this.#bundles.get(locale);
    const source = this.#sources.get(locale);
    if (bundle || source === undefined) return bundle;
    // Fluent's bidi isolation marks would show up in Telegram
    bundle = new FluentBundle(locale, { useIsolating: false });
    const errors = bundle.addResource(new FluentResource(source));
    if (errors.length > 0) throw new Error(`locales/${locale}.ftl: ${errors.join("; ")}`);
    this.#bundles.set(locale, bundle);
    return bundle;
  }

  /** The message in that locale, in English when the locale lacks it, else the key itself. */
  t(locale: string, key: string, variables?: Record<string, string | number>): string {
    if (variables) return this.#translate(locale, key, variables);
    // a locale without a bundle reads English: one memo for all of them
    const known = this.#sources.has(locale) ? locale : FALLBACK;
    let plain = this.#plain.get(known);
    if (!plain) this.#plain.set(known, plain = new Map());
    let text = plain.get(key);
    if (text === undefined) plain.set(key, text = this.#translate(known, key));
    return text;
  }

  #translate(locale: string, key: string, variables?: Record<string, string | number>) {
    return this.#format(locale, key, variables) ?? this.#format(FALLBACK, key, variables) ?? key;
  }

  #format(locale: string, key: string, variables?: Record<string, string | number>) {
    const bundle = this.#bundle(locale);
    const message = bundle?.getMessage(key);
    return message?.value ? bundle!.formatPattern(message.value, variables) : undefined;
  }
}

export async function createI18n(): Promise<Translations> {
  const translations = new Translations();
  for (const locale of LOCALES) {
    translations.add(
      locale,
      await Deno.readTextFile(new URL(`../locales/${locale}.ftl`, import.meta.url)),
    );
  }
  return translations;
}

/** A translate function bound to one locale, for messages sent outside an update. */
export function translatorFor(i18n: Translations, locale: string): Translate {
  return (key, variables) => i18n.t(locale, key, variables);
}
