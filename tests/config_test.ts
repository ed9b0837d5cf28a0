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
