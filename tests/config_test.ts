/** config.ts: the yt-dlp settings an operator gives, checked at start. */
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
