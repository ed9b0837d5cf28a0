/**
 * The groups the bot was added to or removed from, from `my_chat_member` and from Telegram's 403s:
 * an addition is welcomed once however often Telegram reports it, and a group the bot left is
 * never sent to again (until someone adds it back).
 */
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface BotChat {
  chatId: number;
  status: "member" | "gone";
  /** the language the bot speaks there: its adder's */
  lang: string;
  changedAt: number;
}

function botChatKey(chatId: number) {
  return ["bot_chats", chatId] as const;
}

/** Private chats are the user's own id; groups and channels have negative ids. */
export function isGroupChatId(chatId: number): boolean {
  return chatId < 0;
}

export async function getBotChat(kv: Deno.Kv, chatId: number): Promise<BotChat | null> {
  return (await kv.get<BotChat>(botChatKey(chatId))).value;
}

/** Whether the bot was removed from this chat; private chats are never recorded here. */
export async function isChatGone(kv: Deno.Kv, chatId: number): Promise<boolean> {
  if (!isGroupChatId(chatId)) return false;
  return (await getBotChat(kv, chatId))?.status === "gone";
}

/**
 * Records that the bot is in the group; the record (with the language it keeps there) when this
 * is news, null when it was known already (a repeated update, a promotion to admin).
 */
export async function markChatJoined(
  kv: Deno.Kv,
  chatId: number,
  lang: string,
  now = Date.now(),
): Promise<BotChat | null> {
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<BotChat>(botChatKey(chatId));
    if (entry.value?.status === "member") return null;
    const chat: BotChat = {
      chatId,
      status: "member",
      lang: entry.value?.lang ?? lang,
      changedAt: now,
    };
    op.check(entry).set(botChatKey(chatId), chat);
    return commit(chat);
  }, { what: `bot chat ${chatId}`, attempts: 5 });
}

/** Records that the bot is out of the group; true only for the call that recorded it. */
export async function markChatGone(
  kv: Deno.Kv,
  chatId: number,
  now = Date.now(),
): Promise<boolean> {
  if (!isGroupChatId(chatId)) return false;
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<BotChat>(botChatKey(chatId));
    if (entry.value?.status === "gone") return false;
    const lang = entry.value?.lang ?? "en";
    op.check(entry).set(botChatKey(chatId), { chatId, status: "gone", lang, changedAt: now });
    return commit(true);
  }, { what: `bot chat ${chatId}`, attempts: 5 });
}
