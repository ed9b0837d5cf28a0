/**
 * MediaBot in a group, through the whole system and the fake Bot API: /dl for the requester,
 * personal commands sent to the private chat, my_chat_member, commands per scope.
 */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { listRecentHistory } from "../../kv/history.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { getBotChat } from "../../kv/bot_chats.ts";
import { ADMIN_COMMANDS, GROUP_COMMANDS, PRIVATE_COMMANDS } from "../../bot/commands.ts";

const GROUP_ID = -1001;

Deno.test("[e2e/groups] /dl in a group: the requester's preview and buttons, the file answers the request, their quota and history", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const alice = telegram.user(3001, { firstName: "Alice", languageCode: "en" });
  const bob = telegram.user(3002, { firstName: "Bob", languageCode: "en" });
  const group = telegram.group(GROUP_ID, { members: [alice, bob] });
  group.addBot(alice);
  await telegram.waitFor(() =>
    telegram.messages(GROUP_ID).find((m) => /MediaBot in this group/.test(m.text ?? ""))
  );

  // Bob shares a link (privacy mode: the bot never sees it), Alice answers it with /dl
  const shared = group.sendText(bob, `this one ${lab.urls.page}`);
  const request = group.sendText(alice, "/dl", shared);
  const preview = await waitForPreview(telegram, GROUP_ID);
  assertEquals(preview.message.reply_to_message?.message_id, request.message_id);
  const labels = buttons(preview).map((b) => b.text);
  assert(!labels.some((label) => /playlist/i.test(label)), `no personal button: ${labels}`);

  // Bob presses Alice's buttons: told it is not his, nothing queued, the preview stays
  for (const label of ["360p", "✖️ Cancel"]) {
    const pressed = bob.pressButton(preview.message, dataFor(preview, label));
    const answer = await telegram.waitFor(() =>
      telegram.callbackAnswers.find((a) => a.callback_query_id === pressed.callback_query!.id)
    );
    assertEquals(answer.text, "This preview belongs to someone else.");
    assert(answer.show_alert);
  }
  assertEquals(await system.queue.listActiveByUser(bob.id), []);
  assert(!telegram.messages(GROUP_ID).find((m) => m.messageId === preview.messageId)?.deleted);

  alice.pressButton(preview.message, dataFor(preview, "360p"));
  const video = await waitForFile(telegram, GROUP_ID, "video");
  assertEquals(video.message.reply_to_message?.message_id, request.message_id);

  // the download is Alice's: her history and quota, none of Bob's
  const quota = new QuotaStore(system.kv);
  // recorded once the worker's report is handled, just after the file arrives
  const aliceHistory = await waitUntil(async () => {
    const entries = await listRecentHistory(system.kv, alice.id);
    return entries.length > 0 && entries;
  }, "Alice's history entry");
  assertEquals(aliceHistory.length, 1);
  assertMatch(aliceHistory[0].title, /Lab clip/);
  assertEquals(await listRecentHistory(system.kv, bob.id), []);
  assert((await quota.usage(alice.id, "UTC", 1e12)).usedBytes > 0);
  assertEquals((await quota.usage(bob.id, "UTC", 1e12)).usedBytes, 0);

  // asked again in the group, the cached file answers the new request too
  const again = group.sendText(bob, `/dl ${lab.urls.page}`);
  const bobPreview = await waitForPreview(telegram, GROUP_ID, video.messageId);
  bob.pressButton(bobPreview.message, dataFor(bobPreview, "360p"));
  const cached = await waitForFile(telegram, GROUP_ID, "video", bobPreview.messageId);
  assertEquals(cached.media?.source, "file_id");
  assertEquals(cached.message.reply_to_message?.message_id, again.message_id);
  await waitUntil(
    async () => (await listRecentHistory(system.kv, bob.id)).length === 1,
    "Bob's history entry",
  );
});

Deno.test("[e2e/groups] personal commands in a group answer only with a button to the private chat", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "3101" });
  const { telegram } = bed;
  const admin = telegram.user(3101, { firstName: "Ada", languageCode: "en" });
  const bob = telegram.user(3102, { firstName: "Bob", languageCode: "fr" });
  const group = telegram.group(GROUP_ID, { type: "supergroup", members: [admin, bob] });
  group.addBot(admin);
  await telegram.waitFor(() => telegram.messages(GROUP_ID)[0]);

  const commands = ["history", "stats", "profile", "settings", "premium", "admin", "playlist"];
  // a group gets about 20 messages a minute from a bot: each command once, by one or the other
  for (
    const [member, text] of commands.map((c, i) =>
      i % 2 ? [bob, `/${c}@MediaTestBot`] as const : [admin, `/${c}`] as const
    )
  ) {
    const before = telegram.messages(GROUP_ID).length;
    const sent = group.sendText(member, text);
    const answer = await telegram.waitFor(() => telegram.messages(GROUP_ID)[before]);
    const expected = member === bob
      ? "🔒 C’est personnel : je vous réponds dans notre conversation privée."
      : "🔒 That is personal: I answer it in our private chat.";
    assertEquals(answer.text, expected, text);
    assertEquals(answer.message.reply_to_message?.message_id, sent.message_id);
    const markup = answer.message.reply_markup?.inline_keyboard.flat() ?? [];
    assertEquals(markup.length, 1);
    assertEquals("url" in markup[0] && markup[0].url, "https://t.me/MediaTestBot?start=group");
  }
  // each command got that one answer, and nothing went to anyone's private chat
  assertEquals(telegram.messages(GROUP_ID).length, 1 + commands.length);
  assertEquals(telegram.messages(admin.id), []);
  assertEquals(telegram.messages(bob.id), []);

  // /dl without a link, or in reply to a message without one, says how
  const plain = group.sendText(bob, "hello everyone");
  for (const [text, replyTo] of [["/dl", undefined], ["/dl", plain]] as const) {
    const before = telegram.messages(GROUP_ID).length;
    group.sendText(admin, text, replyTo);
    const answer = await telegram.waitFor(() => telegram.messages(GROUP_ID)[before]);
    assertMatch(answer.text ?? "", /\/dl <link>/);
  }
  const before = telegram.messages(GROUP_ID).length;
  group.sendText(admin, "/help");
  const help = await telegram.waitFor(() => telegram.messages(GROUP_ID)[before]);
  assertMatch(help.text ?? "", /MediaBot in this group/);
  assert(!/Free|quota: \d/.test(help.text ?? ""), "the group's help shows no one's plan");
});

Deno.test("[e2e/groups] my_chat_member: welcomed once in the adder's language; once removed, nothing is sent there", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const chloe = telegram.user(3201, { firstName: "Chloé", languageCode: "fr" });
  const group = telegram.group(GROUP_ID, { members: [chloe] });
  group.addBot(chloe);
  const welcome = await telegram.waitFor(() => telegram.messages(GROUP_ID)[0]);
  assertMatch(welcome.text ?? "", /MediaBot dans ce groupe/);
  // Telegram repeats the update, or the bot is promoted: no second welcome
  group.addBot(chloe);
  group.sendText(chloe, "/help");
  await telegram.waitFor(() => telegram.messages(GROUP_ID)[1]);
  assertEquals(
    telegram.messages(GROUP_ID).filter((m) => /MediaBot dans ce groupe/.test(m.text ?? "")).length,
    2,
    "the welcome and the /help answer, no second welcome",
  );

  group.sendText(chloe, `/dl ${lab.urls.page}`);
  const preview = await waitForPreview(telegram, GROUP_ID);
  chloe.pressButton(preview.message, dataFor(preview, "720p"));
  await waitUntil(
    async () => (await system.queue.listActiveByUser(chloe.id)).length > 0,
    "the download queued",
  );
  group.removeBot(chloe);
  const removedAt = telegram.messages(GROUP_ID).at(-1)!.messageId;

  // the job ends (cancelled by its next heartbeat, or failed by its upload's 403) and is reported
  await waitUntil(
    async () => {
      const active = await system.queue.listActiveByUser(chloe.id);
      const outbox = await system.queue.listOutbox({});
      return active.length === 0 && outbox.entries.length === 0;
    },
    "the job ended and reported",
    60_000,
  );
  await system.jobs.settled();
  assertEquals((await getBotChat(system.kv, GROUP_ID))?.status, "gone");
  assertEquals(telegram.messages(GROUP_ID, { after: removedAt }), [], "nothing sent there since");
  assertEquals(await listRecentHistory(system.kv, chloe.id), []);
  assertEquals((await new QuotaStore(system.kv).usage(chloe.id, "UTC", 1e12)).usedBytes, 0);

  // added back: welcomed again, in the language the group had
  group.addBot(chloe);
  await telegram.waitFor(() => telegram.messages(GROUP_ID, { after: removedAt })[0]);
  assertEquals((await getBotChat(system.kv, GROUP_ID))?.status, "member");
});

Deno.test("[e2e/groups] commands per scope: private chats the full list, groups /dl and /help, admins /admin", async () => {
  await using telegram = await FakeTelegram.start();
  telegram.user(3301, { firstName: "Ada" }).sendText("/start");
  await using _bed = await startTestSystem({ ADMIN_IDS: "3301,3302" }, { telegram });
  // a long-polling start sets the menus in the background, the French admin's last
  await waitUntil(
    () => Promise.resolve((telegram.commands("chat:3301", "fr")?.length ?? 0) > 0),
    "the menus set by the start",
  );
  for (const language of ["en", "fr"] as const) {
    const code = language === "en" ? "" : language;
    assertEquals(telegram.commands("all_private_chats", code), PRIVATE_COMMANDS[language]);
    assertEquals(telegram.commands("default", code), PRIVATE_COMMANDS[language]);
    const group = telegram.commands("all_group_chats", code);
    assertEquals(group?.map((c) => c.command), ["dl", "help"]);
    assertEquals(group, GROUP_COMMANDS[language]);
    const admin = telegram.commands("chat:3301", code);
    assertExists(admin);
    assertEquals(admin, ADMIN_COMMANDS[language]);
    assert(admin.some((c) => c.command === "admin"));
    assert(!PRIVATE_COMMANDS[language].some((c) => c.command === "admin"));
    // an admin who never opened the bot's chat: Telegram refuses the scope, the start goes on
    assertEquals(telegram.commands("chat:3302", code), undefined);
  }
});

Deno.test("[e2e/groups] a blocked or rate-limited member still adds and removes the bot", async () => {
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const dan = telegram.user(3401, { firstName: "Dan", languageCode: "en" });
  const erin = telegram.user(3402, { firstName: "Erin", languageCode: "en" });
  const group = telegram.group(GROUP_ID, { members: [dan, erin] });
  dan.sendText("/start");
  await telegram.waitFor(() => telegram.messages(dan.id)[0]);
  await system.users.update(dan.id, (user) => ({ ...user!, blocked: true }));
  group.addBot(dan);
  await telegram.waitFor(() => telegram.messages(GROUP_ID)[0]);
  assertEquals((await getBotChat(system.kv, GROUP_ID))?.status, "member");
  // Erin goes past the rate limit (30 in 30 s) with commands of other bots, which get no answer:
  // her removal is recorded all the same
  for (let i = 0; i < 40; i++) group.sendText(erin, "/roll");
  group.removeBot(erin);
  await waitUntil(
    async () => (await getBotChat(system.kv, GROUP_ID))?.status === "gone",
    "the removal recorded",
  );
});
