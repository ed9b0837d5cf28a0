import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Bot } from "grammy";
import type { BotContext } from "../bot/context.ts";
import type { Logger } from "../lib/logger.ts";
import { type HealthDeps, healthRoutes } from "./health.ts";
import { telegramRoutes } from "./telegram.ts";
import { workerApiRoutes } from "./worker_api.ts";

export interface AppDeps extends HealthDeps {
  bot: Bot<BotContext>;
  webhookSecret?: string;
  workerToken?: string;
  logger: Logger;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route("/", healthRoutes(deps));
  app.route("/", workerApiRoutes(deps.jobs, deps.workerToken));
  if (deps.webhookSecret) app.route("/", telegramRoutes(deps.bot, deps.webhookSecret));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.logger.error("request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
