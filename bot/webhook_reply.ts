/**
 * Telegram lets the answer to a webhook delivery carry one Bot API call, which saves a round
 * trip per update but returns no Message: it suits replies nobody edits later. The call is
 * written here rather than by grammY, whose client walks and re-serializes every payload.
 */
import type { Update } from "grammy/types";
import type { BotContext } from "./context.ts";

/** The answer to one webhook delivery, open until it carries a call or Telegram has it. */
class WebhookAnswer {
  #open = true;
  #deliver: (json: string) => void;

  constructor(deliver: (json: string) => void) {
    this.#deliver = deliver;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Hands a call to the answer; false when it is no longer open. */
  carry(json: string): boolean {
    if (!this.#open) return false;
    this.#open = false;
    this.#deliver(json);
    return true;
  }

  close(): void {
    this.#open = false;
  }
}

const answers = new WeakMap<Update, WebhookAnswer>();

/** Opens the answer of an update that came by webhook; the route closes it when it answers. */
export function openWebhookAnswer(update: Update, deliver: (json: string) => void): WebhookAnswer {
  const answer = new WebhookAnswer(deliver);
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
  const call = {
    method: "sendMessage",
    chat_id: chatId,
    text,
    business_connection_id: ctx.businessConnectionId,
    message_thread_id: msg?.is_topic_message ? msg.message_thread_id : undefined,
    direct_messages_topic_id: msg?.direct_messages_topic?.topic_id,
    ...other,
  };
  // the answer went out while the throttle held this reply: it goes by the Bot API instead
  if (!answer.carry(JSON.stringify(call))) await ctx.reply(text, other);
}
