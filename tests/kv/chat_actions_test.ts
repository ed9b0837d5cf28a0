import { assertEquals } from "../support/assert.ts";
import { CHAT_ACTION_INTERVAL_MS, claimChatAction } from "../../kv/chat_actions.ts";

Deno.test("[kv/chat_actions] one action per chat per interval, whoever asks", async () => {
  using kv = await Deno.openKv(":memory:");
  const t = 1_000_000;
  assertEquals(await claimChatAction(kv, 1, t), true);
  assertEquals(await claimChatAction(kv, 1, t + CHAT_ACTION_INTERVAL_MS - 1), false);
  assertEquals(await claimChatAction(kv, 2, t + 1), true, "another chat has its own pace");
  assertEquals(await claimChatAction(kv, 1, t + CHAT_ACTION_INTERVAL_MS), true);
  // instances asking at once: one of them shows it
  const claims = await Promise.all(
    Array.from({ length: 10 }, () => claimChatAction(kv, 3, t)),
  );
  assertEquals(claims.filter(Boolean).length, 1);
});
