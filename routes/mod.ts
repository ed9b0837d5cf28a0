import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Bot } from "grammy";
import type { Translations } from "../bot/i18n.ts";
import type { BotContext } from "../bot/context.ts";
import type { Logger } from "../lib/logger.ts";
import { type HealthDeps, healthRoutes } from "./health.ts";
import { telegramRoutes } from "./telegram.ts";
import { workerApiRoutes } from "./worker_api.ts";
import { playlistRoutes } from "./playlists.tsx";
import { adminRoutes } from "./admin.tsx";
import type { UserStore } from "../kv/users.ts";

export interface AppDeps extends HealthDeps {
  bot: Bot<BotContext>;
  webhookSecret?: string;
  workerToken?: string;
  logger: Logger;
  i18n: Translations;
  /** where users reach the web pages: PUBLIC_URL, or localhost */
  publicBaseUrl: string;
  users: UserStore;
  adminIds: readonly number[];
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.route("/", healthRoutes(deps));
  app.route("/", workerApiRoutes(deps.jobs, deps.workerToken));
  app.route(
    "/",
    playlistRoutes({
      kv: deps.kv,
      botToken: deps.bot.token,
      // the server may answer before the bot's getMe: the page's t.me link then lacks the name
      botUsername: () => (deps.bot.isInited() ? deps.bot.botInfo.username : ""),
      baseUrl: deps.publicBaseUrl,
      i18n: deps.i18n,
    }),
  );
  app.route(
    "/",
    adminRoutes({
      kv: deps.kv,
      queue: deps.jobs.queue,
      users: deps.users,
      botToken: deps.bot.token,
      botUsername: () => deps.bot.botInfo.username,
      adminIds: deps.adminIds,
      baseUrl: deps.publicBaseUrl,
      i18n: deps.i18n,
    }),
  );
  if (deps.webhookSecret) app.route("/", telegramRoutes(deps.bot, deps.webhookSecret));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    deps.logger.error("request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
