/**
 * The bot's description (the "What can this bot do?" of an empty chat) and short description
 * (its profile, and links to it), in every locale, from the locale files. Set only when they
 * changed since the last time: the hash of what was set is kept in KV.
 */
import type { Api } from "grammy";
import { type Locale, LOCALES, type Translations } from "../i18n/translations.ts";
import { sha256Hex } from "../media/media_identity.ts";
import { getRegisteredHash, saveRegisteredHash } from "../kv/bot_profile.ts";

/** Telegram's limits. */
const DESCRIPTION_MAX = 512;
const SHORT_DESCRIPTION_MAX = 120;

export interface BotDescription {
  /** Telegram's language_code; none for the default, for every language without its own */
  languageCode?: Locale;
  description: string;
  shortDescription: string;
}

/** The default (English), then each locale under its language code. */
export function botDescriptions(i18n: Translations): BotDescription[] {
  const of = (locale: Locale, languageCode?: Locale): BotDescription => {
    const description = i18n.t(locale, "bot-description");
    const shortDescription = i18n.t(locale, "bot-short-description");
    if (description.length > DESCRIPTION_MAX || shortDescription.length > SHORT_DESCRIPTION_MAX) {
      throw new Error(`locales/${locale}.ftl: the bot's description is longer than Telegram takes`);
    }
    return { languageCode, description, shortDescription };
  };
  return [of("en"), ...LOCALES.map((locale) => of(locale, locale))];
}

/**
 * Sets the descriptions when they differ from those last set for this bot; true when it set them.
 * The hash is saved once every call went through, so a failure midway is retried next time.
 */
export async function syncBotDescriptions(
  deps: { api: Api; kv: Deno.Kv; i18n: Translations },
  botId: number,
): Promise<boolean> {
  const descriptions = botDescriptions(deps.i18n);
  const hash = await sha256Hex(JSON.stringify({ botId, descriptions }));
  if (await getRegisteredHash(deps.kv, "descriptions") === hash) return false;
  for (const { languageCode, description, shortDescription } of descriptions) {
    const language = languageCode ? { language_code: languageCode } : undefined;
    await deps.api.setMyDescription(description, language);
    await deps.api.setMyShortDescription(shortDescription, language);
  }
  await saveRegisteredHash(deps.kv, "descriptions", hash);
  return true;
}
