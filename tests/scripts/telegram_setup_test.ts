/**
 * `deno task telegram:setup` sets the webhook and commands once per change (its hash in KV); the
 * app's start sets nothing in webhook mode and never throws for Telegram.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { loadConfig } from "../../config.ts";
import { createSystem } from "../../app.ts";
import { createLogger, type Logger } from "../../lib/logger.ts";
import { runTelegramSetup } from "../../scripts/telegram_setup.ts";

const SETUP_METHODS = ["getMe", "setWebhook", "deleteWebhook", "setMyCommands"];

function webhookConfig(telegram: FakeTelegram, secret = "setup-secret") {
  return loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    PUBLIC_URL: "https://bot.example.com",
    WEBHOOK_SECRET: secret,
    KV_PATH: ":memory:",
    WORKERS: "0",
  });
}

Deno.test("[scripts/telegram_setup] sets the webhook and both command menus, then nothing until they change", async () => {
  await using telegram = await FakeTelegram.start();
  const kv = await Deno.openKv(":memory:");
  try {
    const config = webhookConfig(telegram);
    const first = await runTelegramSetup(config, kv);
    assertEquals(first.applied, true);
    assertEquals(first.botInfo.username, "MediaTestBot");
    assertEquals(
      telegram.callsTo("setWebhook")[0].params.url,
      "https://bot.example.com/telegram/webhook",
    );
    assertEquals(telegram.callsTo("setWebhook")[0].params.secret_token, "setup-secret");
    assertEquals(telegram.commands()?.[0].command, "start");
    assertEquals(telegram.commands("default", "fr")?.[0].description, "Menu principal");

    const setCalls = () =>
      telegram.callsTo("setWebhook").length + telegram.callsTo("setMyCommands").length;
    const sent = setCalls();
    assertEquals((await runTelegramSetup(config, kv)).applied, false, "same setup: skipped");
    assertEquals(setCalls(), sent);
    // a new secret must reach Telegram, or every update would be refused
    assertEquals((await runTelegramSetup(webhookConfig(telegram, "new-secret"), kv)).applied, true);
    assertEquals(telegram.callsTo("setWebhook").at(-1)?.params.secret_token, "new-secret");
    assertEquals(
      (await runTelegramSetup(webhookConfig(telegram, "new-secret"), kv, { force: true })).applied,
      true,
    );
  } finally {
    kv.close();
  }
});

Deno.test("[scripts/telegram_setup] a webhook app's start calls no Bot API method: the bot comes from KV", async () => {
  await using telegram = await FakeTelegram.start();
  const kv = await Deno.openKv(":memory:");
  const config = webhookConfig(telegram);
  await runTelegramSetup(config, kv);
  const before = telegram.calls.length;
  const system = await createSystem(config, { kv, logger: createLogger("error") });
  try {
    await system.start();
    const user = telegram.user(7301, { languageCode: "en" });
    const answer = await system.app.request("/telegram/webhook", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": "setup-secret",
      },
      body: JSON.stringify({
        update_id: 1,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: "private", first_name: "Ann" },
          from: { id: user.id, is_bot: false, first_name: "Ann", language_code: "en" },
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      }),
    });
    assertEquals(answer.status, 200);
    const body = await answer.text();
    if (body) assertEquals(JSON.parse(body).method, "sendMessage", "the menu, in the answer");
    else {
      await telegram.waitFor(() =>
        telegram.messages(user.id).find((m) => m.text?.includes("MediaBot"))
      );
    }
    const calls = telegram.calls.slice(before).map((call) => call.method);
    assertEquals(calls.filter((method) => SETUP_METHODS.includes(method)), [], calls.join(", "));
  } finally {
    await system.stop();
    kv.close();
  }
});

Deno.test("[scripts/telegram_setup] a long-polling app whose Telegram fails at start starts anyway, and connects on a later try", async () => {
  await using telegram = await FakeTelegram.start();
  const warnings: string[] = [];
  const logger: Logger = { ...createLogger("error"), warn: (message) => warnings.push(message) };
  telegram.failNext("getMe", 2, { code: 400, description: "Bad Request: not now" });
  const system = await createSystem(
    loadConfig({
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      KV_PATH: ":memory:",
      WORKERS: "0",
    }),
    { logger },
  );
  try {
    await system.start();
    const user = telegram.user(7302, { languageCode: "en" });
    user.sendText("/start");
    await telegram.waitFor(() =>
      telegram.messages(user.id).find((m) => m.text?.includes("MediaBot"))
    );
    assertEquals(telegram.commands()?.[0].command, "start", "the polling app set its commands");
    assert(
      warnings.some((message) => /could not be reached at start/.test(message)),
      warnings.join("\n"),
    );
  } finally {
    await system.stop();
  }
});

Deno.test("[scripts/telegram_setup] on Deno Deploy, a timeline other than production sets nothing", async () => {
  await using telegram = await FakeTelegram.start();
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["task", "telegram:setup"],
    cwd: new URL("../..", import.meta.url).pathname,
    env: {
      DENO_DEPLOYMENT_ID: "preview-build",
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      PUBLIC_URL: "https://preview.example.com",
      WEBHOOK_SECRET: "preview-secret",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(run.stdout);
  assert(run.success, new TextDecoder().decode(run.stderr));
  assert(/not the production timeline/.test(out), out);
  assertEquals(telegram.calls.length, 0);
});
