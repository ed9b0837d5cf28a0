import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";

/** A Bot API client that waits out 429s (honouring retry_after) and network hiccups. */
export function createTelegramApi(config: { botToken: string; telegramApiRoot: string }): Api {
  const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot });
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  return api;
}
