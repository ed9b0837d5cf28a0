/**
 * "📤 Share" through inline mode, end to end: a preview shares the bot's deep link, a delivered
 * file shares itself by file_id, a chosen result pays its XP once per user and media, and the deep
 * link opens the media's preview for the friend who got it.
 */
import { Api } from "grammy";
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import { middayTimezone, startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { type BotMessage, FakeTelegram, type FakeUser } from "../support/fake_telegram.ts";
import { getXp } from "../../kv/xp.ts";
import { listHistoryPage, mediaOfEntry } from "../../kv/history.ts";

/** at midday in the user's zone, so that no night owl joins the achievements counted here */
const MIDDAY = { DEFAULT_TIMEZONE: middayTimezone() };

const SHARE = "📤 Share";

/** The "📤 Share" button's query: what the user's app types after "@bot". */
function shareQueryOf(message: BotMessage): string {
  const markup = message.replyMarkup;
  const button = markup && "inline_keyboard" in markup
    ? markup.inline_keyboard.flat().find((b) => b.text === SHARE)
    : undefined;
  assertExists(button, `a Share button on message ${message.messageId}`);
  assert("switch_inline_query" in button, "an inline-mode button");
  return button.switch_inline_query;
}

/** The user's latest download once its report is done: the file cache has it from then on. */
function delivered(kv: Deno.Kv, userId: number) {
  return waitUntil(async () => {
    const page = await listHistoryPage(kv, userId, { filter: "all", limit: 1 });
    return page.entries[0];
  }, "the delivery recorded");
}

/** Presses Share on a message, picks `into`'s chat, and waits for the bot's answer. */
async function pressShare(
  telegram: FakeTelegram,
  user: FakeUser,
  message: BotMessage,
  into?: FakeUser,
  label = SHARE,
) {
  const query = user.pressSwitchInlineButton(message.message, label, into).inline_query!;
  const answer = await telegram.waitFor(() =>
    telegram.inlineAnswers.find((a) => a.inline_query_id === query.id)
  );
  return { query, answer };
}

Deno.test("[e2e/share] Share: a preview's deep link, a file by its file_id, XP once per user and media", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  // an earlier deployment's webhook let only these through; Telegram keeps that list for polling
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  await api.setWebhook("http://127.0.0.1:9/telegram/webhook", {
    allowed_updates: ["message", "callback_query"],
  });
  await api.deleteWebhook();
  using kv = await Deno.openKv(":memory:");
  const bed = await startTestSystem(MIDDAY, { telegram, kv });
  const alice = telegram.user(9301, { firstName: "Alice", languageCode: "en" });
  const bob = telegram.user(9302, { firstName: "Bob", languageCode: "en" });
  try {
    // the preview of a media nobody downloaded shares the bot's deep link
    alice.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, alice.id);
    const previewShare = await pressShare(telegram, alice, preview, bob);
    assertEquals(previewShare.query.query, shareQueryOf(preview));
    assertMatch(shareQueryOf(preview), /^[\w-]{16}$/, "a short token, never the link");
    assertEquals(previewShare.answer.is_personal, true);
    assert((previewShare.answer.cache_time ?? 300) <= 10, "Telegram keeps the answer briefly");
    const [article] = previewShare.answer.results;
    assertEquals(article.type, "article");
    assertEquals(article.id, shareQueryOf(preview));
    alice.chooseInlineResult(previewShare.query.id, String(article.id));
    const [invitation] = telegram.userChat(bob.id, alice.id);
    assertEquals(invitation.via_bot?.username, "MediaTestBot");
    assertMatch(invitation.text ?? "", /Lab clip <b>&<\/b> "quotes"/);
    const link = invitation.reply_markup?.inline_keyboard[0][0];
    assert(link && "url" in link, "a button to the bot");
    assertEquals(link.url, `https://t.me/MediaTestBot?start=sh_${shareQueryOf(preview)}`);
    // the first share of the media pays, on top of today's visit
    await waitUntil(async () => (await getXp(kv, alice.id))?.xp === 5 + 5, "Alice's share XP");
    await reply(telegram, alice, "/profile", /✨ 10 XP/);

    // Bob follows the link: the media's preview, to download it himself
    bob.sendText(`/start sh_${shareQueryOf(preview)}`);
    const bobPreview = await waitForPreview(telegram, bob.id);
    assertMatch(bobPreview.caption ?? "", /Lab clip/);

    // the delivered file shares itself, by its file_id, with the deep link in its caption
    alice.pressButton(preview.message, dataFor(preview, /^360p/));
    const video = await waitForFile(telegram, alice.id, "video");
    await delivered(kv, alice.id);
    const fileToken = shareQueryOf(video);
    assert(fileToken !== shareQueryOf(preview), "the file has a share of its own");
    const fileShare = await pressShare(telegram, alice, video, bob);
    const [cached] = fileShare.answer.results;
    assertEquals(cached.type, "video");
    assertEquals(cached.video_file_id, video.media?.fileId);
    alice.chooseInlineResult(fileShare.query.id, String(cached.id));
    const sent = telegram.userChat(bob.id, alice.id)[1];
    assertEquals(sent.video?.file_id, video.media?.fileId, "the file itself, not a link");
    const captionLink = sent.caption_entities?.find((e) =>
      e.type === "text_link" && /t\.me/.test(e.url)
    );
    assertEquals(
      captionLink?.type === "text_link" ? captionLink.url : undefined,
      `https://t.me/MediaTestBot?start=sh_${fileToken}`,
    );
    // shared again, and into the bot's own chat: the same media pays nothing more, and the
    // bot leaves its own result alone
    const again = await pressShare(telegram, alice, video);
    alice.chooseInlineResult(again.query.id, String(again.answer.results[0].id));

    // Bob's copy comes from the cache, with its own Share button; his share pays him once
    bob.pressButton(bobPreview.message, dataFor(bobPreview, /^360p/));
    const bobVideo = await waitForFile(telegram, bob.id, "video");
    assertEquals(bobVideo.media?.source, "file_id");
    assertEquals(shareQueryOf(bobVideo), fileToken, "one share per file, whoever offers it");
    for (let i = 0; i < 2; i++) {
      const share = await pressShare(telegram, bob, bobVideo, alice);
      bob.chooseInlineResult(share.query.id, String(share.answer.results[0].id));
    }
    await waitUntil(
      async () => (await getXp(kv, bob.id))?.xp === 5 + 10 + 50 + 5,
      "Bob's visit, download, First Steps and one share",
    );
  } finally {
    await bed.close();
  }
  // every update handled and every event followed: repeats paid nothing
  assertEquals((await getXp(kv, alice.id))?.xp, 5 + 5 + 10 + 50, "one share paid, not three");
  assertEquals((await getXp(kv, bob.id))?.xp, 5 + 10 + 50 + 5);
  // the result Alice sent into the bot's chat carries links: it got no preview and no reply
  const aliceChat = telegram.messages(alice.id);
  const previews = aliceChat.filter((m) => buttons(m).some((b) => b.data.startsWith("dl:")));
  assertEquals(previews.length, 1);
  assert(!aliceChat.some((m) => /did not find a link/.test(m.text ?? "")));
});

Deno.test("[e2e/share] a shared file Telegram no longer has: forgotten, the deep link offered", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram, system } = bed;
  const alice = telegram.user(9401, { languageCode: "fr" });
  const bob = telegram.user(9402, { languageCode: "fr" });
  alice.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, alice.id);
  alice.pressButton(preview.message, dataFor(preview, /^360p/));
  const video = await waitForFile(telegram, alice.id, "video");
  const entry = await delivered(system.kv, alice.id);
  const cached = await system.media.getFile(mediaOfEntry(entry), entry.variant, "video");
  assertExists(cached);
  await system.media.saveFile(mediaOfEntry(entry), entry.variant, {
    ...cached,
    fileId: "a-file-telegram-no-longer-has",
  }, "video");

  const { answer } = await pressShare(telegram, alice, video, bob, "📤 Partager");
  assertEquals(answer.results.map((r) => r.type), ["article"]);
  assertMatch(String(answer.results[0].description), /Pas encore téléchargé/);
  assertEquals(
    await system.media.getFile(mediaOfEntry(entry), entry.variant, "video"),
    undefined,
    "the stale file is forgotten: the next request downloads it again",
  );
});

// a link no longer belongs here: it gets its own answer (tests/e2e/inline_test.ts)
Deno.test("[e2e/share] an inline query that names no share gets no result and the way to the bot", async () => {
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const user = telegram.user(9501, { languageCode: "en" });
  for (const query of ["", "hello", "AAAAAAAAAAAAAAAA"]) {
    const { id } = user.sendInlineQuery(query).inline_query!;
    const answer = await telegram.waitFor(() =>
      telegram.inlineAnswers.find((a) => a.inline_query_id === id)
    );
    assertEquals(answer.results, [], `no result for ${JSON.stringify(query)}`);
    assertMatch(String(answer.button?.text), /open the bot and send it a link/);
  }
  user.sendText("/start sh_AAAAAAAAAAAAAAAA");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /shared link no longer works/.test(m.text ?? ""))
  );
});

Deno.test("[e2e/share] a file sent on from the storage chat keeps its Share button", async () => {
  await using lab = await startMediaLab();
  const storageChat = 9_690;
  await using bed = await startTestSystem({ ...MIDDAY, STORAGE_CHAT_ID: String(storageChat) });
  const { telegram } = bed;
  telegram.user(storageChat);
  const user = telegram.user(9601, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, /^360p/));
  const video = await waitForFile(telegram, user.id, "video");
  assertEquals(video.media?.source, "file_id", "sent on by the app");
  const { answer } = await pressShare(telegram, user, video, telegram.user(9602));
  assertEquals(answer.results.map((r) => [r.type, r.video_file_id]), [
    ["video", video.media?.fileId],
  ]);
});
