/** The menu and /settings, driven through bot.handleUpdate (tests/support/bot_harness.ts). */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startBotHarness } from "../support/bot_harness.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { MENU_ENTRIES } from "../../views/menu.ts";
import { downloadsCountKey } from "../../kv/history.ts";

const i18n = await createI18n();
const en = translatorFor(i18n, "en");
const fr = translatorFor(i18n, "fr");
/** what a message shows for a translation with tags: Telegram reads the HTML */
const shown = (html: string) => html.replace(/<[^>]+>/g, "");

Deno.test("[bot/menu] /start shows the account and every menu button answers without an error", async () => {
  await using bot = await startBotHarness();
  const alice = bot.user(7001);
  await alice.send("/start");
  let menu = bot.lastMessage(alice.info.id);
  assert(menu.text.startsWith(shown(en("menu-title"))), menu.text);
  assertMatch(menu.text, /Your account/);
  assertEquals(menu.keyboard.flat().length, MENU_ENTRIES.length, "no admin button for a user");
  for (const entry of MENU_ENTRIES) {
    const before = bot.answers().length;
    await alice.press(menu, en(entry.key));
    assertEquals(bot.answers().length, before + 1, `${entry.key} is answered once`);
    // a screen that opens in the menu's own message replaces it: a new menu for the next button
    const current = bot.messages(alice.info.id).find((m) => m.messageId === menu.messageId)!;
    if (!current.text.startsWith(shown(en("menu-title")))) {
      await alice.send("/start");
      menu = bot.lastMessage(alice.info.id);
    }
  }
  const errors = bot.messages(alice.info.id).filter((m) => m.text === en("error-generic"));
  assertEquals(errors.length, 0, "no button ended in an error");
  const sent = bot.calls.filter((call) =>
    call.method === "sendMessage" || call.method === "sendPhoto" ||
    call.method === "editMessageText"
  );
  assert(sent.length >= MENU_ENTRIES.length, "each button brought its screen");
});

Deno.test("[bot/settings] each button changes its setting and the message shows the change", async () => {
  await using bot = await startBotHarness();
  const bob = bot.user(7002);
  await bob.send("/settings");
  let settings = bot.lastMessage(bob.info.id);
  assert(settings.text.startsWith(shown(en("settings-title"))), settings.text);
  const profile = () => bot.users.get(bob.info.id);

  await bob.press(settings, en("settings-button-audio"));
  assertEquals((await profile())?.prefs.preferAudio, true);
  await bob.press(settings, en("settings-button-send"));
  assertEquals((await profile())?.prefs.sendAs, "file");
  await bob.press(settings, en("settings-button-saver"));
  assertEquals((await profile())?.prefs.dataSaver, true);
  const notified = (await profile())!.prefs.notifications;
  await bob.press(settings, en("settings-button-notifications"));
  assertEquals((await profile())?.prefs.notifications, !notified);
  await bob.press(settings, /^🎞/);
  assertEquals((await profile())?.prefs.defaultQuality, "best");
  assertEquals(bot.answers().at(-1)?.text, en("settings-saved"));
  // the same message, edited in place
  settings = bot.lastMessage(bob.info.id);
  assertMatch(settings.text, /Best/);

  await bob.press(settings, en("settings-button-timezone"));
  await bob.press(bot.lastMessage(bob.info.id), "Asia/Tokyo");
  assertEquals((await profile())?.timezone, "Asia/Tokyo");
  assertMatch(bot.lastMessage(bob.info.id).text, /Asia\/Tokyo/);

  await bob.press(bot.lastMessage(bob.info.id), "🇫🇷 Français");
  assertEquals((await profile())?.language, "fr");
  assertEquals(bot.answers().at(-1)?.text, fr("settings-saved"), "answered in the new language");
  assert(bot.lastMessage(bob.info.id).text.startsWith(shown(fr("settings-title"))));
  assertEquals(bot.messages(bob.info.id).length, 1, "every change edited the one message");
});

Deno.test("[bot/settings] the audio format is MP3 192 until chosen, and the button goes through every format", async () => {
  await using bot = await startBotHarness();
  const dan = bot.user(7004);
  await dan.send("/settings");
  const profile = async () => (await bot.users.get(dan.info.id))?.prefs.audioFormat;
  const format = (value: string) => shown(en("settings-audio-format", { value }));
  assert(bot.lastMessage(dan.info.id).text.includes(format("MP3 192 kbps")));
  assertEquals(await profile(), undefined, "nothing stored until the user chooses");
  for (
    const [stored, label] of [
      ["mp3_320", "MP3 320 kbps"],
      ["m4a", "M4A (original)"],
      ["mp3_128", "MP3 128 kbps"],
      ["mp3_192", "MP3 192 kbps"],
    ]
  ) {
    await dan.press(bot.lastMessage(dan.info.id), /^🎧/);
    assertEquals(await profile(), stored);
    assert(bot.lastMessage(dan.info.id).text.includes(format(label)), label);
  }
  await dan.press(bot.lastMessage(dan.info.id), "🇫🇷 Français");
  assertMatch(bot.lastMessage(dan.info.id).text, /Fichiers audio : MP3 192 kbit\/s/);
  assertMatch(JSON.stringify(bot.lastMessage(dan.info.id).keyboard), /🎧 → MP3 320 kbit\/s/);
});

Deno.test("[bot/settings] a time zone typed with markup is refused, shown as typed, and not saved", async () => {
  await using bot = await startBotHarness();
  const carol = bot.user(7003);
  await carol.send("/settings timezone <b>Mars&Co");
  const answer = bot.lastMessage(carol.info.id);
  assertEquals(answer.text, en("settings-timezone-invalid", { value: "<b>Mars&Co" }));
  assertEquals((await bot.users.get(carol.info.id))?.timezone, undefined);
});

Deno.test("[bot/menu] Settings, History and ⬅️ Menu navigate in the menu's own message", async () => {
  await using bot = await startBotHarness();
  const carol = bot.user(7003);
  await carol.send("/start");
  const menu = bot.lastMessage(carol.info.id);
  const screens = () => bot.messages(carol.info.id).filter((m) => !m.deleted);
  const shownIn = (messageId: number) =>
    bot.messages(carol.info.id).find((m) => m.messageId === messageId)!;

  await carol.press(menu, en("button-settings"));
  assertEquals(screens().length, 1, "no new message");
  assert(shownIn(menu.messageId).text.startsWith(shown(en("settings-title"))));

  await carol.press(shownIn(menu.messageId), en("button-menu"));
  assertEquals(screens().length, 1);
  assert(shownIn(menu.messageId).text.startsWith(shown(en("menu-title"))));

  await carol.press(shownIn(menu.messageId), en("button-history"));
  assertEquals(screens().length, 1);
  assert(shownIn(menu.messageId).text.startsWith(shown(en("history-title"))));
  await carol.press(shownIn(menu.messageId), en("button-menu"));
  assertEquals(screens().length, 1);
  assert(shownIn(menu.messageId).text.startsWith(shown(en("menu-title"))));

  // commands still answer with a message of their own
  await carol.send("/history");
  assertEquals(screens().length, 2);
});

Deno.test("[bot/menu] /start reads the menu's figures with the user; a user in another time zone still sees their own", async () => {
  await using bot = await startBotHarness();
  const home = bot.user(7101);
  const away = bot.user(7102);
  for (const user of [home, away]) await user.send("/start");
  await bot.users.update(away.info.id, (user) => ({ ...user!, timezone: "Pacific/Kiritimati" }));
  // the first update since the change may start a new local day there (the visit's XP): not counted
  await away.send("/start");
  for (const [user, count] of [[home, 12n], [away, 34n]] as const) {
    await bot.kv.set(downloadsCountKey(user.info.id), new Deno.KvU64(count));
  }
  const readsOf = async (user: typeof home) => {
    const before = bot.reads.calls;
    await user.send("/start");
    return bot.reads.calls - before;
  };
  assertEquals(await readsOf(home), 1, "the user, the rate limit and the menu's figures in one");
  assertMatch(bot.lastMessage(home.info.id).text, /Downloads: 12\b/);
  // the guess was the bot's day, not theirs: the menu reads its own
  assertEquals(await readsOf(away), 2);
  assertMatch(bot.lastMessage(away.info.id).text, /Downloads: 34\b/);
});
