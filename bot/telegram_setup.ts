/**
 * What Telegram must know about the bot, set in one go and skipped while unchanged: the webhook,
 * the command menus per language (and, next to them, the bot's descriptions). Run by
 * `deno task telegram:setup` (once per deploy, from the production timeline), and by a
 * long-polling app at start; never by a webhook app's cold start.
 */
import type { Api } from "grammy";
import type { BotCommand, UserFromGetMe } from "grammy/types";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { readSetupHash, saveBotInfo, saveSetupHash } from "../kv/telegram_setup.ts";
import { ALLOWED_UPDATES } from "./bot.ts";
import {
  ADMIN_COMMANDS,
  GROUP_COMMANDS,
  PRIVATE_COMMANDS,
  registerBotCommands,
} from "./commands.ts";
import type { Logger } from "../lib/logger.ts";

export interface TelegramSetup {
  /** the bot's id, from its token: another bot is another setup */
  botId: number;
  /** set: Telegram delivers updates there; unset: long polling, whose poller removes the webhook */
  webhook?: { url: string; secretToken: string; allowedUpdates: readonly string[] };
  /** the command menus of each scope (bot/commands.ts), here so that a change reaches Telegram */
  commands: Record<"private" | "group" | "admin", Record<"en" | "fr", BotCommand[]>>;
  /** ADMIN_IDS, who get /admin in their own chat */
  adminIds: readonly number[];
}

export function telegramSetup(
  botToken: string,
  adminIds: readonly number[],
  webhook?: { url: string; secretToken: string },
): TelegramSetup {
  return {
    botId: Number(botToken.split(":")[0]),
    webhook: webhook && { ...webhook, allowedUpdates: ALLOWED_UPDATES },
    commands: { private: PRIVATE_COMMANDS, group: GROUP_COMMANDS, admin: ADMIN_COMMANDS },
    adminIds,
  };
}

/** SHA-256 of the whole setup, the webhook secret included (changing it must reach Telegram). */
function setupHash(setup: TelegramSetup): string {
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(setup))));
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
  { force = false, logger }: { force?: boolean; logger: Logger },
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
  // an admin who has not opened the bot's chat yet is tried again by the next run
  if (await registerBotCommands(api, setup.adminIds, logger)) await saveSetupHash(kv, hash);
  return { botInfo, applied: true };
}

/** Whether KV holds the hash of this setup: a webhook app warns at start when it does not. */
export async function isSetUp(kv: Deno.Kv, setup: TelegramSetup): Promise<boolean> {
  return await readSetupHash(kv) === setupHash(setup);
}
