/** Screens that replace the message whose button opened them, so menus navigate in place. */
import { GrammyError } from "grammy";
import type { InlineKeyboardMarkup, LinkPreviewOptions } from "grammy/types";
import type { BotContext } from "./context.ts";

export interface ScreenOptions {
  reply_markup: InlineKeyboardMarkup;
  link_preview_options?: LinkPreviewOptions;
}

/**
 * Shows a text screen: in the message of the button pressed when there is one, else (a command,
 * or a message Telegram no longer lets the bot edit, such as a photo) in a new message.
 */
export async function showScreen(
  ctx: BotContext,
  text: string,
  options: ScreenOptions,
): Promise<void> {
  if (ctx.callbackQuery?.message?.text !== undefined) {
    try {
      await ctx.editMessageText(text, options);
      return;
    } catch (error) {
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      // pressing a button of the screen already shown changes nothing
      if (/not modified/.test(error.description)) return;
    }
  }
  await ctx.reply(text, options);
}
