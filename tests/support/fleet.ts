/** The app served over HTTP with no in-process workers, and real fleet worker processes. */
import { loadConfig } from "../../config.ts";
import { createSystem, type System } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import type { FakeTelegram } from "./fake_telegram.ts";
import { runTelegramSetup } from "../../scripts/telegram_setup.ts";
import type { ThrottleLimits } from "../../lib/throttle.ts";

export const TEST_WORKER_TOKEN = "test-worker-token-0123456789";

export interface ServedApp {
  system: System;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the app on loopback (on `port` when given, so a restart keeps its address). With
 * `webhook`, Telegram delivers updates to its webhook route instead of being polled.
 */
export async function serveApp(
  telegram: FakeTelegram,
  dataDir: string,
  options: {
    port?: number;
    leaseMs?: number;
    webhook?: boolean;
    env?: Record<string, string>;
    /** Telegram's limits as the app keeps them (its budget, which fleet workers ask too) */
    throttle?: ThrottleLimits;
  } = {},
): Promise<ServedApp> {
  let handler: Deno.ServeHandler = () => new Response(null, { status: 503 });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} },
    (request, info) => handler(request, info),
  );
  const port = server.addr.port;
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATA_DIR: dataDir,
    WORKERS: "0",
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    ALLOW_PRIVATE_URLS: "true",
    ...(options.webhook ? { PUBLIC_URL: url, WEBHOOK_SECRET: "test-webhook-secret" } : {}),
    ...options.env,
  });
  const system = await createSystem(config, {
    logger: createLogger("error"),
    sweepIntervalMs: 200,
    leaseMs: options.leaseMs,
    throttle: options.throttle,
  });
  handler = system.app.fetch;
  await system.start();
  // what the operator's `deno task telegram:setup` does: the app's start sets no webhook
  if (options.webhook) await runTelegramSetup(config, system.kv);
  return {
    system,
    port,
    url,
    async stop() {
      await system.stop();
      await server.shutdown();
    },
  };
}

export interface WorkerProcess {
  id: string;
  process: Deno.ChildProcess;
  /** its DATA_DIR (scratch files live in `scratch/` there) */
  dataDir: string;
  /** SIGTERM and wait: the worker finishes or hands back its jobs */
  stop(): Promise<Deno.CommandStatus>;
  kill(): Promise<void>;
}

/** One `deno task worker` process (the same program, started without the setup step). */
export function spawnWorker(
  appUrl: string,
  telegram: FakeTelegram,
  id: string,
  env: Record<string, string> = {},
): WorkerProcess {
  const dataDir = Deno.makeTempDirSync({ prefix: `mediabot-${id}-` });
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-sys",
      new URL("../../workers/main.ts", import.meta.url).pathname,
    ],
    env: {
      APP_URL: appUrl,
      WORKER_TOKEN: TEST_WORKER_TOKEN,
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WORKER_CONCURRENCY: "2",
      WORKER_ID: id,
      DATA_DIR: dataDir,
      LOG_LEVEL: "error",
      ALLOW_PRIVATE_URLS: "true",
      ...env,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const cleanup = () => Deno.remove(dataDir, { recursive: true }).catch(() => {});
  return {
    id,
    process,
    dataDir,
    async stop() {
      try {
        process.kill("SIGTERM");
      } catch {
        // already gone: its status says how it ended
      }
      const status = await process.status;
      await cleanup();
      return status;
    },
    async kill() {
      try {
        process.kill("SIGKILL");
      } catch {
        // already gone
      }
      await process.status;
      await cleanup();
    },
  };
}
