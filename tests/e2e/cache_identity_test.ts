/**
 * Two links whose media yt-dlp names alike (the generic extractor's id is the URL's file name)
 * each get their own file; the same link asked again is still one download and then a cache hit.
 * The whole system against the real yt-dlp and ffmpeg.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { LAB_SAME_NAME, startMediaLab } from "../support/media_lab.ts";
import { dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import type { BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { probeFile, startTestSystem } from "../support/system.ts";

let nextUserId = 61_000;

/** A new user sends the link and presses "Best"; resolves with the video they receive. */
async function download(telegram: FakeTelegram, url: string): Promise<BotMessage> {
  const user = telegram.user(nextUserId++, { languageCode: "en" });
  user.sendText(url);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, /Best/));
  return await waitForFile(telegram, user.id, "video");
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What a delivered video is: its bytes' digest, its duration and height (ffprobe). */
async function delivered(telegram: FakeTelegram, message: BotMessage) {
  const fileId = message.media!.fileId;
  const probed = await probeFile(telegram.filePath(fileId));
  return {
    digest: await sha256(await telegram.fileBytes(fileId)),
    seconds: Math.round(probed.duration),
    height: probed.height,
  };
}

Deno.test("[e2e] links to different media under one file name never share a cached file", async (t) => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  let firstOfOne: BotMessage | undefined;

  await t.step('/one/video.mp4 and /two/video.mp4 (both generic "video")', async () => {
    const first = firstOfOne = await download(telegram, lab.urls.sameNameOne);
    const second = await download(telegram, lab.urls.sameNameTwo);
    assertEquals(second.media?.source, "upload", "the second link was downloaded, not resent");
    const [one, two] = [await delivered(telegram, first), await delivered(telegram, second)];
    assert(two.digest !== one.digest, "the second user got other bytes");
    assertEquals([one.seconds, one.height], [LAB_SAME_NAME.one.durationSeconds, 360]);
    assertEquals(
      [two.seconds, two.height],
      [LAB_SAME_NAME.two.durationSeconds, LAB_SAME_NAME.two.height],
    );
  });

  await t.step('/a/master.m3u8 and /b/master.m3u8 (both generic "master")', async () => {
    const first = await download(telegram, lab.urls.sameNameHlsA);
    const second = await download(telegram, lab.urls.sameNameHlsB);
    assertEquals(second.media?.source, "upload", "the second stream was downloaded, not resent");
    const [a, b] = [await delivered(telegram, first), await delivered(telegram, second)];
    assert(b.digest !== a.digest, "the second user got other bytes");
    assertEquals([a.seconds, a.height], [LAB_SAME_NAME.hlsA.durationSeconds, 720]);
    assertEquals(
      [b.seconds, b.height],
      [LAB_SAME_NAME.hlsB.durationSeconds, LAB_SAME_NAME.hlsB.height],
    );
  });

  await t.step("the same link asked twice is one download, then a cache hit", async () => {
    const fetches = () => lab.requests.filter((r) => r.path === "/one/video.mp4").length;
    const hitsBefore = system.media.stats.files.hits;
    const fetchesBefore = fetches();
    const again = await download(telegram, lab.urls.sameNameOne);
    assertEquals(again.media?.source, "file_id");
    assertEquals(again.media?.fileUniqueId, firstOfOne?.media?.fileUniqueId);
    assertEquals(system.media.stats.files.hits, hitsBefore + 1);
    assertEquals(fetches(), fetchesBefore, "the media was not fetched again");
  });

  await t.step("/history sends each user the file of their own link", async () => {
    const user = telegram.user(nextUserId++, { languageCode: "en" });
    user.sendText(lab.urls.sameNameTwo);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, /Best/));
    const received = await waitForFile(telegram, user.id, "video");
    const history = await reply(telegram, user, "/history", /last downloads/);
    user.pressButton(history.message, dataFor(history, /^⬇️ 1\. /));
    const resent = await waitForFile(telegram, user.id, "video", history.messageId);
    assertEquals(resent.media?.source, "file_id");
    assertEquals(resent.media?.fileUniqueId, received.media?.fileUniqueId);
    assertEquals((await delivered(telegram, resent)).seconds, LAB_SAME_NAME.two.durationSeconds);
  });
});
