/** "Translate title" on previews of media in another language than the user's. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { type MediaLab, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForPreview } from "../support/chat.ts";
import type { FakeTelegram } from "../support/fake_telegram.ts";
import { startTestSystem } from "../support/system.ts";

/** A French user sends the lab's English page and presses "Translate title". */
async function translateLabTitle(telegram: FakeTelegram, lab: MediaLab, userId: number) {
  const user = telegram.user(userId, { languageCode: "fr" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "🌐 Traduire le titre"));
  const answer = await telegram.waitFor(
    () => telegram.messages(user.id).find((m) => /Titre traduit/.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
  const updated = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === preview.messageId && !buttons(m).some((b) => b.data.startsWith("tt:"))
    )
  );
  return { answer, updated };
}

Deno.test("[e2e] a preview in another language offers Translate title and shows the translation", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;

  const english = telegram.user(9001, { languageCode: "en" });
  english.sendText(lab.urls.page);
  const own = await waitForPreview(telegram, english.id);
  assert(!buttons(own).some((b) => b.data.startsWith("tt:")), "no offer in the user's language");

  const { answer, updated } = await translateLabTitle(telegram, lab, 9002);
  assertMatch(answer.text ?? "", /langue d’origine : Anglais/);
  assertMatch(answer.html ?? "", /<b>.*laboratoire.*<\/b>/i);
  assert(!/indisponible|pas disponible/.test(answer.text ?? ""), `translated: ${answer.text}`);
  assert(buttons(updated).some((b) => b.text === "720p"), "the other choices stay");
});

Deno.test("[e2e] when translation fails, the original title comes with a note", async () => {
  await using lab = await startMediaLab();
  // a LibreTranslate server that does not answer
  await using bed = await startTestSystem({
    TRANSLATOR: "libretranslate",
    TRANSLATOR_URL: "http://127.0.0.1:9",
  });
  const { answer } = await translateLabTitle(bed.telegram, lab, 9003);
  assertMatch(answer.text ?? "", /Lab clip <b>&<\/b> "quotes"/);
  assertMatch(answer.text ?? "", /pas disponible pour le moment/);
  assertEquals(answer.html?.includes("&lt;b&gt;"), true, "the title is escaped");
});

Deno.test("[e2e] without a translator at hand, previews offer no Translate title", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ TRANSLATOR: "none" });
  const user = bed.telegram.user(9004, { languageCode: "fr" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(bed.telegram, user.id);
  assert(buttons(preview).some((b) => b.text === "720p"), "the preview itself is there");
  assert(!buttons(preview).some((b) => b.data.startsWith("tt:")), "no button that cannot work");
});
