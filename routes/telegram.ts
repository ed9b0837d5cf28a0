import { Hono } from "hono";
import { type Bot, webhookCallback } from "grammy";
import type { BotContext } from "../bot/context.ts";

export const WEBHOOK_PATH = "/telegram/webhook";

/** Telegram's updates; grammY answers 401 when the secret header is missing or wrong. */
export function telegramRoutes(bot: Bot<BotContext>, secretToken: string) {
  const handle = webhookCallback(bot, "hono", { secretToken, onTimeout: "return" });
  return new Hono().post(WEBHOOK_PATH, (c) => handle(c));
}
