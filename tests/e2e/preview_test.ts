/** The seed's preview: the description's start, views and likes, read by the real yt-dlp. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_POPULAR, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";

Deno.test("[e2e/preview] a preview shows the description's start, views and likes, within the caption limit", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;

  for (
    const [id, languageCode, audience] of [
      [8101, "en", "👁 1.2M views · 👍 8.9K likes"],
      [8102, "fr", "👁 1,2 M vues · 👍 8,9 k j’aime"],
    ] as const
  ) {
    const user = telegram.user(id, { languageCode });
    user.sendText(lab.urls.popular);
    const preview = await waitForPreview(telegram, user.id);
    assertEquals(preview.media?.kind, "photo", "sent as a photo with a caption, not as text");
    const caption = preview.caption ?? "";
    assert(caption.length <= 1024, `${caption.length} characters`);
    // French puts a no-break space between a number and its unit
    const plain = caption.replace(/[\u00a0\u202f]/g, " ");
    assert(plain.includes(audience), `${audience} in ${caption}`);

    // the excerpt: one line, its links gone, its markup shown as text, cut on a word
    const excerpt = caption.split("\n").find((line) => line.startsWith("Made by ffmpeg"));
    assert(excerpt, `an excerpt in ${caption}`);
    assertMatch(excerpt, /^Made by ffmpeg for the <b>media lab<\/b> & its tests: see or for /);
    assert(excerpt.length <= 200 && excerpt.endsWith("…"), `${excerpt.length}: ${excerpt}`);
    assert(LAB_POPULAR.description.includes(excerpt.slice(-12, -1)), "cut after a whole word");
    assert(!/shop\.example|https?:/.test(caption), "the description's links are left out");
    const entities = preview.message.caption_entities ?? [];
    assert(
      entities.every((e) => e.type === "bold"),
      `nothing is a link: ${JSON.stringify(entities)}`,
    );
    assert(caption.includes("👤 Lab Channel"), "the uploader");
    assert(!caption.includes(LAB_POPULAR.title), "the title is cut too");
  }

  // the page yt-dlp read through JSON-LD still downloads
  const user = telegram.user(8103, { languageCode: "en" });
  user.sendText(lab.urls.popular);
  const preview = await waitForPreview(telegram, user.id);
  assert(buttons(preview).some((b) => b.text.includes("720p")), "the 720p quality");
  user.pressButton(preview.message, dataFor(preview, /720p/));
  await waitForFile(telegram, user.id, "video");
});
