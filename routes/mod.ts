import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Bot } from "grammy";
import { pickLocale, type Translations, translatorFor } from "../i18n/translations.ts";
import type { BotContext } from "../bot/context.ts";
import type { Logger } from "../lib/logger.ts";
import { type HealthDeps, healthRoutes } from "./health.ts";
import { MAX_UPDATE_BYTES, telegramRoutes, WEBHOOK_PATH } from "./telegram.ts";
import { WORKER_BODY_MAX_BYTES, workerApiRoutes } from "./worker_api.ts";
import { playlistRoutes } from "./playlists.tsx";
import { adminRoutes } from "./admin.tsx";
import type { UserStore } from "../kv/users.ts";
import type { SendBudget } from "../lib/throttle.ts";
import { type BodyLimits, BodyTooLargeError, limitBodies } from "../lib/body_limit.ts";

export interface AppDeps extends HealthDeps {
  bot: Bot<BotContext>;
  webhookSecret?: string;
  workerToken?: string;
  /** the bot's flood budget, which fleet workers take their turns from */
  sendBudget: SendBudget;
  logger: Logger;
  i18n: Translations;
  /** where users reach the web pages: PUBLIC_URL, or localhost */
  publicBaseUrl: string;
  users: UserStore;
  adminIds: readonly number[];
}

/** Forms and sign-in data: a few hundred bytes, a Mini App's launch data about 1 KiB. */
export const FORM_BODY_MAX_BYTES = 8 * 1024;

/** The most a route reads of a request body: these areas need more, every other route a form. */
const LARGER_BODIES: readonly { prefix: string; maxBytes: number }[] = [
  { prefix: WEBHOOK_PATH, maxBytes: MAX_UPDATE_BYTES },
  { prefix: "/worker/v1/", maxBytes: WORKER_BODY_MAX_BYTES },
];

/** Each route's body limit, and the translated 413 beyond it. */
export function requestBodyLimits(i18n: Translations): BodyLimits {
  return {
    maxBytesFor: (path) =>
      LARGER_BODIES.find(({ prefix }) => path.startsWith(prefix))?.maxBytes ??
        FORM_BODY_MAX_BYTES,
    tooLarge: (c) => {
      const t = translatorFor(i18n, pickLocale(c.req.header("accept-language")));
      return c.text(t("http-body-too-large"), 413);
    },
  };
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const bodyLimits = requestBodyLimits(deps.i18n);
  // first, for every route, so one added later cannot forget it
  app.use(limitBodies(bodyLimits));
  app.route("/", healthRoutes(deps));
  app.route("/", workerApiRoutes(deps.jobs, deps.workerToken, deps.sendBudget));
  app.route(
    "/",
    playlistRoutes({
      kv: deps.kv,
      users: deps.users,
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
      botUsername: () => (deps.bot.isInited() ? deps.bot.botInfo.username : ""),
      adminIds: deps.adminIds,
      baseUrl: deps.publicBaseUrl,
      i18n: deps.i18n,
    }),
  );
  if (deps.webhookSecret) app.route("/", telegramRoutes(deps.bot, deps.webhookSecret));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof BodyTooLargeError) return bodyLimits.tooLarge(c);
    deps.logger.error("request failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
