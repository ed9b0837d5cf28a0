/**
 * One delivery path (services/delivery.ts): whatever sent the file (a worker's upload, a split's
 * parts, a cache hit on a button), the history entry and what recommendations learn from are the
 * same, and a cached file Telegram no longer has is refunded and replaced, the button answered once.
 */
import { assert, assertEquals, assertExists } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem, type TestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import type { FakeUser } from "../support/fake_telegram.ts";
import { type HistoryEntry, listHistoryPage, mediaOfEntry } from "../../kv/history.ts";
import {
  labelsOf,
  listCreatorMedia,
  listLabelMedia,
  listUserItems,
  mediaKeyOf,
  normalizeLabel,
} from "../../kv/recommendation_index.ts";
import { QuotaStore } from "../../kv/quota.ts";

const historyOf = async (kv: Deno.Kv, userId: number) =>
  (await listHistoryPage(kv, userId, { filter: "all", limit: 50 })).entries;

/** Every answerCallbackQuery the bot made for one press, accepted by Telegram or not. */
function answersTo(bed: TestSystem, callbackQueryId: string) {
  return bed.telegram.callsTo("answerCallbackQuery").filter((call) =>
    call.params.callback_query_id === callbackQueryId
  );
}

async function usedBytes(kv: Deno.Kv, userId: number): Promise<number> {
  return (await new QuotaStore(kv).usage(userId, "UTC", 500 * 1024 * 1024)).usedBytes;
}

/** The file the first user's download put in the cache, replaced by one Telegram does not know. */
async function makeCachedFileStale(bed: TestSystem, entry: HistoryEntry): Promise<void> {
  const { media } = bed.system;
  const cached = await media.getFile(mediaOfEntry(entry), entry.variant, "video");
  assertExists(cached, "the first download is in the file cache");
  await media.saveFile(mediaOfEntry(entry), entry.variant, {
    ...cached,
    fileId: "a-file-telegram-no-longer-has",
  }, "video");
}

async function downloadOnce(bed: TestSystem, user: FakeUser, url: string): Promise<HistoryEntry> {
  const { telegram, system } = bed;
  user.sendText(url);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, /^360p/));
  await waitForFile(telegram, user.id, "video");
  const [entry] = await waitUntil(async () => {
    const entries = await historyOf(system.kv, user.id);
    return entries.length === 1 ? entries : undefined;
  }, "the download in the history");
  return entry;
}

Deno.test("[e2e/delivery] a split download delivered by a worker keeps its creator and tags in history and recommendations", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ MAX_UPLOAD_MB: "0.08" });
  const { telegram, system } = bed;
  const first = telegram.user(7301, { languageCode: "en" });
  first.sendText(lab.urls.page);
  await waitForPreview(telegram, first.id);
  // the lab's page names no creator: its probe is given one, as a site's would have
  const probed = await system.media.getProbe(lab.urls.page);
  assertExists(probed);
  await system.media.saveProbe(lab.urls.page, {
    ...probed,
    uploader: "Lab Channel",
    tags: ["loopback", "ffmpeg"],
    categories: ["Science"],
  });

  const user = telegram.user(7302, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "✂️ Split into parts"));
  const parts = await telegram.waitFor(() => {
    const videos = telegram.messages(user.id).filter((m) => m.media?.kind === "video");
    const count = Number(videos[0]?.caption?.match(/part 1\/(\d+)/)?.[1] ?? Infinity);
    return videos.length === count ? videos : undefined;
  }, { timeoutMs: 60_000 });
  assert(parts.length >= 2, `${parts.length} parts`);

  const [entry] = await waitUntil(async () => {
    const entries = await historyOf(system.kv, user.id);
    return entries.length === 1 ? entries : undefined;
  }, "the split in the history");
  assertEquals(entry.variant, "split");
  assertEquals(entry.fromCache, false);
  assertEquals(
    [entry.uploader, entry.tags, entry.categories],
    ["Lab Channel", ["loopback", "ffmpeg"], ["Science"]],
  );
  const key = await mediaKeyOf(entry);
  const [item] = await waitUntil(
    async () =>
      (await listUserItems(system.kv, user.id)).length
        ? listUserItems(system.kv, user.id)
        : undefined,
    "the split in the recommendation index",
  );
  assertEquals(item, { ...item, key, creator: normalizeLabel("Lab Channel") });
  assertEquals(item.labels, labelsOf(entry));
  assert(
    (await listCreatorMedia(system.kv, normalizeLabel("Lab Channel"), 10)).includes(key),
    "recommendations know the split's creator",
  );
  assert(
    (await listLabelMedia(system.kv, "tag:loopback", 10)).includes(key),
    "and its tags",
  );
});

Deno.test("[e2e/delivery] a cached file Telegram no longer has: the quota refunded, a fresh download sent, the button answered once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const first = telegram.user(7401, { languageCode: "en" });
  const entry = await downloadOnce(bed, first, lab.urls.page);
  await makeCachedFileStale(bed, entry);

  const user = telegram.user(7402, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  const doneBefore = (await system.queue.countByState()).done;
  const press = user.pressButton(preview.message, dataFor(preview, /^360p/));
  const video = await waitForFile(telegram, user.id, "video", preview.messageId);
  assertEquals(video.media?.source, "upload", "downloaded again, not sent by the stale file_id");
  await waitUntil(
    async () => (await system.queue.countByState()).done === doneBefore + 1,
    "one download job done",
  );
  const [delivered] = await waitUntil(async () => {
    const entries = await historyOf(system.kv, user.id);
    return entries.length === 1 ? entries : undefined;
  }, "the fresh download in the history");
  assertEquals(delivered.fromCache, false);
  assertEquals(
    await usedBytes(system.kv, user.id),
    delivered.size,
    "the stale file's charge refunded",
  );
  const cached = await system.media.getFile(mediaOfEntry(entry), entry.variant, "video");
  assertEquals(cached?.fileId, video.media?.fileId, "the cache holds the new file");
  assertEquals(answersTo(bed, press.callback_query!.id).length, 1, "the button answered once");
});

Deno.test("[e2e/delivery] /history's resend of a file Telegram no longer has: refunded, the preview instead, the button answered once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const user = telegram.user(7501, { languageCode: "en" });
  const entry = await downloadOnce(bed, user, lab.urls.page);
  await makeCachedFileStale(bed, entry);
  const usedBefore = await usedBytes(system.kv, user.id);

  user.sendText("/history");
  const history = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Your last downloads/.test(m.text ?? ""))
  );
  const press = user.pressButton(history.message, dataFor(history, /^⬇️ 1\. /));
  const preview = await waitForPreview(telegram, user.id, history.messageId);
  assert(buttons(preview).length > 0, "the link's preview comes back");
  await waitUntil(
    async () => !(await system.media.getFile(mediaOfEntry(entry), entry.variant, "video")),
    "the stale file forgotten",
  );
  assertEquals(await usedBytes(system.kv, user.id), usedBefore, "the stale file's charge refunded");
  assertEquals(
    (await historyOf(system.kv, user.id)).length,
    1,
    "nothing delivered, nothing recorded",
  );
  assertEquals(answersTo(bed, press.callback_query!.id).length, 1, "the button answered once");
});
