import { Hono } from "hono";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/context.ts";
import { openWebhookAnswer, type WebhookAnswer } from "../bot/webhook_reply.ts";
import { matchesSecret } from "../lib/secrets.ts";

export const WEBHOOK_PATH = "/telegram/webhook";

/** How long Telegram's request waits for an answer; the update's handling goes on after. */
const ANSWER_WAIT_MS = 10_000;
/** An update is a few kilobytes; this leaves room for the longest message and its entities. */
export const MAX_UPDATE_BYTES = 1024 * 1024;

/**
 * Telegram's wait for every request in flight, kept by one interval rather than a timer each
 * (under load, thousands of timers a second); the interval runs only while requests wait.
 */
class AnswerDeadlines {
  static readonly SWEEP_MS = 250;
  /** each waiting request's answer, with its deadline */
  readonly #waiting = new Map<WebhookAnswer, number>();
  #sweeper?: ReturnType<typeof setInterval>;

  constructor(private readonly waitMs: number) {}

  /** The answer is closed once the wait is over (a sweep later at most), unless released first. */
  hold(answer: WebhookAnswer): void {
    this.#waiting.set(answer, Date.now() + this.waitMs);
    this.#sweeper ??= setInterval(() => this.#sweep(), AnswerDeadlines.SWEEP_MS);
  }

  release(answer: WebhookAnswer): void {
    this.#waiting.delete(answer);
    if (this.#waiting.size === 0) this.#stop();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [answer, deadline] of this.#waiting) {
      if (deadline <= now) {
        this.#waiting.delete(answer);
        answer.close();
      }
    }
    if (this.#waiting.size === 0) this.#stop();
  }

  #stop(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}

/** Telegram's updates, authenticated by the secret header given to setWebhook. */
export function telegramRoutes(
  bot: Bot<BotContext>,
  secretToken: string,
  { answerWaitMs = ANSWER_WAIT_MS } = {},
) {
  const isSecret = matchesSecret(secretToken);
  const deadlines = new AnswerDeadlines(answerWaitMs);
  return new Hono().post(WEBHOOK_PATH, async (c) => {
    if (!isSecret(c.req.header("x-telegram-bot-api-secret-token") ?? "")) {
      return c.text("secret token is wrong", 401);
    }
    const update = await c.req.json<Update>().catch(() => undefined);
    if (typeof update?.update_id !== "number") return c.text("not an update", 400);
    if (!bot.isInited()) await bot.init();
    const answer = openWebhookAnswer(update);
    const handled = bot.handleUpdate(update);
    // a failure after the answer went out is bot.catch's to log: Telegram has its 200 by then
    handled.catch(() => {});
    deadlines.hold(answer);
    try {
      // a failure before any answer is a 500: Telegram delivers the update again
      const json = await Promise.race([answer.settled, handled.then(() => undefined)]);
      return json === undefined
        ? c.body(null, 200)
        : c.body(json, 200, { "content-type": "application/json" });
    } finally {
      deadlines.release(answer);
      answer.close();
    }
  });
}
