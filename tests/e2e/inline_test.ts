/**
 * Inline mode beyond Share buttons: "@bot <link>" answers with the file Telegram has of it, sent
 * by file_id in any chat, or with a deep link that opens the bot on the link; "@bot" with words or
 * nothing answers with the user's own downloads, newest first, page by page.
 */
import { Api, InputFile } from "grammy";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import type { FakeTelegram, FakeUser, InlineAnswer } from "../support/fake_telegram.ts";
import { addHistoryEntry, listHistoryPage } from "../../kv/history.ts";

async function inlineAnswer(
  telegram: FakeTelegram,
  user: FakeUser,
  query: string,
  options: { into?: FakeUser; offset?: string } = {},
): Promise<{ id: string; answer: InlineAnswer }> {
  const { id } = user.sendInlineQuery(query, options.into, options.offset).inline_query!;
  const answer = await telegram.waitFor(() =>
    telegram.inlineAnswers.find((a) => a.inline_query_id === id)
  );
  return { id, answer };
}

/** What Telegram demands of every answer, and what users may rely on. */
function assertWellFormed(answer: InlineAnswer) {
  assert(answer.results.length <= 50, "at most 50 results");
  for (const result of answer.results) {
    const bytes = new TextEncoder().encode(String(result.id)).length;
    assert(bytes >= 1 && bytes <= 64, `result id ${result.id} of 1 to 64 bytes`);
  }
}

Deno.test("[e2e/inline] a link: its cached file by file_id into any chat, else the bot's deep link", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const alice = telegram.user(9601, { languageCode: "en" });
  const bob = telegram.user(9602, { languageCode: "en" });
  const carol = telegram.user(9603, { languageCode: "en" });

  // a link nobody asked for: one result that opens the bot on it, never a probe
  const { id: freshId, answer: fresh } = await inlineAnswer(telegram, bob, lab.urls.page, {
    into: carol,
  });
  assertWellFormed(fresh);
  assertEquals(fresh.results.map((r) => r.type), ["article"]);
  assertEquals(fresh.is_personal, false, "a link's answer is the same for everyone");
  const openButton = (fresh.results[0].reply_markup as {
    inline_keyboard: { url: string }[][];
  }).inline_keyboard[0][0];
  const payload = new URL(openButton.url).searchParams.get("start") ?? "";
  assertMatch(payload, /^dl_[\w-]{16}$/, "a short token, never the link");
  assert(payload.length <= 64);
  assertEquals(await system.queue.listActiveByUser(bob.id), [], "nothing probed");
  bob.chooseInlineResult(freshId, String(fresh.results[0].id));
  assertMatch(telegram.userChat(carol.id, bob.id)[0].text ?? "", /Get it from @MediaTestBot/);

  // Carol follows it: the link's preview, to download it herself
  carol.sendText(`/start ${payload}`);
  const preview = await waitForPreview(telegram, carol.id);
  carol.pressButton(preview.message, dataFor(preview, /^360p/));
  const video = await waitForFile(telegram, carol.id, "video");
  await waitUntil(async () => {
    const page = await listHistoryPage(system.kv, carol.id, { filter: "all", limit: 1 });
    return page.entries[0];
  }, "Carol's delivery recorded");

  // now the file is cached: Bob gets it by file_id, and sends it on to Alice as a real video
  const { id: cachedId, answer: cached } = await inlineAnswer(telegram, bob, lab.urls.page, {
    into: alice,
  });
  assertWellFormed(cached);
  assertEquals(cached.results.map((r) => r.type), ["video"]);
  assertEquals(cached.results[0].video_file_id, video.media?.fileId);
  bob.chooseInlineResult(cachedId, String(cached.results[0].id));
  assertEquals(telegram.userChat(alice.id, bob.id)[0].video?.file_id, video.media?.fileId);
  // the chosen result is Bob's share of that media
  await waitUntil(async () => {
    for await (const _ of system.kv.list({ prefix: ["shared_media", bob.id] })) return true;
    return false;
  }, "Bob's share counted");
});

Deno.test("[e2e/inline] words or nothing: the user's own downloads that match, newest first, in pages", async () => {
  await using bed = await startTestSystem({ WORKERS: "0" });
  const { telegram, system } = bed;
  const alice = telegram.user(9701, { languageCode: "en" });
  const bob = telegram.user(9702, { languageCode: "en" });
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const sent = await api.sendAudio(alice.id, new InputFile(new Uint8Array(1024), "song.m4a"));
  const base = Date.now() - 3_600_000;
  // 30 songs by Alice, the odd ones live; one download of Bob's that matches every query
  for (let i = 0; i < 30; i++) {
    const media = { extractor: "generic", id: `song${i}`, webpageUrl: `https://a.example/${i}` };
    await system.media.saveFile(media, "audio", {
      fileId: sent.audio!.file_id,
      fileUniqueId: sent.audio!.file_unique_id,
      kind: "audio",
      size: 1024,
      title: `Song ${i}`,
      createdAt: base,
    });
    await addHistoryEntry(
      system.kv,
      {
        userId: alice.id,
        title: `Song ${i}${i % 2 ? " (live)" : ""}`,
        url: media.webpageUrl,
        webpageUrl: media.webpageUrl,
        kind: "audio",
        variant: "audio",
        size: 1024,
        extractor: media.extractor,
        mediaId: media.id,
        fromCache: false,
      },
      `song-${i}`,
      base + i * 1000,
    );
  }
  await addHistoryEntry(
    system.kv,
    {
      userId: bob.id,
      title: "Song of Bob (live)",
      url: "https://b.example/1",
      webpageUrl: "https://b.example/1",
      kind: "video",
      variant: "360",
      size: 1,
      extractor: "generic",
      mediaId: "bob",
      fromCache: false,
    },
    "bob-1",
    base,
  );

  // nothing typed: every download, newest first, in pages that follow one another
  const titles: string[] = [];
  let offset: string | undefined = "";
  let pages = 0;
  while (offset !== undefined) {
    const { answer } = await inlineAnswer(telegram, alice, "", { offset });
    assertWellFormed(answer);
    assertEquals(answer.is_personal, true, "one's own downloads");
    assert((answer.cache_time ?? 300) <= 10, "new downloads show up soon");
    assert(
      answer.results.every((r) => r.type === "audio" && r.audio_file_id === sent.audio!.file_id),
    );
    titles.push(...answer.results.map((r) => String(r.caption).match(/<b>(.*)<\/b>/)?.[1] ?? ""));
    offset = answer.next_offset;
    pages++;
  }
  assertEquals(pages, 2);
  assertEquals(
    titles,
    Array.from({ length: 30 }, (_, i) => `Song ${29 - i}${(29 - i) % 2 ? " (live)" : ""}`),
  );

  // words: every word, in any case, in the title
  const { answer: live } = await inlineAnswer(telegram, alice, "LIVE song");
  assertEquals(live.results.length, 15);
  assertEquals(live.next_offset, undefined);
  assertMatch(String(live.results[0].caption), /Song 29 \(live\)/);

  // no match, and a user with no downloads: no result, and the way to the bot
  for (const words of ["karaoke", "v1.2"]) {
    const { answer: none } = await inlineAnswer(telegram, alice, words);
    assertEquals(none.results, []);
    assertMatch(String(none.button?.text), /None of your downloads match/, `${words}: words`);
  }
  // a link whose media was only sent split: its first part
  const parts = [];
  for (const name of ["part1.mp4", "part2.mp4"]) {
    const part = await api.sendVideo(alice.id, new InputFile(new Uint8Array(512), name));
    parts.push({
      fileId: part.video!.file_id,
      fileUniqueId: part.video!.file_unique_id,
      kind: "video" as const,
      size: 512,
      title: "Concert",
      createdAt: base,
    });
  }
  const concert = { extractor: "generic", id: "concert", webpageUrl: "https://c.example/concert" };
  await system.media.saveProbe(concert.webpageUrl, {
    ...concert,
    title: "Concert",
    isLive: false,
    formats: [],
  });
  await system.media.saveParts(concert, parts);
  const { answer: split } = await inlineAnswer(telegram, bob, concert.webpageUrl);
  assertEquals(split.results.map((r) => r.video_file_id), [parts[0].fileId]);

  const carol = telegram.user(9703, { languageCode: "fr" });
  const { answer: empty } = await inlineAnswer(telegram, carol, "");
  assertEquals(empty.results, []);
  assertMatch(String(empty.button?.text), /Rien de téléchargé/);
});
