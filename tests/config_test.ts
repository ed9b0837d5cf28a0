/** config.ts: the settings an operator gives, checked at start. */
import { relative } from "node:path";
import { assert, assertEquals, assertMatch } from "./support/assert.ts";
import { ConfigError, loadConfig, loadWorkerConfig } from "../config.ts";

const APP = { BOT_TOKEN: "123:abc" };
const WORKER = { ...APP, APP_URL: "http://app.test", WORKER_TOKEN: "worker-token-0123456789" };

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("[config] YTDLP_CONFIG must be an existing file, and is kept as an absolute path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config-test-" });
  try {
    await Deno.writeTextFile(`${dir}/yt-dlp.conf`, "--extractor-args youtube:lang=fr\n");
    const relativePath = relative(Deno.cwd(), `${dir}/yt-dlp.conf`);
    for (const load of [loadConfig, loadWorkerConfig]) {
      assertEquals(
        load({ ...WORKER, YTDLP_CONFIG: `${dir}/yt-dlp.conf` }).ytdlpConfig,
        `${dir}/yt-dlp.conf`,
      );
      assertEquals(
        load({ ...WORKER, YTDLP_CONFIG: relativePath }).ytdlpConfig,
        `${dir}/yt-dlp.conf`,
      );
      assertEquals(load(WORKER).ytdlpConfig, undefined);
      for (const path of [`${dir}/missing.conf`, dir]) {
        const error = configError(() => load({ ...WORKER, YTDLP_CONFIG: path }));
        assertMatch(error.message, /YTDLP_CONFIG must be the path of an existing file/);
        assert(error.message.includes(path), error.message);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[config] YTDLP_UPDATE is stable, nightly or unset", () => {
  for (const load of [loadConfig, loadWorkerConfig]) {
    assertEquals(load(WORKER).ytdlpUpdate, undefined);
    assertEquals(load({ ...WORKER, YTDLP_UPDATE: "nightly" }).ytdlpUpdate, "nightly");
    const error = configError(() => load({ ...WORKER, YTDLP_UPDATE: "weekly" }));
    assertMatch(error.message, /YTDLP_UPDATE/);
  }
});

Deno.test("[config] the app listens on LISTEN_HOST; HOSTNAME, which Docker sets to the container's id, is not read", () => {
  assertEquals(loadConfig(APP).hostname, "0.0.0.0");
  assertEquals(loadConfig({ ...APP, LISTEN_HOST: "127.0.0.1" }).hostname, "127.0.0.1");
  assertEquals(loadConfig({ ...APP, HOSTNAME: "3f9a1c2b7d4e" }).hostname, "0.0.0.0");
});

Deno.test("[config] secrets come from <NAME>_FILE (Docker secrets): the file's text without its final line break", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config-secrets-" });
  try {
    const secrets = {
      BOT_TOKEN: "123456:from-a-file",
      WORKER_TOKEN: "worker-token-from-a-file",
      WEBHOOK_SECRET: "webhook-secret-from-a-file",
      METRICS_TOKEN: "metrics-token-from-a-file",
      COOKIES_KEY: btoa("k".repeat(32)),
    };
    const env: Record<string, string> = { PUBLIC_URL: "https://bot.example" };
    for (const [name, value] of Object.entries(secrets)) {
      await Deno.writeTextFile(`${dir}/${name}`, `${value}\n`);
      env[`${name}_FILE`] = `${dir}/${name}`;
    }
    const config = loadConfig(env);
    assertEquals(config.botToken, secrets.BOT_TOKEN);
    assertEquals(config.workerToken, secrets.WORKER_TOKEN);
    assertEquals(config.webhookSecret, secrets.WEBHOOK_SECRET);
    assertEquals(config.metricsToken, secrets.METRICS_TOKEN);
    assertEquals(config.cookiesKey, secrets.COOKIES_KEY);
    const worker = loadWorkerConfig({
      APP_URL: "http://app.test",
      BOT_TOKEN_FILE: env.BOT_TOKEN_FILE,
      WORKER_TOKEN_FILE: env.WORKER_TOKEN_FILE,
    });
    assertEquals([worker.botToken, worker.workerToken], [secrets.BOT_TOKEN, secrets.WORKER_TOKEN]);

    // the file is checked like the variable
    await Deno.writeTextFile(`${dir}/bad`, "not a token\n");
    assertMatch(
      configError(() => loadConfig({ BOT_TOKEN_FILE: `${dir}/bad` })).message,
      /BOT_TOKEN must look like/,
    );
    const both = configError(() => loadConfig({ ...APP, BOT_TOKEN_FILE: env.BOT_TOKEN_FILE }));
    assertMatch(both.message, /BOT_TOKEN_FILE is set and so is BOT_TOKEN/);
    const missing = configError(() => loadConfig({ BOT_TOKEN_FILE: `${dir}/missing` }));
    assertMatch(missing.message, /BOT_TOKEN_FILE cannot be read \(.*missing: NotFound\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[config] TELEGRAM_LOCAL_DIR, the local Bot API server's folder, is an absolute path", () => {
  assertEquals(loadConfig(APP).telegramLocalDir, undefined);
  assertEquals(
    loadConfig({ ...APP, TELEGRAM_LOCAL_DIR: "/var/lib/telegram-bot-api" }).telegramLocalDir,
    "/var/lib/telegram-bot-api",
  );
  assertMatch(
    configError(() => loadConfig({ ...APP, TELEGRAM_LOCAL_DIR: "telegram-bot-api" })).message,
    /TELEGRAM_LOCAL_DIR must be an absolute path/,
  );
});

Deno.test("[config] TELEGRAM_SHARED_DIR, the folder shared with a local Bot API server, is an absolute path for the app and the fleet", () => {
  assertEquals(loadConfig(APP).telegramSharedDir, undefined);
  assertEquals(loadWorkerConfig(WORKER).telegramSharedDir, undefined);
  const shared = { TELEGRAM_SHARED_DIR: "/var/lib/mediabot-shared" };
  assertEquals(loadConfig({ ...APP, ...shared }).telegramSharedDir, "/var/lib/mediabot-shared");
  assertEquals(
    loadWorkerConfig({ ...WORKER, ...shared }).telegramSharedDir,
    "/var/lib/mediabot-shared",
  );
  for (const load of [loadConfig, loadWorkerConfig]) {
    assertMatch(
      configError(() => load({ ...WORKER, TELEGRAM_SHARED_DIR: "shared" })).message,
      /TELEGRAM_SHARED_DIR must be an absolute path/,
    );
  }
});

Deno.test("[config] on Deno Deploy: no in-process workers by default, none allowed, webhook mode only", () => {
  const onDeploy = { ...APP, DENO_DEPLOYMENT_ID: "abc123" };
  const webhook = { PUBLIC_URL: "https://bot.example.com", WEBHOOK_SECRET: "s3cret" };
  assertEquals(loadConfig(APP).workers, 2);
  const config = loadConfig({ ...onDeploy, ...webhook });
  assertEquals(config.workers, 0);
  assertEquals(config.onDeploy, true);
  assertEquals(loadConfig({ ...onDeploy, ...webhook, WORKERS: "0" }).workers, 0);
  assertMatch(
    configError(() => loadConfig({ ...onDeploy, ...webhook, WORKERS: "2" })).message,
    /WORKERS must be 0 on Deno Deploy/,
  );
  // long polling from a preview build would call deleteWebhook on the production bot
  assertMatch(
    configError(() => loadConfig(onDeploy)).message,
    /PUBLIC_URL is required on Deno Deploy: long polling is refused/,
  );
  assertMatch(
    configError(() => loadConfig({ ...onDeploy, PUBLIC_URL: webhook.PUBLIC_URL })).message,
    /WEBHOOK_SECRET is required/,
  );
});

Deno.test("[config] KV_PATH takes a hosted database's KV Connect URL, with its access token", () => {
  const url = "https://api.deno.com/databases/0b5e8f4c-1a2b-4c3d-9e8f-7a6b5c4d3e2f/connect";
  const config = loadConfig({ ...APP, KV_PATH: url, DENO_KV_ACCESS_TOKEN: "ddp_token" });
  assertEquals(config.kvPath, url);
  assertEquals(config.kvConnect, true);
  assertEquals(loadConfig({ ...APP, KV_PATH: ":memory:" }).kvConnect, false);
  assertEquals(loadConfig({ ...APP, KV_PATH: "/var/lib/bot.kv" }).kvConnect, false);
  assertMatch(
    configError(() => loadConfig({ ...APP, KV_PATH: url })).message,
    /DENO_KV_ACCESS_TOKEN is required when KV_PATH is a KV Connect URL/,
  );
  assertMatch(
    configError(() => loadConfig({ ...APP, KV_PATH: "ftp://kv.example/db" })).message,
    /KV_PATH must be a file path, :memory: or a KV Connect URL/,
  );
});

Deno.test("[config] DOWNLOAD_CONNECTIONS is 1 to 16, 8 by default, for in-process and fleet workers", () => {
  for (const load of [loadConfig, loadWorkerConfig]) {
    assertEquals(load(WORKER).downloadConnections, 8);
    assertEquals(load({ ...WORKER, DOWNLOAD_CONNECTIONS: "1" }).downloadConnections, 1);
    assertEquals(load({ ...WORKER, DOWNLOAD_CONNECTIONS: "16" }).downloadConnections, 16);
    for (const value of ["0", "17", "four", "2.5"]) {
      const error = configError(() => load({ ...WORKER, DOWNLOAD_CONNECTIONS: value }));
      assertMatch(error.message, /DOWNLOAD_CONNECTIONS/);
    }
  }
});
