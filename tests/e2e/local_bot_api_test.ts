/**
 * With a local-mode Bot API server sharing a folder with the workers (TELEGRAM_SHARED_DIR), a
 * download reaches Telegram by path: no upload crosses HTTP.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { probeFile, startTestSystem } from "../support/system.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { serveApp, spawnWorker } from "../support/fleet.ts";
import { safeFileName } from "../../workers/upload.ts";
import { waitUntil } from "../support/wait.ts";

/** Every file a call uploaded (the fake records an uploaded part as `{ fileName, size }`). */
const uploadedParts = (params: Record<string, unknown>) =>
  Object.values(params).filter((value) =>
    typeof value === "object" && value !== null && "fileName" in value
  );

Deno.test("[e2e/local-bot-api] a download is sent by path from the shared folder: no upload, the title as its name, file_id re-sends work", async () => {
  await using lab = await startMediaLab();
  const shared = await Deno.makeTempDir({ prefix: "mediabot-shared-" });
  const localDir = await Deno.makeTempDir({ prefix: "telegram-bot-api-" });
  try {
    await using telegram = await FakeTelegram.start({ localDir, localFilesDir: shared });
    await using bed = await startTestSystem({ TELEGRAM_SHARED_DIR: shared }, { telegram });
    const alice = telegram.user(7301, { languageCode: "en" });
    alice.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, alice.id);
    alice.pressButton(preview.message, dataFor(preview, "720p"));
    const video = await waitForFile(telegram, alice.id, "video");

    assertEquals(video.media?.source, "path");
    assertEquals(video.media?.thumbnail, true, "the thumbnail went by path too");
    const sends = telegram.callsTo("sendVideo").filter((call) => call.ok);
    assertEquals(sends.length, 1);
    assertEquals(uploadedParts(sends[0].params), [], "nothing was uploaded");
    for (const field of ["video", "thumbnail"]) {
      assertMatch(String(sends[0].params[field]), new RegExp(`^file://${shared}/scratch-`));
    }
    // the server names a file after its path: the worker linked it under the title's name
    assertEquals(video.message.video?.file_name, safeFileName(LAB_CLIP.title, "clip.mp4"));
    const delivered = await probeFile(telegram.filePath(video.media!.fileId));
    assertEquals([delivered.width, delivered.height], [1280, 720]);

    // the job's files stayed until the server answered, and are gone after it
    await waitUntil(async () => {
      const left: string[] = [];
      for await (const entry of Deno.readDir(shared)) {
        for await (const inner of Deno.readDir(`${shared}/${entry.name}`)) left.push(inner.name);
      }
      return left.length === 0;
    }, "the job's scratch folder removed");

    // the server kept its copy: another user gets the file by file_id
    const bob = telegram.user(7302, { languageCode: "en" });
    bob.sendText(lab.urls.page);
    const bobPreview = await waitForPreview(telegram, bob.id);
    bob.pressButton(bobPreview.message, dataFor(bobPreview, "720p"));
    const bobVideo = await waitForFile(telegram, bob.id, "video");
    assertEquals(bobVideo.media?.source, "file_id");
    assertEquals(bobVideo.media?.fileUniqueId, video.media?.fileUniqueId);
    assert(bed.system.media.stats.files.hits >= 1);
  } finally {
    await Deno.remove(shared, { recursive: true }).catch(() => {});
    await Deno.remove(localDir, { recursive: true });
  }
});

Deno.test("[e2e/local-bot-api] a fleet worker keeps its job files in a folder of its own in the shared one, and removes it when it stops", async () => {
  await using lab = await startMediaLab();
  const shared = await Deno.makeTempDir({ prefix: "mediabot-shared-" });
  const localDir = await Deno.makeTempDir({ prefix: "telegram-bot-api-" });
  const dataDir = await Deno.makeTempDir();
  await using telegram = await FakeTelegram.start({ localDir, localFilesDir: shared });
  const app = await serveApp(telegram, dataDir);
  const worker = spawnWorker(app.url, telegram, "shared-a", { TELEGRAM_SHARED_DIR: shared });
  try {
    const user = telegram.user(7311, { languageCode: "en" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "360p"));
    const video = await waitForFile(telegram, user.id, "video");
    assertEquals(video.media?.source, "path");
    const sent = telegram.callsTo("sendVideo").find((call) => call.ok)!;
    assertMatch(String(sent.params.video), new RegExp(`^file://${shared}/scratch-shared-a/`));
    assertEquals((await worker.stop()).code, 0);
    assertEquals([...Deno.readDirSync(shared)], [], "the worker's folder is gone");
  } finally {
    await worker.kill();
    await app.stop();
    for (const dir of [shared, localDir, dataDir]) await Deno.remove(dir, { recursive: true });
  }
});
