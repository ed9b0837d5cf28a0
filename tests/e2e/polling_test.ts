/** Long polling: the app's way of getting updates when it has no public URL. */
import { assert } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { loadConfig } from "../../config.ts";
import { createSystem } from "../../app.ts";
import type { Logger } from "../../lib/logger.ts";

Deno.test("[e2e/polling] polling that Telegram ends (another process polls the bot) is reported and logged", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-polling-" });
  const errors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message) => errors.push(message),
  };
  const stopped = Promise.withResolvers<unknown>();
  const system = await createSystem(
    loadConfig({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      KV_PATH: ":memory:",
      DATA_DIR: dataDir,
      WORKERS: "0",
    }),
    { logger, onPollingStopped: (error) => stopped.resolve(error) },
  );
  await system.start();
  try {
    const user = telegram.user(7201, { languageCode: "en" });
    user.sendText("/start");
    await telegram.waitFor(() =>
      telegram.messages(user.id).find((m) => m.text?.includes("MediaBot"))
    );
    // another process polls the same bot: the newer getUpdates ends the waiting one with a 409
    let ended = false;
    stopped.promise.then(() => ended = true);
    for (let i = 0; i < 20 && !ended; i++) {
      const other = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getUpdates?timeout=1`);
      await other.body?.cancel();
    }
    const error = await stopped.promise;
    assert(/Conflict/.test(String((error as Error)?.message ?? error)), String(error));
    assert(errors.some((message) => /long polling stopped/.test(message)), errors.join("\n"));
  } finally {
    await system.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
