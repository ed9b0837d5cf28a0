/**
 * A cold start in webhook mode: main.ts serves as soon as the system is built, so the very first
 * update can come before `start()` has run. It is answered with the bot `telegram:setup` left in
 * KV, without a getMe on the way.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { loadConfig } from "../../config.ts";
import { createSystem } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import { runTelegramSetup } from "../../scripts/telegram_setup.ts";
import { WEBHOOK_PATH } from "../../routes/telegram.ts";

const SECRET = "first-update-secret";

Deno.test("[e2e/webhook] the first update, before start() ran, is answered with no Bot API call", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-first-update-" });
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    PUBLIC_URL: "http://127.0.0.1:9",
    WEBHOOK_SECRET: SECRET,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "0",
  });
  await runTelegramSetup(config, kv);
  const user = telegram.user(4_100_001, { languageCode: "en" });
  const callsBefore = telegram.calls.length;
  const system = await createSystem(config, { kv, logger: createLogger("error") });
  try {
    const answer = await system.app.request(WEBHOOK_PATH, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({
        update_id: 1,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: "private", first_name: "First" },
          from: { id: user.id, is_bot: false, first_name: "First", language_code: "en" },
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      }),
    });
    assertEquals(answer.status, 200);
    const body = await answer.text();
    assert(body.includes('"sendMessage"'), `no menu in the answer: ${body}`);
    assertEquals(telegram.calls.slice(callsBefore).map((call) => call.method), []);
  } finally {
    await system.stop();
    kv.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
