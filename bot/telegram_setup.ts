/**
 * What Telegram must know about the bot, set in one go and skipped while unchanged: the webhook,
 * the command menus per language (and, next to them, the bot's descriptions). Run by
 * `deno task telegram:setup` (once per deploy, from the production timeline), and by a
 * long-polling app at start; never by a webhook app's cold start.
 */
import type { Api } from "grammy";
import type { BotCommand, LanguageCode, UserFromGetMe } from "grammy/types";
import { createHash } from "node:crypto";
import { readSetupHash, saveBotInfo, saveSetupHash } from "../kv/telegram_setup.ts";
import { ALLOWED_UPDATES, BOT_COMMANDS } from "./bot.ts";

export interface TelegramSetup {
  /** the bot's id, from its token: another bot is another setup */
  botId: number;
  /** set: Telegram delivers updates there; unset: long polling, whose poller removes the webhook */
  webhook?: { url: string; secretToken: string; allowedUpdates: readonly string[] };
  /** one menu per language; no languageCode: the default */
  commands: { languageCode?: LanguageCode; commands: BotCommand[] }[];
}

export function telegramSetup(
  botToken: string,
  webhook?: { url: string; secretToken: string },
): TelegramSetup {
  return {
    botId: Number(botToken.split(":")[0]),
    webhook: webhook && { ...webhook, allowedUpdates: ALLOWED_UPDATES },
    commands: [
      { commands: BOT_COMMANDS.en },
      { languageCode: "fr", commands: BOT_COMMANDS.fr },
    ],
  };
}

/** SHA-256 of the whole setup, the webhook secret included (changing it must reach Telegram). */
function setupHash(setup: TelegramSetup): string {
  return createHash("sha256").update(JSON.stringify(setup)).digest("hex");
}

export interface SetupOutcome {
  botInfo: UserFromGetMe;
  /** false: Telegram already had this setup (same hash in KV), so nothing was sent */
  applied: boolean;
}

/**
 * Reads the bot (getMe, kept in KV for cold starts), then sends the setup unless KV holds its
 * hash; the hash is written only once every call has succeeded, so a failed run is run again.
 */
export async function applyTelegramSetup(
  api: Api,
  kv: Deno.Kv,
  setup: TelegramSetup,
  { force = false } = {},
): Promise<SetupOutcome> {
  const botInfo = await api.getMe();
  await saveBotInfo(kv, botInfo);
  const hash = setupHash(setup);
  if (!force && await readSetupHash(kv) === hash) return { botInfo, applied: false };
  if (setup.webhook) {
    await api.setWebhook(setup.webhook.url, {
      secret_token: setup.webhook.secretToken,
      allowed_updates: setup.webhook.allowedUpdates as typeof ALLOWED_UPDATES[number][],
    });
  }
  for (const { languageCode, commands } of setup.commands) {
    await api.setMyCommands(commands, languageCode ? { language_code: languageCode } : {});
  }
  await saveSetupHash(kv, hash);
  return { botInfo, applied: true };
}

/** Whether KV holds the hash of this setup: a webhook app warns at start when it does not. */
export async function isSetUp(kv: Deno.Kv, setup: TelegramSetup): Promise<boolean> {
  return await readSetupHash(kv) === setupHash(setup);
}
