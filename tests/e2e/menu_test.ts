/** The seed's main menu, /help and the news, end to end through the fake Bot API. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { buttons, reply } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { PRIVATE_COMMANDS } from "../../bot/commands.ts";

function rows(message: BotMessage): string[][] {
  const markup = message.replyMarkup;
  return markup && "inline_keyboard" in markup
    ? markup.inline_keyboard.map((row) => row.map((button) => button.text))
    : [];
}

async function press(telegram: FakeTelegram, user: FakeUser, message: BotMessage, data: string) {
  const before = telegram.messages(user.id).length;
  user.pressButton(message.message, data);
  return await telegram.waitFor(() => telegram.messages(user.id)[before]);
}

Deno.test("[e2e/menu] the seed's menu: its buttons in pairs, 🎵 Playlists opens /playlist, 📢 News, 🔧 Admin", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "9002" });
  const { telegram } = bed;
  const user = telegram.user(9001, { languageCode: "en" });
  const admin = telegram.user(9002, { languageCode: "fr" });

  const menu = await reply(telegram, user, "/start", /Your account/);
  assertEquals(rows(menu), [
    ["📥 Download", "📜 History"],
    ["🎵 Playlists", "📊 Stats"],
    ["✨ For you", "🏆 Profile"],
    ["⭐ Premium", "⚙️ Settings"],
    ["❓ Help", "📢 News"],
  ]);
  const fromMenu = await press(
    telegram,
    user,
    menu,
    buttons(menu).find((b) => b.text === "🎵 Playlists")!.data,
  );
  const fromCommand = await reply(telegram, user, "/playlist", /Playlists/);
  assertEquals(fromMenu.html, fromCommand.html, "the button answers what /playlist answers");
  assertMatch(fromMenu.text ?? "", /\/playlist create name/);

  const adminMenu = await reply(telegram, admin, "/menu", /Votre compte/);
  assertEquals(rows(adminMenu).at(-2), ["❓ Aide", "📢 Nouveautés"]);
  assertEquals(rows(adminMenu).at(-1), ["🔧 Admin"]);
  assertEquals(rows(adminMenu)[1][0], "🎵 Playlists");
  const news = await press(telegram, admin, adminMenu, "menu:news");
  assertMatch(news.text ?? "", /^📢 Nouveautés/);
});

/** Every command /help or the news names, in a message's text. */
function commandsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?:^|[\s(,])\/([a-z]+)/g)].map((m) => m[1]));
}

Deno.test("[e2e/menu] /help and the news name every command the bot has, and only those", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "9102" });
  const { telegram } = bed;
  // the commands the bot answers besides those in Telegram's command menu
  const unlisted = ["menu", "settings", "premium"];
  for (const [id, languageCode] of [[9101, "en"], [9102, "fr"]] as const) {
    const user = telegram.user(id, { languageCode });
    const help = await reply(telegram, user, "/help", /MediaBot/);
    const menu = await reply(telegram, user, "/menu", /MediaBot/);
    const news = await press(telegram, user, menu, "menu:news");
    const listed = PRIVATE_COMMANDS[languageCode].map((c) => c.command);
    const named = [...commandsIn(help.text ?? ""), ...commandsIn(news.text ?? "")];
    for (const command of [...listed, ...unlisted]) {
      assert(commandsIn(help.text ?? "").has(command), `/${command} in /help (${languageCode})`);
    }
    for (const command of [...listed, ...unlisted]) {
      if (["start", "menu", "help", "cancel"].includes(command)) continue;
      assert(commandsIn(news.text ?? "").has(command), `/${command} in the news (${languageCode})`);
    }
    // an admin's /help has /admin too
    assertEquals(commandsIn(help.text ?? "").has("admin"), id === 9102);

    // each command named is one the bot answers, not the fallback for unknown messages
    const unknown = await reply(telegram, user, "/nosuchcommand", /./);
    for (const command of new Set(named)) {
      const before = telegram.messages(user.id).length;
      user.sendText(`/${command}`);
      const answer = await telegram.waitFor(() => telegram.messages(user.id)[before]);
      assert(answer.text !== unknown.text, `/${command} is answered (${languageCode})`);
      assert(!answer.text?.startsWith("🐢"), "not slowed down by the rate limit");
    }
  }
});
