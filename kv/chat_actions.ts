/**
 * When each chat was last shown a chat action ("typing…", "sending video…"): a shown action
 * lasts about 5 s, so one every CHAT_ACTION_INTERVAL_MS keeps it on, whichever app instance the
 * worker's heartbeats reach.
 */
export const CHAT_ACTION_INTERVAL_MS = 4_000;

function chatActionKey(chatId: number) {
  return ["chat_actions", chatId] as const;
}

/** True when this caller may show the chat an action now; false when one went out too recently. */
export async function claimChatAction(
  kv: Deno.Kv,
  chatId: number,
  now = Date.now(),
): Promise<boolean> {
  const key = chatActionKey(chatId);
  const entry = await kv.get<number>(key);
  if (entry.value !== null && now - entry.value < CHAT_ACTION_INTERVAL_MS) return false;
  const result = await kv.atomic()
    .check(entry)
    .set(key, now, { expireIn: 10 * CHAT_ACTION_INTERVAL_MS })
    .commit();
  return result.ok;
}
