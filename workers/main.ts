/** One fleet worker process (`deno task worker`): pulls jobs from the app over HTTP. */
import { loadWorkerConfig } from "../config.ts";
import { createTelegramApi } from "../lib/telegram.ts";
import { createLogger } from "../lib/logger.ts";
import { AppSendBudget, httpTransport } from "./http_transport.ts";
import { Throttle } from "../lib/throttle.ts";
import { startWorkerPool } from "./pool.ts";
import { createTranslator } from "./translate/mod.ts";
import { MemoryTranslationCache } from "./translate/cache.ts";

const config = loadWorkerConfig(Deno.env.toObject());
const logger = createLogger(config.logLevel, { worker: config.workerId });
// listening for signals before anything starts: a stop asked while the pool starts still hands
// its jobs back, and the listener is bound by the time "worker started" is logged
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping: finishing running jobs");
  await (await pool).stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);

const pool = startWorkerPool(config.concurrency, {
  transport: httpTransport(config.appUrl, config.workerToken),
  // Telegram's limits are per bot: the worker takes its turns from the app's shared budget
  api: createTelegramApi(
    config,
    new Throttle(new AppSendBudget(config.appUrl, config.workerToken)),
    logger,
  ),
  config,
  logger,
  // fleet workers hold no database: their translations are cached in memory
  translator: createTranslator(config, new MemoryTranslationCache()),
  workerIdPrefix: config.workerId,
});
await pool;
logger.info("worker started", { app: config.appUrl, concurrency: config.concurrency });
