/** What the bot says in a group: how it works there, and the way to the private chat. */
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";

/** The deep link that opens the bot's private chat and starts it there. */
function privateChatLink(botUsername: string): string {
  return `https://t.me/${botUsername}?start=group`;
}

export function privateChatKeyboard(t: Translate, botUsername: string): InlineKeyboard {
  return new InlineKeyboard().url(t("button-open-private"), privateChatLink(botUsername));
}
