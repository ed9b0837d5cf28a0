/**
 * A site's own words in a preview: titles, uploaders and descriptions made to break out of the
 * caption's HTML, to smuggle in links, or to push it past Telegram's 1024 characters. Every
 * caption goes through the fake Bot API, which parses its HTML and enforces the limit as
 * Telegram does.
 */
import { Api, GrammyError, InputFile } from "grammy";
import { assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { fixturePath, prepareFixtures } from "../support/media_lab.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import type { ProbeInfo } from "../../media/media_types.ts";
import { renderPreview } from "../../views/media.ts";

/** A preview id as the bot makes them (a ULID). */
const PREVIEW_ID = "01JD5Y8W7X9ABCDEFGHJKMNPQR";

const TITLES = [
  '</b><a href="https://evil.example/t">click</a><b>',
  "&amp;lt;script&gt; & < > \" '",
  "\u202eevil\u202c " + "😀".repeat(300),
  "x".repeat(5000),
  "<i><u><s>unclosed",
  "a\u0301".repeat(400),
];

/** Links in every shape Telegram would make clickable, and markup ("bad" marks what must go). */
const DESCRIPTIONS = [
  '<a href="https://bad.example/a">read more</a> about this clip and many other things',
  "Buy now: https://bad.example/b?ref=1&x=<y> before it is too late for you and yours",
  "HTTPS://BAD.EXAMPLE/C and http://203.0.113.9:8080/d are the two places to go now and later",
  "www.bad.example for more of the same, every day of the week, at any hour at all",
  "bad.example/e/f is where it is, and where it will stay for a long, long time yet",
  "ht\u200btps://bad.example/g split by a zero-width space, which fools nobody at all",
  "tg://resolve?domain=badchannel ftp://bad.example/h and then some harmless words to end this line",
  "write to bad@bad.example or follow @badchannel on every network you can think of",
  "</b></i>&#x3C;b&#x3E; &lt;a href=x&gt; &unknown; & some more words to read here",
  "line\nafter\tline\r\n".repeat(200),
  "😀".repeat(2000),
  "word ".repeat(5000),
  `${"a".repeat(190)} https://bad.example/h ${"b".repeat(300)}`,
];

/** Words of the first nine descriptions that their excerpts keep. */
const SURVIVING = [
  "more</a> about this clip",
  "Buy now:",
  "are the two places",
  "for more of the same",
  "is where it is",
  "split by a zero-width",
  "harmless words",
  "every network",
  "some more words",
];

function hostileInfo(title: string, description: string): ProbeInfo {
  return {
    id: "x",
    extractor: "generic",
    webpageUrl: "https://example.com/v",
    title,
    description,
    uploader: title,
    duration: 60,
    viewCount: 1_000_000,
    likeCount: 10,
    isLive: false,
    formats: [
      { id: "v", ext: "mp4", height: 720, vcodec: "avc1", acodec: "mp4a", filesize: 1e6 },
    ],
    playlist: { title, count: 2 },
  };
}

Deno.test("[security] site texts in a preview never break its HTML, add a link or pass 1024 characters", async () => {
  const i18n = await createI18n();
  await prepareFixtures();
  await using telegram = await FakeTelegram.start();
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const user = telegram.user(1, { languageCode: "en" });
  const photo = await Deno.readFile(fixturePath("poster.jpg"));
  let inputs = 0, escapes = 0, crashes = 0, excerpts = 0;
  const failures: string[] = [];
  for (const locale of ["en", "fr"]) {
    const t = translatorFor(i18n, locale);
    for (const title of TITLES) {
      for (const description of DESCRIPTIONS) {
        inputs++;
        try {
          const { caption } = renderPreview(t, locale, hostileInfo(title, description), PREVIEW_ID);
          const sent = await api.sendPhoto(user.id, new InputFile(photo, "p.jpg"), {
            caption,
            parse_mode: "HTML",
          });
          const links = (sent.caption_entities ?? []).filter((e) =>
            ["text_link", "url", "email", "mention", "text_mention"].includes(e.type)
          );
          const text = sent.caption ?? "";
          if (SURVIVING.some((words) => text.includes(words))) excerpts++;
          if (links.length > 0 || /bad|203\.0\.113/i.test(text) || text.length > 1024) {
            escapes++;
            failures.push(`escape: ${description.slice(0, 40)} → ${text.slice(0, 300)}`);
          }
        } catch (error) {
          crashes++;
          const reason = error instanceof GrammyError ? error.description : String(error);
          failures.push(`crash: ${title.slice(0, 20)} / ${description.slice(0, 20)}: ${reason}`);
        }
      }
    }
  }
  await reportHostile({ name: "site texts in a preview", inputs, escapes, wrongFiles: 0, crashes });
  assertEquals(failures, []);
  assertEquals(excerpts, 2 * TITLES.length * SURVIVING.length, "every excerpt is shown");
  assertEquals(inputs, 2 * TITLES.length * DESCRIPTIONS.length);
});
