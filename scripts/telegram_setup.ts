/**
 * `deno task telegram:setup [--force]`: tells Telegram the webhook (PUBLIC_URL) and the command
 * menus (the bot's descriptions go with them), and keeps the bot's getMe in KV for cold starts.
 * Skipped when KV holds the hash of this very setup. Run once per deploy (Deno Deploy's
 * pre-deploy command); on Deploy only the production timeline sets anything
 * (DEPLOY_TIMELINE=production, a variable of the Production context only): a preview build must
 * never move the production bot's webhook.
 */
import { Api } from "grammy";
import { type Config, loadConfig } from "../config.ts";
import { openKv } from "../app.ts";
import { applyTelegramSetup, type SetupOutcome, telegramSetup } from "../bot/telegram_setup.ts";
import { telegramClientOptions } from "../lib/telegram.ts";
import { createLogger } from "../lib/logger.ts";
import { syncBotDescriptions } from "../services/bot_descriptions.ts";
import { createI18n } from "../i18n/translations.ts";
import { WEBHOOK_PATH } from "../routes/telegram.ts";

/** The setup this configuration asks for, sent unless KV says Telegram has it already. */
export async function runTelegramSetup(
  config: Config,
  kv: Deno.Kv,
  { force = false } = {},
): Promise<SetupOutcome> {
  const api = new Api(config.botToken, telegramClientOptions(config.telegramApiRoot));
  const webhook = config.publicUrl && config.webhookSecret
    ? { url: `${config.publicUrl}${WEBHOOK_PATH}`, secretToken: config.webhookSecret }
    : undefined;
  const setup = telegramSetup(config.botToken, config.adminIds, webhook);
  const outcome = await applyTelegramSetup(api, kv, setup, {
    force,
    logger: createLogger(config.logLevel),
  });
  // the descriptions keep a hash of their own: set when a locale's text changed
  await syncBotDescriptions({ api, kv, i18n: await createI18n() }, outcome.botInfo.id);
  return outcome;
}

if (import.meta.main) {
  const env = Deno.env.toObject();
  if (env.DENO_DEPLOYMENT_ID && env.DEPLOY_TIMELINE !== "production") {
    console.log("telegram:setup: not the production timeline (DEPLOY_TIMELINE); nothing is set");
    Deno.exit(0);
  }
  const config = loadConfig(env);
  const kv = await openKv(config);
  try {
    const { botInfo, applied } = await runTelegramSetup(config, kv, {
      force: Deno.args.includes("--force"),
    });
    const target = config.publicUrl ? `webhook ${config.publicUrl}${WEBHOOK_PATH}` : "no webhook";
    console.log(
      applied
        ? `telegram:setup: @${botInfo.username}: ${target}, commands set`
        : `telegram:setup: @${botInfo.username}: unchanged since the last run, nothing sent`,
    );
  } finally {
    kv.close();
  }
}
