/**
 * Several complete app instances over one KV, as on Deno Deploy: each its own system (bot, job
 * service, caches, sweeps) and HTTP server, all behind one load balancer that is both the
 * webhook URL Telegram posts to and the APP_URL of the fleet workers.
 */
import { loadConfig } from "../../config.ts";
import { createSystem, type System } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import type { ThrottleLimits } from "../../lib/throttle.ts";
import { FakeTelegram } from "./fake_telegram.ts";
import { spawnWorker, TEST_WORKER_TOKEN, type WorkerProcess } from "./fleet.ts";
import { LoadBalancer } from "./load_balancer.ts";
import { runTelegramSetup } from "../../scripts/telegram_setup.ts";

export const CLUSTER_WEBHOOK_SECRET = "cluster-webhook-secret";

export interface ClusterInstance {
  system: System;
  /** its own address, behind the balancer */
  url: string;
}

export interface Cluster extends AsyncDisposable {
  telegram: FakeTelegram;
  kv: Deno.Kv;
  balancer: LoadBalancer;
  instances: ClusterInstance[];
  workers: WorkerProcess[];
  dataDir: string;
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** app instances (default 3) */
  instances?: number;
  /** fleet worker processes calling the balancer (default 2) */
  workers?: number;
  env?: Record<string, string>;
  /** the flood limits the instances share (workers take their turns from them) */
  throttle?: ThrottleLimits;
  leaseMs?: number;
  /** webhook requests in flight at once (Telegram's max_connections) */
  webhookConnections?: number;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const telegram = await FakeTelegram.start({
    webhookConnections: options.webhookConnections ?? 8,
  });
  const kv = await Deno.openKv(":memory:");
  const balancer = LoadBalancer.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-cluster-" });
  const env = {
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "0",
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    PUBLIC_URL: balancer.url,
    WEBHOOK_SECRET: CLUSTER_WEBHOOK_SECRET,
    ALLOW_PRIVATE_URLS: "true",
    ...options.env,
  };
  const instances: ClusterInstance[] = [];
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  for (let i = 0; i < (options.instances ?? 3); i++) {
    let handler: Deno.ServeHandler = () => new Response(null, { status: 503 });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => handler(request, info),
    );
    const system = await createSystem(loadConfig(env), {
      kv,
      logger: createLogger("error"),
      sweepIntervalMs: 200,
      leaseMs: options.leaseMs,
      throttle: options.throttle,
    });
    handler = system.app.fetch;
    servers.push(server);
    instances.push({ system, url: `http://127.0.0.1:${server.addr.port}` });
  }
  balancer.setBackends(instances.map((instance) => instance.url));
  for (const { system } of instances) await system.start();
  // what the operator's `deno task telegram:setup` does, once for all: no instance sets a webhook
  await runTelegramSetup(loadConfig(env), kv);
  const workers = Array.from(
    { length: options.workers ?? 2 },
    (_, i) => spawnWorker(balancer.url, telegram, `fleet${i}`),
  );
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all(instances.map(({ system }, i) => system.stop(servers[i])));
      await balancer.close();
      kv.close();
      await telegram.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    })();
  return {
    telegram,
    kv,
    balancer,
    instances,
    workers,
    dataDir,
    close,
    [Symbol.asyncDispose]: close,
  };
}
