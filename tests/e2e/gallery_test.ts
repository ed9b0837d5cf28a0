/**
 * Images and galleries: pages yt-dlp finds no video on go to gallery-dl (its generic extractor),
 * and their items arrive as albums of up to 10, in order, cached by file_id for the next user.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_GALLERY, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import type { BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { getHistoryTotals } from "../../kv/history.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { waitUntil } from "../support/wait.ts";

/** The bot's album messages in a chat, in order, once there are `count` of them. */
function waitForAlbumItems(
  telegram: FakeTelegram,
  chatId: number,
  count: number,
): Promise<BotMessage[]> {
  return telegram.waitFor(() => {
    const items = telegram.messages(chatId).filter((m) => m.method === "sendMediaGroup");
    return items.length >= count ? items : undefined;
  }, { timeoutMs: 90_000 });
}

/** The delivered bytes equal the page's files, one by one in the page's order. */
async function assertSameFiles(telegram: FakeTelegram, items: BotMessage[], files: string[]) {
  assertEquals(items.length, files.length, "one message per item");
  for (const [index, item] of items.entries()) {
    const delivered = await telegram.fileBytes(item.media!.fileId);
    const original = await Deno.readFile(files[index]);
    assert(
      delivered.length === original.length && delivered.every((b, i) => b === original[i]),
      `item ${index + 1} is the page's item ${index + 1}`,
    );
  }
}

const groupsOf = (items: BotMessage[]) => [...new Set(items.map((m) => m.message.media_group_id))];

Deno.test("[e2e] a page of images comes as one album in order; a second user gets it from the cache", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const alice = telegram.user(6101, { firstName: "Alice", languageCode: "en" });
  alice.sendText(galleries.photos);

  const preview = await waitForPreview(telegram, alice.id);
  assertMatch(preview.caption ?? "", new RegExp(LAB_GALLERY.photos.title));
  assertMatch(preview.caption ?? "", /Album: 5 images, 0 videos, 0 other files/);
  alice.pressButton(preview.message, dataFor(preview, "📥 Send the album (5)"));

  const items = await waitForAlbumItems(telegram, alice.id, 5);
  assertEquals(items.map((m) => m.media?.kind), ["photo", "photo", "photo", "photo", "photo"]);
  assertEquals(groupsOf(items).length, 1, "one album");
  assertMatch(items[0].html ?? "", new RegExp(`<b>${LAB_GALLERY.photos.title}</b>`));
  assert(items.slice(1).every((m) => !m.caption), "the caption is on the first item only");
  await assertSameFiles(telegram, items, galleries.files.photos);

  // counted as images in the history and stats, and charged to the quota
  await waitUntil(
    async () => (await getHistoryTotals(system.kv, alice.id)).byKind.photo === 1,
    "the album is in the history as images",
  );
  const sent = items.reduce((sum, m) => sum + m.media!.fileSize, 0);
  const quota = new QuotaStore(system.kv);
  await waitUntil(
    async () => (await quota.usage(alice.id, "UTC", 1024 ** 3)).usedBytes === sent,
    "the quota is charged what the album weighs",
  );

  // Bob asks for the same page: the same files by file_id, nothing downloaded again (Telegram
  // fetches the first image by URL for each preview's thumbnail)
  const thumbnail = `/gallery/media/${galleries.files.photos[0].split("/").pop()}`;
  const downloads = () =>
    lab.requests.filter((r) => r.path.startsWith("/gallery/media/") && r.path !== thumbnail)
      .length;
  const before = downloads();
  const hits = system.media.stats.files.hits;
  const bob = telegram.user(6102, { firstName: "Bob", languageCode: "en" });
  bob.sendText(galleries.photos);
  const bobPreview = await waitForPreview(telegram, bob.id);
  bob.pressButton(bobPreview.message, dataFor(bobPreview, "📥 Send the album (5)"));
  const bobItems = await waitForAlbumItems(telegram, bob.id, 5);
  assert(bobItems.every((m) => m.media?.source === "file_id"), "sent from the cache");
  assertEquals(
    bobItems.map((m) => m.media?.fileUniqueId),
    items.map((m) => m.media?.fileUniqueId),
  );
  assertEquals(groupsOf(bobItems).length, 1, "one album");
  assertMatch(bobItems[0].html ?? "", new RegExp(LAB_GALLERY.photos.title));
  assertEquals(downloads(), before, "nothing downloaded again");
  assertEquals(system.media.stats.files.hits, hits + 1, "one cache hit");
  await waitUntil(
    async () => (await getHistoryTotals(system.kv, bob.id)).byKind.photo === 1,
    "Bob's album is in his history as images",
  );

  // from /history, listed under 🖼 Images, the album comes again by file_id
  const history = await reply(telegram, bob, "/history", /Your last downloads/);
  assertMatch(history.text ?? "", /🖼 1/);
  assert(buttons(history).some((b) => b.text === "🖼 Images"), "a filter for images");
  const sentBefore = telegram.messages(bob.id).filter((m) => m.method === "sendMediaGroup").length;
  bob.pressButton(history.message, dataFor(history, /^⬇️ 1\. /));
  const resent = (await waitForAlbumItems(telegram, bob.id, sentBefore + 5)).slice(sentBefore);
  assertEquals(
    resent.map((m) => m.media?.fileUniqueId),
    items.map((m) => m.media?.fileUniqueId),
  );
  assertEquals(downloads(), before, "still nothing downloaded again");
});

Deno.test("[e2e] a carousel mixing images and a video comes as one album, each item as itself", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(6103, { languageCode: "en" });
  user.sendText(galleries.carousel);
  const preview = await waitForPreview(telegram, user.id);
  assertMatch(preview.caption ?? "", /Album: 3 images, 1 video, 0 other files/);
  user.pressButton(preview.message, dataFor(preview, "📥 Send the album (4)"));

  const items = await waitForAlbumItems(telegram, user.id, LAB_GALLERY.carousel.items.length);
  assertEquals(items.map((m) => m.media?.kind), [...LAB_GALLERY.carousel.items]);
  assertEquals(groupsOf(items).length, 1, "one album");
  assertEquals(items[1].message.video?.height, 360, "the clip plays as a video");
  await assertSameFiles(telegram, items, galleries.files.carousel);
});

Deno.test("[e2e] 23 images make three albums (10, 10, 3) in order, one caption", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(6104, { languageCode: "en" });
  user.sendText(galleries.many);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "📥 Send the album (23)"));

  const items = await waitForAlbumItems(telegram, user.id, LAB_GALLERY.many.count);
  const groups = groupsOf(items);
  assertEquals(
    groups.map((id) => items.filter((m) => m.message.media_group_id === id).length),
    [10, 10, 3],
  );
  assertEquals(items.filter((m) => m.caption).length, 1, "one caption, on the first item");
  assert(items[0].caption, "the first item has it");
  await assertSameFiles(telegram, items, galleries.files.many);
});

Deno.test("[e2e] a picture Telegram takes no photo of comes as a document after the album", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(6105, { languageCode: "en" });
  user.sendText(galleries.panorama);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "📥 Send the album (3)"));

  const document = await telegram.waitFor(
    () => telegram.messages(user.id).find((m) => m.media?.kind === "document"),
    { timeoutMs: 90_000 },
  );
  const album = telegram.messages(user.id).filter((m) => m.method === "sendMediaGroup");
  assertEquals(album.map((m) => m.media?.kind), ["photo", "photo"]);
  assert(album[0].caption, "the caption is on the album's first photo");
  assert(!document.caption, "the document after it has none");
  assert(document.messageId > album[1].messageId, "the document comes after the album");
  const [first, panorama, last] = galleries.files.panorama;
  await assertSameFiles(telegram, [...album, document], [first, last, panorama]);
});

Deno.test("[e2e] with “send as file”, a gallery's items come as an album of documents", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(6106, { languageCode: "en" });
  const settings = await reply(telegram, user, "/settings", /Settings/);
  user.pressButton(settings.message, "set:send:file");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === settings.messageId && /file \(document\)/.test(m.text ?? "")
    )
  );
  user.sendText(galleries.carousel);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "📥 Send the album (4)"));

  const items = await waitForAlbumItems(telegram, user.id, LAB_GALLERY.carousel.items.length);
  assertEquals(items.map((m) => m.media?.kind), ["document", "document", "document", "document"]);
  assertEquals(groupsOf(items).length, 1, "one album");
  await assertSameFiles(telegram, items, galleries.files.carousel);
});
