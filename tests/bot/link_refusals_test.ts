/** Every command that takes a link refuses a bad one with the same, translated, reason. */
import { assertEquals } from "../support/assert.ts";
import { startBotHarness } from "../support/bot_harness.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import type { UrlRefusal } from "../../lib/url_guard.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";

const i18n = await createI18n();

/** A link refused for each reason (the harness's DNS: tests/support/bot_harness.ts). */
const REFUSED: [UrlRefusal, string][] = [
  ["private_address", "http://10.0.0.7/clip"],
  ["private_address", "https://intranet.example/clip"],
  ["unresolvable", "https://gone.example/clip"],
  ["credentials", "https://user:secret@videos.example/clip"],
  ["too_long", `https://videos.example/${"a".repeat(2100)}`],
];
/** Words that only the commands taking their link as it is typed read as one. */
const TYPED: [UrlRefusal, string][] = [
  ["bad_scheme", "ftp://videos.example/clip"],
  ["not_a_url", "videos-dot-example"],
];

/** Each way a link reaches the bot, as a message to send. */
const COMMANDS: Record<string, (link: string) => string> = {
  "a message": (link) => `look: ${link}`,
  "/schedule": (link) => `/schedule ${link} tomorrow 8am`,
  "/batch": (link) => `/batch ${link}`,
  "/subs": (link) => `/subs ${link}`,
  "/record": (link) => `/record ${link} 10`,
  "/playlist add": (link) => `/playlist add ${link}`,
};

for (const language of ["en", "fr"]) {
  Deno.test(`[bot/links] each refusal reason gets its message from every command (${language})`, async () => {
    await using bot = await startBotHarness();
    const t = translatorFor(i18n, language);
    const user = bot.user(7200, { languageCode: language });
    // /playlist add needs a playlist to add to
    await user.send("/playlist create Mix");
    const cases = [
      ...Object.entries(COMMANDS).flatMap(([via, text]) =>
        REFUSED.map(([reason, link]) => ({ via, reason, text: text(link) }))
      ),
      ...["/subs", "/record"].flatMap((via) =>
        TYPED.map(([reason, link]) => ({ via, reason, text: COMMANDS[via](link) }))
      ),
    ];
    for (const { via, reason, text } of cases) {
      await user.send(text);
      assertEquals(
        bot.lastMessage(user.info.id).text,
        t(URL_REFUSAL_MESSAGES[reason]),
        `${via} with a link refused as ${reason}`,
      );
    }
    assertEquals((await bot.queue.listActiveByUser(user.info.id)).length, 0, "nothing queued");
  });
}
