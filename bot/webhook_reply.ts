/**
 * Telegram lets the answer to a webhook delivery carry one Bot API call, which saves a round
 * trip per update but returns no Message: it suits replies nobody edits later. The call is
 * written here rather than by grammY, whose client walks and re-serializes every payload.
 */
import type { Update } from "grammy/types";
import type { BotContext } from "./context.ts";
import { withHtmlParseMode } from "../lib/telegram.ts";
import { withTurnTaken } from "../lib/throttle.ts";

/** The answer to one webhook delivery: a call it carries, or nothing once closed without one. */
export class WebhookAnswer {
  readonly #settled = Promise.withResolvers<string | undefined>();
  #open = true;

  /** the JSON of the call it carries; undefined when it closed without one */
  get settled(): Promise<string | undefined> {
    return this.#settled.promise;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Hands a call to the answer; false when it is no longer open. */
  carry(json: string): boolean {
    return this.#settle(json);
  }

  /** Telegram gets its answer without a call. */
  close(): void {
    this.#settle(undefined);
  }

  #settle(json: string | undefined): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.#settled.resolve(json);
    return true;
  }
}

const answers = new WeakMap<Update, WebhookAnswer>();

/** Opens the answer of an update that came by webhook; the route closes it when it answers. */
export function openWebhookAnswer(update: Update): WebhookAnswer {
  const answer = new WebhookAnswer();
  answers.set(update, answer);
  return answer;
}

/** ctx.reply, carried by the webhook answer while it is open; within the same flood limits. */
export async function replyInWebhook(
  ctx: BotContext,
  text: string,
  other: Parameters<BotContext["reply"]>[1] = {},
): Promise<void> {
  const answer = answers.get(ctx.update);
  const chatId = ctx.chatId;
  if (!answer?.open || chatId === undefined) {
    await ctx.reply(text, other);
    return;
  }
  await ctx.deps.throttle.take(chatId);
  const msg = ctx.msg;
  // the fields grammY's ctx.reply adds, so a topic or business chat gets the reply where it was asked
  // and the parse mode the bot's Api client would set (lib/telegram.ts)
  const call = withHtmlParseMode("sendMessage", {
    method: "sendMessage",
    chat_id: chatId,
    text,
    business_connection_id: ctx.businessConnectionId,
    message_thread_id: msg?.is_topic_message ? msg.message_thread_id : undefined,
    direct_messages_topic_id: msg?.direct_messages_topic?.topic_id,
    ...other,
  });
  // the answer went out while the throttle held this reply: it goes by the Bot API instead, on
  // the turn it waited for
  if (!answer.carry(JSON.stringify(call))) await ctx.reply(text, withTurnTaken(other));
}
