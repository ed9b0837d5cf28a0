import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { createThrottler, TELEGRAM_LIMITS, type ThrottleLimits } from "./throttle.ts";

/** A Bot API client that waits out 429s (honouring retry_after) and network hiccups. */
export function createTelegramApi(
  config: { botToken: string; telegramApiRoot: string },
  limits: ThrottleLimits = TELEGRAM_LIMITS,
): Api {
  const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot });
  installResilience(api, limits);
  return api;
}

/** Throttles below Telegram's flood limits, and retries what still hits them. */
export function installResilience(api: Api, limits: ThrottleLimits = TELEGRAM_LIMITS): void {
  api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
  api.config.use(createThrottler(limits));
}
