/**
 * Telegram lets the answer to a webhook delivery carry one Bot API call, which saves a round
 * trip per update but returns no Message. grammY uses it only while a handler has armed it.
 */
import type { Update } from "grammy/types";
import type { BotContext } from "./context.ts";

/** The Bot API methods a webhook answer may carry. */
export const canUseWebhookReply = (method: string) => method === "sendMessage";

/** The answer to one webhook delivery: grammY's envelope, open while armed. */
class WebhookReply {
  armed = false;
  #deliver: (json: string) => void;
  constructor(deliver: (json: string) => void) {
    this.#deliver = deliver;
  }
  get send(): ((json: string) => Promise<void>) | undefined {
    return this.armed ? (json) => Promise.resolve(this.#deliver(json)) : undefined;
  }
}

const replies = new WeakMap<Update, WebhookReply>();

/** The envelope grammY gets for an update that came by webhook. */
export function webhookReplyFor(update: Update, deliver: (json: string) => void): WebhookReply {
  const reply = new WebhookReply(deliver);
  replies.set(update, reply);
  return reply;
}

/** ctx.reply, carried by the webhook answer when there is one: for answers nobody edits later. */
export async function replyInWebhook(
  ctx: BotContext,
  ...args: Parameters<BotContext["reply"]>
): Promise<void> {
  const reply = replies.get(ctx.update);
  if (reply) reply.armed = true;
  try {
    await ctx.reply(...args);
  } finally {
    if (reply) reply.armed = false;
  }
}
