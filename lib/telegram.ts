import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { createThrottler } from "./throttle.ts";

/** A Bot API client that waits out 429s (honouring retry_after) and network hiccups. */
export function createTelegramApi(config: { botToken: string; telegramApiRoot: string }): Api {
  const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot });
  installResilience(api);
  return api;
}

/** Throttles below Telegram's flood limits, and retries what still hits them. */
export function installResilience(api: Api): void {
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  api.config.use(createThrottler());
}
