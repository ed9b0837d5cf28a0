/** Wires the whole system: KV → bot → job service → routes → in-process workers. */
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Hono } from "hono";
import { delay } from "es-toolkit";
import type { Config } from "./config.ts";
import { JobQueue } from "./kv/jobs.ts";
import { MediaStore } from "./kv/media.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { createTelegramApi } from "./lib/telegram.ts";
import { RateLimiter } from "./lib/rate_limit.ts";
import { UrlGuard } from "./lib/url_guard.ts";
import { BOT_COMMANDS, createBot } from "./bot/bot.ts";
import { createI18n } from "./bot/i18n.ts";
import { JobService } from "./services/job_service.ts";
import { createApp } from "./routes/mod.ts";
import { WEBHOOK_PATH } from "./routes/telegram.ts";
import { startWorkerPool, type WorkerPool } from "./workers/pool.ts";
import { localTransport } from "./workers/transport.ts";

export interface SystemOptions {
  /** an already open KV (tests pass ":memory:" ones); otherwise config.kvPath is opened */
  kv?: Deno.Kv;
  logger?: Logger;
  sweepIntervalMs?: number;
  leaseMs?: number;
}

export interface System {
  config: Config;
  kv: Deno.Kv;
  app: Hono;
  jobs: JobService;
  queue: JobQueue;
  media: MediaStore;
  /** connects to Telegram (webhook or long polling) and starts the in-process workers */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function openKv(config: Config): Promise<Deno.Kv> {
  if (Deno.env.get("DENO_DEPLOYMENT_ID")) return await Deno.openKv();
  if (config.kvPath !== ":memory:") await Deno.mkdir(config.dataDir, { recursive: true });
  return await Deno.openKv(config.kvPath);
}

export async function createSystem(config: Config, options: SystemOptions = {}): Promise<System> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const kv = options.kv ?? await openKv(config);
  const ownsKv = !options.kv;
  const queue = new JobQueue(kv, options.leaseMs ? { leaseMs: options.leaseMs } : {});
  const media = new MediaStore(kv);
  const i18n = await createI18n();
  const urlGuard = new UrlGuard(config.allowPrivateUrls);
  const api = createTelegramApi(config);
  const jobs = new JobService({ config, kv, queue, media, api, i18n, urlGuard, logger });
  const bot = createBot({
    config,
    kv,
    queue,
    jobs,
    media,
    urlGuard,
    rateLimiter: new RateLimiter(20, 60_000),
    i18n,
    logger,
  });
  const app = createApp({
    bot,
    kv,
    jobs,
    media,
    webhookSecret: config.webhookSecret,
    workerToken: config.workerToken,
    logger,
  });

  let polling: RunnerHandle | undefined;
  let pool: WorkerPool | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;

  return {
    config,
    kv,
    app,
    jobs,
    queue,
    media,
    async start() {
      await bot.init();
      await bot.api.setMyCommands(BOT_COMMANDS.en);
      await bot.api.setMyCommands(BOT_COMMANDS.fr, { language_code: "fr" });
      if (config.publicUrl) {
        await bot.api.setWebhook(`${config.publicUrl}${WEBHOOK_PATH}`, {
          secret_token: config.webhookSecret,
          allowed_updates: ["message", "callback_query", "pre_checkout_query"],
        });
      } else {
        await bot.api.deleteWebhook();
        polling = run(bot);
      }
      sweeper = setInterval(() => {
        jobs.sweep().catch((error) => logger.error("sweep failed", { error }));
      }, options.sweepIntervalMs ?? 5_000);
      if (config.workers > 0) {
        pool = await startWorkerPool(config.workers, {
          transport: localTransport(jobs),
          api,
          config,
          logger,
          workerIdPrefix: `local-${Deno.pid}`,
        });
      }
      logger.info("started", {
        mode: config.publicUrl ? "webhook" : "long polling",
        workers: config.workers,
        bot: bot.botInfo.username,
      });
    },
    async stop() {
      clearInterval(sweeper);
      if (polling?.isRunning()) await polling.stop();
      // updates already handed to middleware still need KV
      while (polling && polling.size() > 0) await delay(20);
      await pool?.stop();
      jobs.close();
      await jobs.settled();
      if (ownsKv) kv.close();
    },
  };
}
