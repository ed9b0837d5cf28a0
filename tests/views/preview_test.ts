/** The preview's caption: the seed's excerpt and counts, within Telegram's caption limit always. */
import { Api, InputFile } from "grammy";
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { fixturePath, prepareFixtures } from "../support/media_lab.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import type { ProbeFormat, ProbeInfo } from "../../media/media_types.ts";
import { mediaOffers, recommendVariant } from "../../media/quality.ts";
import { descriptionExcerpt, renderPreview } from "../../views/media.ts";

const MB = 1024 * 1024;

/** Everything a preview can show, each as long as a probe may carry it. */
function longestInfo(description: string): ProbeInfo {
  const heights = [2160, 1080, 720, 480, 360];
  const formats: ProbeFormat[] = heights.map((height) => ({
    id: `v${height}`,
    ext: "mp4",
    width: Math.round(height * 16 / 9),
    height,
    vcodec: "avc1",
    acodec: "mp4a",
    filesize: height * 900 * MB,
  }));
  formats.push({ id: "a", ext: "m4a", vcodec: "none", acodec: "mp4a", filesize: 3 * MB });
  return {
    id: "x",
    extractor: "youtube",
    webpageUrl: "https://example.com/watch",
    // "&" and "<" take 5 and 4 characters escaped, 1 once parsed
    title: "&<".repeat(250),
    description,
    uploader: "U&".repeat(250),
    duration: 3 * 3600,
    viewCount: 987_654_321_012,
    likeCount: 12_345_678_901,
    isLive: false,
    formats,
    playlist: { title: "P<".repeat(500), count: 500 },
  };
}

const DESCRIPTIONS = [
  "word ".repeat(400),
  "😀".repeat(500),
  "x".repeat(500),
  "see https://a.example/b and www.c.example ".repeat(20),
];

Deno.test("[views/preview] the caption stays within 1024 characters as Telegram counts them, whatever the probe holds", async () => {
  const i18n = await createI18n();
  await prepareFixtures();
  await using telegram = await FakeTelegram.start();
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const user = telegram.user(1, { languageCode: "en" });
  const photo = await Deno.readFile(fixturePath("poster.jpg"));
  let captions = 0;
  for (const locale of ["en", "fr"]) {
    const t = translatorFor(i18n, locale);
    for (const description of DESCRIPTIONS) {
      const info = longestInfo(description);
      const recommendation = recommendVariant({
        info,
        limits: { maxUploadBytes: 50 * MB, quotaLeftBytes: 500 * MB },
        prefs: { defaultQuality: "ask", preferAudio: false, dataSaver: false },
        history: { site: {}, length: {} },
      });
      const advice = { recommendation, offers: mediaOffers(info, 50 * MB) };
      for (const preferAudio of [false, true]) {
        const { caption } = renderPreview(t, locale, info, "01JABCDEFGHJKMNPQRSTVWXYZ0", {
          advice,
          preferAudio,
        });
        // the fake Bot API parses the HTML and refuses a caption over the limit, as Telegram does
        const sent = await api.sendPhoto(user.id, new InputFile(photo, "p.jpg"), {
          caption,
          parse_mode: "HTML",
        });
        assert(sent.caption !== undefined && sent.caption.length <= 1024);
        assert(sent.caption.includes("…\n"), "an excerpt still fits, cut");
        captions++;
      }
    }
  }
  assertEquals(captions, 16);
});

Deno.test("[views/preview] the excerpt is one line without links, cut on a word", () => {
  assertEquals(descriptionExcerpt("Short\n\ntext  here", 200), "Short text here");
  assertEquals(
    descriptionExcerpt(
      "Buy at https://shop.example/x?y=1, www.shop.example or shop.example/z now",
      200,
    ),
    "Buy at or now",
  );
  const cut = descriptionExcerpt("alpha beta gamma delta epsilon", 17);
  assertEquals(cut, "alpha beta…");
  assert(cut.length <= 17);
  // a surrogate pair is never split, and the length counts UTF-16 units
  const emoji = descriptionExcerpt("😀".repeat(300), 200);
  assert(emoji.length <= 200 && emoji.endsWith("😀…"), emoji);
});
