/**
 * What `deno task telegram:setup` last told Telegram, and the bot's own getMe answer: a cold
 * start reads the bot from here instead of asking the Bot API.
 */
import type { UserFromGetMe } from "grammy/types";

const BOT_INFO_KEY = ["telegram_setup", "bot_info"] as const;
const SETUP_HASH_KEY = ["telegram_setup", "hash"] as const;

export async function readBotInfo(kv: Deno.Kv): Promise<UserFromGetMe | undefined> {
  return (await kv.get<UserFromGetMe>(BOT_INFO_KEY)).value ?? undefined;
}

export async function saveBotInfo(kv: Deno.Kv, botInfo: UserFromGetMe): Promise<void> {
  await kv.set(BOT_INFO_KEY, botInfo);
}

/** The hash of the setup Telegram has (webhook, commands, descriptions); unset before the first. */
export async function readSetupHash(kv: Deno.Kv): Promise<string | undefined> {
  return (await kv.get<string>(SETUP_HASH_KEY)).value ?? undefined;
}

export async function saveSetupHash(kv: Deno.Kv, hash: string): Promise<void> {
  await kv.set(SETUP_HASH_KEY, hash);
}
