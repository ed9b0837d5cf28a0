/** Wires the whole system: KV → bot → job service → routes → in-process workers. */
import type { RunnerHandle } from "@grammyjs/runner";
import type { Hono } from "hono";
import { delay } from "es-toolkit/promise";
import type { Config } from "./config.ts";
import { JobQueue } from "./kv/jobs.ts";
import { MediaStore } from "./kv/media.ts";
import { UserStore } from "./kv/users.ts";
import { QuotaStore } from "./kv/quota.ts";
import { CoalescedReads } from "./kv/coalesced_reads.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { createTelegramApi } from "./lib/telegram.ts";
import { TELEGRAM_LIMITS, Throttle, type ThrottleLimits } from "./lib/throttle.ts";
import { KvSendBudget } from "./kv/send_budget.ts";
import { RateLimits } from "./kv/rate_limits.ts";
import { type AddressPolicy, UrlGuard } from "./lib/url_guard.ts";
import { ALLOWED_UPDATES, createBot } from "./bot/bot.ts";
import { applyTelegramSetup, isSetUp, telegramSetup } from "./bot/telegram_setup.ts";
import { readBotInfo } from "./kv/telegram_setup.ts";
import { ensureKvIdentity } from "./kv/kv_identity.ts";
import { GrammyError } from "grammy";
import { createI18n } from "./i18n/translations.ts";
import { JobService } from "./services/job_service.ts";
import { EventBus } from "./services/events.ts";
import { registerGamification } from "./services/gamification.ts";
import { Analytics } from "./services/analytics.ts";
import { indexDeliveries } from "./services/recommendations.ts";
import { trackConversions } from "./services/experiments.ts";
import { createApp } from "./routes/mod.ts";
import { publicBaseUrl } from "./lib/links.ts";
import { WEBHOOK_PATH } from "./routes/telegram.ts";
import type { WorkerPool } from "./workers/pool.ts";
import { localTransport } from "./services/local_transport.ts";
import { createTranslator, titleTranslator } from "./workers/translate/mod.ts";
import { KvTranslationCache } from "./workers/translate/cache.ts";
import { CookieVault } from "./services/cookies.ts";
import { importSealingKey } from "./lib/sealed_text.ts";
import { syncBotDescriptions } from "./services/bot_descriptions.ts";

export interface SystemOptions {
  /** an already open KV (tests pass ":memory:" ones); otherwise config.kvPath is opened */
  kv?: Deno.Kv;
  logger?: Logger;
  sweepIntervalMs?: number;
  leaseMs?: number;
  /** base of the backoff between attempts to report a finished job (tests shorten it) */
  reportRetryBaseMs?: number;
  /** Telegram's flood limits by default; load tests against the fake Bot API raise them */
  throttle?: ThrottleLimits;
  /**
   * Long polling gave up (a revoked token, or another process polling the same bot): no update
   * comes in any more. Logged in any case; main.ts ends the process so its supervisor restarts it.
   */
  onPollingStopped?: (error: unknown) => void;
  /** tests only: where the in-process workers' egress guard connects */
  egressPolicy?: AddressPolicy;
}

export interface System {
  config: Config;
  kv: Deno.Kv;
  app: Hono;
  jobs: JobService;
  events: EventBus;
  queue: JobQueue;
  media: MediaStore;
  users: UserStore;
  /** admins' cookie sets for sites */
  cookies: CookieVault;
  /**
   * Starts the in-process workers and takes updates: in webhook mode with no Bot API call (the
   * bot was read from KV, where `deno task telegram:setup` left it, when the system was built, so
   * an update served before start() needs none either); with long polling, connects in the
   * background, retrying while Telegram cannot be reached. Never throws for Telegram. Called
   * again, it waits for the same start; once stop() was called, it starts nothing.
   */
  start(): Promise<void>;
  /** expired leases back to the queue, due schedules started; nothing once stopping */
  sweep(): Promise<void>;
  /**
   * Stops taking work, lets the workers hand back theirs, then stops `server` (requests in
   * flight finish) and only then closes KV. Called again, or while stopping, it waits for the
   * same stop; called during start(), it first waits for what start() is starting.
   */
  stop(server?: { shutdown(): Promise<void> }): Promise<void>;
}

/** Backoff between attempts to reach Telegram at start. */
const CONNECT_RETRY_MS = { first: 1_000, max: 60_000 };

/** Telegram's answer for a token it does not know or has revoked: retrying cannot help. */
function isTokenRefused(error: unknown): boolean {
  return error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404);
}

/** Deploy's own KV there; elsewhere a file, `:memory:`, or a hosted database through KV Connect. */
export async function openKv(config: Config): Promise<Deno.Kv> {
  if (config.onDeploy) return await Deno.openKv();
  if (config.kvPath !== ":memory:" && !config.kvConnect) {
    await Deno.mkdir(config.dataDir, { recursive: true });
  }
  return await Deno.openKv(config.kvPath);
}

export async function createSystem(config: Config, options: SystemOptions = {}): Promise<System> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const kv = options.kv ?? await openKv(config);
  const ownsKv = !options.kv;
  const queue = new JobQueue(kv, {
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.reportRetryBaseMs ? { reportRetryBaseMs: options.reportRetryBaseMs } : {}),
  });
  const media = new MediaStore(kv);
  const reads = new CoalescedReads(kv);
  const users = new UserStore(kv, reads);
  const quota = new QuotaStore(kv);
  const i18n = await createI18n();
  const urlGuard = new UrlGuard(config.allowPrivateUrls);
  // Telegram's limits are per bot: every instance, and the fleet through the worker API, shares them
  const sendBudget = new KvSendBudget(kv, options.throttle ?? TELEGRAM_LIMITS);
  const throttle = new Throttle(sendBudget);
  const api = createTelegramApi(config, throttle, logger);
  const events = new EventBus(logger);
  registerGamification({ kv, api, i18n, events, users, config, logger });
  const analytics = new Analytics({ kv, events, logger, forwardUrl: config.analyticsUrl });
  indexDeliveries(events, kv);
  trackConversions(events, kv);
  const translationCache = new KvTranslationCache(kv);
  // the in-process workers' (subtitles), and the app's own for previews' titles
  const translator = createTranslator(config, translationCache);
  const titles = titleTranslator(config, translationCache);
  const cookies = new CookieVault({
    kv,
    key: config.cookiesKey ? await importSealingKey(config.cookiesKey) : undefined,
    api,
    i18n,
    users,
    adminIds: config.adminIds,
    logger,
  });
  const jobs = new JobService({
    config,
    kv,
    users,
    queue,
    media,
    quota,
    api,
    i18n,
    urlGuard,
    events,
    logger,
    cookies,
    titleTranslation: titles !== undefined,
  });
  const bot = createBot(
    {
      config,
      kv,
      reads,
      queue,
      jobs,
      events,
      media,
      users,
      quota,
      urlGuard,
      rateLimits: new RateLimits(kv, 30, 30_000),
      throttle,
      i18n,
      logger,
      translator: titles,
      cookies,
    },
  );
  const app = createApp({
    bot,
    kv,
    jobs,
    media,
    webhookSecret: config.webhookSecret,
    workerToken: config.workerToken,
    sendBudget,
    metricsToken: config.metricsToken,
    logger,
    i18n,
    publicBaseUrl: publicBaseUrl(config),
    users,
    adminIds: config.adminIds,
  });

  let polling: RunnerHandle | undefined;
  let pool: WorkerPool | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let stopping: Promise<void> | undefined;
  const sweeps = new Set<Promise<void>>();

  let connecting: Promise<void> | undefined;
  let starting: Promise<void> | undefined;
  const stopConnecting = new AbortController();

  /** Webhook mode: the bot from KV (no getMe on the way to the first answer), if it is there. */
  const useStoredBotInfo = async () => {
    const setup = telegramSetup(config.botToken, config.adminIds, {
      url: `${config.publicUrl}${WEBHOOK_PATH}`,
      secretToken: config.webhookSecret ?? "",
    });
    const [botInfo, setUp] = await Promise.all([readBotInfo(kv), isSetUp(kv, setup)]).catch(
      (error) => {
        logger.error("the bot's setup could not be read from KV", { error });
        return [undefined, true] as const;
      },
    );
    if (botInfo?.id === setup.botId) bot.botInfo = botInfo;
    if (!setUp) {
      logger.warn(
        "Telegram may not have this webhook and these commands yet: run `deno task telegram:setup`",
      );
    }
  };

  /**
   * Long polling: the bot's setup (commands; hash in KV, so unchanged means no call), no webhook,
   * then the poller. Retried with backoff while Telegram fails; a refused token ends it.
   */
  const connectPolling = async () => {
    for (let wait = CONNECT_RETRY_MS.first; !stopConnecting.signal.aborted;) {
      try {
        const { botInfo } = await applyTelegramSetup(
          bot.api,
          kv,
          telegramSetup(config.botToken, config.adminIds),
          { logger },
        );
        await syncBotDescriptions({ api: bot.api, kv, i18n }, botInfo.id);
        bot.botInfo = botInfo;
        await bot.api.deleteWebhook();
        break;
      } catch (error) {
        if (stopConnecting.signal.aborted) return;
        if (isTokenRefused(error)) {
          logger.error("long polling stopped: no more updates come in", { error });
          options.onPollingStopped?.(error);
          return;
        }
        logger.warn("Telegram could not be reached at start; trying again", {
          error,
          waitMs: wait,
        });
        await delay(wait, { signal: stopConnecting.signal }).catch(() => {});
        wait = Math.min(wait * 2, CONNECT_RETRY_MS.max);
      }
    }
    if (stopConnecting.signal.aborted) return;
    // the runner and the worker pool are loaded only where they run: a webhook start needs neither
    const { run } = await import("@grammyjs/runner");
    if (stopConnecting.signal.aborted) return;
    polling = run(bot, { runner: { fetch: { allowed_updates: ALLOWED_UPDATES } } });
    polling.task()?.catch((error) => {
      logger.error("long polling stopped: no more updates come in", { error });
      options.onPollingStopped?.(error);
    });
  };

  const sweep = (): Promise<void> => {
    if (stopping) return Promise.resolve();
    const running = jobs.sweep().catch((error) => logger.error("sweep failed", { error }));
    sweeps.add(running);
    running.finally(() => sweeps.delete(running));
    return running;
  };

  const stopOnce = async (server?: { shutdown(): Promise<void> }) => {
    logger.info("stopping");
    clearInterval(sweeper);
    stopConnecting.abort();
    // a stop asked during start-up: the pool being started is stopped below once it is there
    await starting?.catch(() => {});
    await connecting;
    if (polling?.isRunning()) await polling.stop();
    // updates already handed to middleware still need KV
    while (polling && polling.size() > 0) await delay(20);
    await pool?.stop();
    // ends fleet workers' long polls, so the server's requests in flight end too
    jobs.close();
    await server?.shutdown();
    await Promise.all(sweeps);
    await jobs.settled();
    await events.settled();
    await analytics.close();
    if (ownsKv) kv.close();
    logger.info("stopped");
  };

  const startOnce = async () => {
    if (stopping) return;
    ensureKvIdentity(kv).catch((error) => logger.error("KV identity not written", { error }));
    if (!config.publicUrl) connecting = connectPolling();
    sweeper = setInterval(sweep, options.sweepIntervalMs ?? 5_000);
    if (config.workers > 0) {
      const { startWorkerPool } = await import("./workers/pool.ts");
      if (stopping) return;
      pool = await startWorkerPool(config.workers, {
        transport: localTransport(jobs),
        api,
        config,
        logger,
        translator,
        // app instances in containers share a pid (often 1), and their folders the shared folder
        workerIdPrefix: `local-${crypto.randomUUID().slice(0, 8)}`,
        egressPolicy: options.egressPolicy,
      });
    }
    logger.info("started", {
      mode: config.publicUrl ? "webhook" : "long polling",
      workers: config.workers,
      bot: bot.isInited() ? bot.botInfo.username : "(read at the first update)",
      metrics: config.metricsToken ? "with METRICS_TOKEN" : "off (no METRICS_TOKEN)",
    });
  };

  // main.ts serves as soon as the system is built: the first update may come before start()
  if (config.publicUrl) await useStoredBotInfo();

  return {
    config,
    kv,
    app,
    jobs,
    events,
    queue,
    media,
    users,
    cookies,
    start() {
      starting ??= startOnce();
      return starting;
    },
    sweep,
    stop(server) {
      stopping ??= stopOnce(server);
      return stopping;
    },
  };
}
