/**
 * One user's journey against real yt-dlp: a preview under the A/B test, then /history, /stats
 * and /recommend. One lab, one system and one real download, shared by the steps.
 */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import {
  addHistoryEntry,
  type HistoryEntry,
  listHistoryPage,
  mediaOfEntry,
} from "../../kv/history.ts";
import { indexDownload, listUserItems } from "../../kv/recommendation_index.ts";
import type { CachedFile } from "../../kv/media.ts";
import type { Experiment } from "../../kv/experiments.ts";
import { CHART_HEIGHT, CHART_WIDTH } from "../../views/stats_chart.ts";
import { experimentResults } from "../../services/experiments.ts";

async function reply(
  telegram: FakeTelegram,
  user: FakeUser,
  text: string,
  match: (m: BotMessage) => boolean,
) {
  const before = telegram.messages(user.id).length;
  user.sendText(text);
  return await telegram.waitFor(() => telegram.messages(user.id).slice(before).find(match));
}

/** Presses a button of a message and waits for that message to change. */
async function pressAndWaitEdit(
  telegram: FakeTelegram,
  user: FakeUser,
  message: BotMessage,
  data: string,
) {
  const versions = message.history.length;
  user.pressButton(message.message, data);
  return await telegram.waitFor(() => {
    const now = telegram.messages(user.id).find((m) => m.messageId === message.messageId);
    return now && now.history.length > versions ? now : undefined;
  });
}

/** The titles of a history page, from its "1. 🎬 Title" lines. */
const itemTitles = (message: BotMessage) =>
  [...(message.text ?? "").matchAll(/^\d+\. \p{Extended_Pictographic} (.+)$/gmu)].map((m) => m[1]);

const historyOf = async (kv: Deno.Kv, userId: number) =>
  (await listHistoryPage(kv, userId, { filter: "all", limit: 50 })).entries;

Deno.test("[e2e/history] A/B preview, paged /history with cache re-downloads, /stats chart, /recommend", async (t) => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ ADMIN_IDS: "9100" });
  const { telegram, system } = bed;
  const { kv } = system;
  const admin = telegram.user(9100, { languageCode: "en" });
  const user = telegram.user(9101, { languageCode: "en" });
  let video: BotMessage | undefined;

  await t.step(
    "preview_buttons shows the smallest quality first and counts the conversion",
    async () => {
      await reply(
        telegram,
        admin,
        "/admin exp create preview_buttons best_first:0 smallest_first:1",
        (m) => /started/.test(m.text ?? ""),
      );
      user.sendText(lab.urls.page);
      const preview = await waitForPreview(telegram, user.id);
      const variants = buttons(preview).filter((b) => b.data.startsWith("dl:")).map((b) =>
        b.data.split(":")[2]
      );
      assertEquals(variants.filter((v) => v !== "audio"), ["360", "720", "best"], "smallest first");
      user.pressButton(preview.message, dataFor(preview, /^360p/));
      video = await waitForFile(telegram, user.id, "video");
      const experiment = (await kv.get<Experiment>(["experiments", "preview_buttons"])).value;
      assertExists(experiment);
      const results = await waitUntil(async () => {
        const r = await experimentResults(kv, experiment);
        return r.variants[1].converted === 1 ? r : undefined;
      }, "the conversion");
      assertEquals(results.variants.map((v) => [v.name, v.exposed, v.converted]), [
        ["best_first", 0, 0],
        ["smallest_first", 1, 1],
      ]);
    },
  );

  await t.step("/history pages, filters, sends again by file_id, and removes", async () => {
    await waitUntil(
      async () => (await historyOf(kv, user.id)).length,
      "the download in the history",
    );
    // eleven older entries; every third one is audio
    const now = Date.now();
    for (let i = 0; i < 11; i++) {
      await addHistoryEntry(
        kv,
        {
          userId: user.id,
          title: `Older ${i + 1}`,
          // the last one is not in the file cache: its button shows the link's preview
          url: i === 10 ? lab.urls.audioPage : `https://example.com/${i}`,
          webpageUrl: i === 10 ? lab.urls.audioPage : `https://example.com/${i}`,
          kind: i % 3 === 0 ? "audio" : "video",
          variant: i % 3 === 0 ? "audio" : "720",
          size: 1_000_000,
          extractor: "example",
          mediaId: String(i),
          fromCache: false,
        },
        `seed-${i}`,
        now - (i + 1) * 3600_000,
      );
    }

    const first = await reply(
      telegram,
      user,
      "/history",
      (m) => /Your last downloads/.test(m.text ?? ""),
    );
    assertMatch(first.text ?? "", /12 downloads · .* · 🎬 8 · 🎵 4 · 🖼 0 · 📄 0/);
    assertEquals(itemTitles(first), [LAB_CLIP.title, "Older 1", "Older 2", "Older 3", "Older 4"]);
    assertEquals(buttons(first).filter((b) => b.data.startsWith("hd:")).length, 5);
    assert(
      buttons(first).every((b) => b.data.length <= 64),
      "callback data within Telegram's limit",
    );
    assert(!buttons(first).some((b) => b.text === "‹ Newer"), "the first page has nothing newer");

    const second = await pressAndWaitEdit(telegram, user, first, dataFor(first, "Older ›"));
    assertEquals(itemTitles(second), ["Older 5", "Older 6", "Older 7", "Older 8", "Older 9"]);
    const third = await pressAndWaitEdit(telegram, user, second, dataFor(second, "Older ›"));
    assertEquals(itemTitles(third), ["Older 10", "Older 11"]);
    assert(!buttons(third).some((b) => b.text === "Older ›"), "the last page has nothing older");
    const lastMessage = telegram.messages(user.id).at(-1)!.messageId;
    user.pressButton(third.message, dataFor(third, /^⬇️ 2\. Older 11/));
    const preview = await waitForPreview(telegram, user.id, lastMessage);
    assertMatch(preview.caption ?? preview.text ?? "", /Lab Song/);
    const back = await pressAndWaitEdit(telegram, user, third, dataFor(third, "‹ Newer"));
    assertEquals(itemTitles(back), ["Older 5", "Older 6", "Older 7", "Older 8", "Older 9"]);

    const audio = await pressAndWaitEdit(telegram, user, back, dataFor(back, "🎵 Audio"));
    assertEquals(itemTitles(audio), ["Older 1", "Older 4", "Older 7", "Older 10"]);
    assert(
      (audio.text ?? "").split("\n").filter((l) => /^\d+\. /.test(l)).every((l) =>
        l.includes("🎵")
      ),
    );
    const all = await pressAndWaitEdit(telegram, user, audio, dataFor(audio, "All"));

    // sent again by file_id: no job, no upload
    const doneBefore = (await system.queue.countByState()).done;
    user.pressButton(all.message, dataFor(all, /^⬇️ 1\. /));
    const again = await waitForFile(telegram, user.id, "video", all.messageId);
    assertEquals(again.media?.source, "file_id");
    assertEquals(again.media?.fileId, video?.media?.fileId);
    assertEquals((await system.queue.countByState()).done, doneBefore, "no download job ran");
    const recorded = await waitUntil(async () => {
      const entries = await historyOf(kv, user.id);
      return entries.length === 13 ? entries : undefined;
    }, "the re-download recorded");
    assertEquals(recorded[0].fromCache, true);

    const listed = await reply(
      telegram,
      user,
      "/history",
      (m) => /Your last downloads/.test(m.text ?? ""),
    );
    assertEquals(itemTitles(listed)[2], "Older 1");
    const removed = await pressAndWaitEdit(telegram, user, listed, dataFor(listed, "🗑 3"));
    assertEquals(itemTitles(removed), [
      LAB_CLIP.title,
      LAB_CLIP.title,
      "Older 2",
      "Older 3",
      "Older 4",
    ]);
    assertMatch(removed.text ?? "", /13 downloads/, "the totals still count what was received");
    assert(telegram.callbackAnswers.some((a) => a.text === "Removed from your history."));
    assertEquals((await historyOf(kv, user.id)).length, 12);
  });

  await t.step(
    "/stats sends the chart as a photo of the expected size, with a summary",
    async () => {
      const stats = await reply(telegram, user, "/stats", (m) => m.media?.kind === "photo");
      assertEquals([stats.media?.width, stats.media?.height], [CHART_WIDTH, CHART_HEIGHT]);
      // what is in the history now: two lab clips and ten older entries (one was removed)
      assertMatch(stats.caption ?? "", /12 downloads/);
      assertMatch(stats.caption ?? "", /🎬 9 · 🎵 3 · 🖼 0 · 📄 0/);
      assertMatch(stats.caption ?? "", /Top site: example \(10\)/);
    },
  );

  await t.step(
    "/recommend leaves out what the user has, says why, and downloads by cache",
    async () => {
      const [mine] = (await historyOf(kv, user.id)).filter((e) => e.title === LAB_CLIP.title);
      await waitUntil(
        async () => (await listUserItems(kv, user.id)).length,
        "the user's download indexed",
      );
      await reply(telegram, user, "/recommend", (m) => /Nothing new to suggest/.test(m.text ?? ""));

      // another user has the same clip and another one, already uploaded once (in the file cache)
      const other: HistoryEntry = {
        ...mine,
        id: "other",
        userId: 9102,
        title: "Other clip",
        mediaId: "other-1",
        url: "https://example.com/other",
        webpageUrl: "https://example.com/other",
      };
      await indexDownload(kv, { ...mine, id: "same", userId: 9102 });
      await indexDownload(kv, other);
      const cached: CachedFile = {
        fileId: video!.media!.fileId,
        fileUniqueId: video!.media!.fileUniqueId,
        kind: "video",
        size: video!.media!.fileSize,
        title: "Other clip",
        createdAt: Date.now(),
      };
      await system.media.saveFile(
        mediaOfEntry(other),
        other.variant,
        cached,
      );

      const list = await reply(
        telegram,
        user,
        "/recommend",
        (m) => /Picked for you/.test(m.text ?? ""),
      );
      assertMatch(list.text ?? "", /1\. Other clip/);
      assert(!(list.text ?? "").includes("2. "), "the user's own clip is not suggested");
      assertMatch(
        list.text ?? "",
        /People who downloaded “Lab clip <b>&<\/b> "quotes"” also got this/,
      );
      assert(list.html?.includes("Lab clip &lt;b&gt;&amp;&lt;/b&gt;"), "titles are escaped");

      user.pressButton(list.message, dataFor(list, /^⬇️ 1\. Other clip/));
      const sent = await waitForFile(telegram, user.id, "video", list.messageId);
      assertEquals(sent.media?.source, "file_id");
      assertMatch(sent.caption ?? "", /Other clip/);
      const [newest] = await waitUntil(async () => {
        const entries = await historyOf(kv, user.id);
        return entries[0]?.title === "Other clip" ? entries : undefined;
      }, "the suggestion in the history");
      assertEquals(newest.fromCache, true);
    },
  );
});
