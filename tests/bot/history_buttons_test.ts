/** /history's paging, filters and removal, driven through bot.handleUpdate. */
import { assert, assertEquals } from "../support/assert.ts";
import { buttonData, startBotHarness } from "../support/bot_harness.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { addHistoryEntry, getHistoryTotals, listHistoryPage } from "../../kv/history.ts";
import type { MediaKind } from "../../media/media_types.ts";

const en = translatorFor(await createI18n(), "en");

/** Titles of the entries a /history message lists, in order. */
function titlesOf(text: string): string[] {
  return [...text.matchAll(/Clip (\d+)/g)].map((match) => `Clip ${match[1]}`);
}

Deno.test("[bot/history] pages of five, newer and older, filters, and a removal that keeps the page", async () => {
  await using bot = await startBotHarness();
  const dan = bot.user(7101);
  await dan.send("/start");
  const start = Date.UTC(2026, 10, 1);
  // twelve downloads, every third one audio; "Clip 12" is the newest
  for (let n = 1; n <= 12; n++) {
    const kind: MediaKind = n % 3 === 0 ? "audio" : "video";
    await addHistoryEntry(
      bot.kv,
      {
        userId: dan.info.id,
        title: `Clip ${n}`,
        url: `https://videos.example/${n}`,
        webpageUrl: `https://videos.example/${n}`,
        kind,
        variant: kind === "audio" ? "audio" : "720",
        size: 1_000_000,
        extractor: "generic",
        mediaId: `clip-${n}`,
        fromCache: false,
      },
      `job-${n}`,
      start + n * 60_000,
    );
  }

  await dan.send("/history");
  let page = bot.lastMessage(dan.info.id);
  assertEquals(titlesOf(page.text), ["Clip 12", "Clip 11", "Clip 10", "Clip 9", "Clip 8"]);
  assert(!page.keyboard.flat().some((b) => b.text === en("history-newer")), "the newest page");

  await dan.press(page, en("history-older"));
  page = bot.lastMessage(dan.info.id);
  assertEquals(titlesOf(page.text), ["Clip 7", "Clip 6", "Clip 5", "Clip 4", "Clip 3"]);
  await dan.press(page, en("history-older"));
  assertEquals(titlesOf(bot.lastMessage(dan.info.id).text), ["Clip 2", "Clip 1"]);
  await dan.press(bot.lastMessage(dan.info.id), en("history-newer"));
  page = bot.lastMessage(dan.info.id);
  assertEquals(titlesOf(page.text), ["Clip 7", "Clip 6", "Clip 5", "Clip 4", "Clip 3"]);

  // removing the page's second entry shows the same page, one on
  await dan.press(page, en("history-button-remove", { number: 2 }));
  assertEquals(bot.answers().at(-1)?.text, en("history-removed"));
  page = bot.lastMessage(dan.info.id);
  assertEquals(titlesOf(page.text), ["Clip 7", "Clip 5", "Clip 4", "Clip 3", "Clip 2"]);
  const left = await listHistoryPage(bot.kv, dan.info.id, { filter: "all", limit: 20 });
  assertEquals(left.entries.length, 11);
  assertEquals((await getHistoryTotals(bot.kv, dan.info.id)).downloads, 12, "totals count all");

  await dan.press(page, en("history-filter-audio"));
  page = bot.lastMessage(dan.info.id);
  assertEquals(titlesOf(page.text), ["Clip 12", "Clip 9", "Clip 3"], "audio only, Clip 6 removed");
  // pressing the filter already shown changes nothing and says nothing went wrong
  const calls = bot.calls.length;
  await dan.press(page, `• ${en("history-filter-audio")} •`);
  assertEquals(bot.calls.length, calls + 2, "an answer, and an edit Telegram found unchanged");
  assertEquals(titlesOf(bot.lastMessage(dan.info.id).text), ["Clip 12", "Clip 9", "Clip 3"]);
  assertEquals(bot.messages(dan.info.id).filter((m) => m.text === en("error-generic")), []);
});

Deno.test("[bot/history] a removed entry's buttons say it is gone", async () => {
  await using bot = await startBotHarness();
  const eve = bot.user(7102);
  const entry = await addHistoryEntry(bot.kv, {
    userId: eve.info.id,
    title: "Clip 1",
    url: "https://videos.example/1",
    webpageUrl: "https://videos.example/1",
    kind: "video",
    variant: "720",
    size: 1_000,
    extractor: "generic",
    mediaId: "clip-1",
    fromCache: false,
  }, "job-1");
  assert(entry);
  await eve.send("/history");
  // (after it comes the First Steps achievement: the history holds a download)
  const page = bot.messages(eve.info.id).find((m) => m.text.startsWith("📜"))!;
  // the chat shows the page as it is now: the button pressed later is read first
  const download = buttonData(page, en("history-button-download", { number: 1, title: "Clip 1" }));
  await eve.press(page, en("history-button-remove", { number: 1 }));
  assertEquals(page.text.includes("Clip 1"), false);
  await eve.pressData(page, download);
  assertEquals(bot.answers().at(-1), { text: en("history-gone"), alert: true });
});
