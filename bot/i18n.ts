import { I18n } from "@grammyjs/i18n";
import type { BotContext } from "./context.ts";

export const LOCALES = ["en", "fr"] as const;
export type Locale = typeof LOCALES[number];

/** Telegram's language_code (e.g. "fr-CA") mapped to a locale the bot speaks. */
export function pickLocale(languageCode: string | undefined): Locale {
  return languageCode?.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export type Translate = (key: string, variables?: Record<string, string | number>) => string;

/** Loads locales/<locale>.ftl; Fluent's bidi isolation marks would show up in Telegram, so they are off. */
export async function createI18n(): Promise<I18n<BotContext>> {
  const i18n = new I18n<BotContext>({
    defaultLocale: "en",
    useSession: false,
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: (ctx) => ctx.user?.language ?? pickLocale(ctx.from?.language_code),
  });
  for (const locale of LOCALES) {
    const source = await Deno.readTextFile(new URL(`../locales/${locale}.ftl`, import.meta.url));
    await i18n.loadLocale(locale, { source });
  }
  return i18n;
}

/** A translate function bound to one locale, for messages sent outside an update. */
export function translatorFor(i18n: I18n<BotContext>, locale: string): Translate {
  return (key, variables) => i18n.t(locale, key, variables);
}
