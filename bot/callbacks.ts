/** Button handlers registered by kind (views/callbacks.ts): each gets its data's fields, typed. */
import type { CallbackQueryContext, Composer } from "grammy";
import {
  type CallbackFields,
  callbackFields,
  type CallbackKind,
  callbackPattern,
} from "../views/callbacks.ts";
import type { BotContext } from "./context.ts";

/** Runs `handler` for presses of the buttons of `kind`. */
export function onCallback<C extends BotContext, K extends CallbackKind>(
  composer: Composer<C>,
  kind: K,
  handler: (ctx: CallbackQueryContext<C>, fields: CallbackFields<K>) => Promise<unknown>,
): void {
  composer.callbackQuery(callbackPattern(kind), async (ctx) => {
    await handler(ctx, callbackFields(kind, ctx.match as RegExpMatchArray));
  });
}
