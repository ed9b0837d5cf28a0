/** Sets each update's translator: its locale is settled once, from the user's choice or Telegram's. */
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "./context.ts";
import {
  type Locale,
  pickLocale,
  type Translate,
  type Translations,
} from "../i18n/translations.ts";

/** What the middleware puts on every update's context. */
export interface I18nFlavor {
  t: Translate;
  i18n: {
    /** The update's locale: the user's choice, else their Telegram language. */
    getLocale(): Locale;
    /** Switches the rest of the update to another locale (after a change in settings). */
    useLocale(locale: string): void;
  };
}

export function i18nMiddleware(translations: Translations): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    let locale = pickLocale(ctx.user?.language ?? ctx.from?.language_code);
    ctx.i18n = {
      getLocale: () => locale,
      useLocale: (chosen) => {
        locale = pickLocale(chosen);
      },
    };
    ctx.t = (key, variables) => translations.t(locale, key, variables);
    return next();
  };
}
