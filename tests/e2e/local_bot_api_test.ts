/**
 * With a local-mode Bot API server sharing a folder with the workers (TELEGRAM_SHARED_DIR), a
 * download reaches Telegram by path: no upload crosses HTTP.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, startMediaLab } from "../support/media_lab.ts";
import { downloadThroughChat } from "../support/chat.ts";
import { probeFile, startTestSystem } from "../support/system.ts";
import { serveApp, spawnWorker } from "../support/fleet.ts";
import { safeFileName } from "../../workers/upload.ts";
import { waitUntil } from "../support/wait.ts";
import { startLocalBotApi } from "../support/shared_folders.ts";
import { ABANDONED_AFTER_MS } from "../../lib/shared_files.ts";

/** Every file a call uploaded (the fake records an uploaded part as `{ fileName, size }`). */
const uploadedParts = (params: Record<string, unknown>) =>
  Object.values(params).filter((value) =>
    typeof value === "object" && value !== null && "fileName" in value
  );

Deno.test("[e2e/local-bot-api] a download is sent by path from the shared folder: no upload, the title as its name, file_id re-sends work", async () => {
  await using lab = await startMediaLab();
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  await using bed = await startTestSystem({ TELEGRAM_SHARED_DIR: shared }, { telegram });
  const alice = telegram.user(7301, { languageCode: "en" });
  const video = await downloadThroughChat(telegram, alice, lab.urls.page, "720p");

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
  const bobVideo = await downloadThroughChat(telegram, bob, lab.urls.page, "720p");
  assertEquals(bobVideo.media?.source, "file_id");
  assertEquals(bobVideo.media?.fileUniqueId, video.media?.fileUniqueId);
  assert(bed.system.media.stats.files.hits >= 1);
});

Deno.test("[e2e/local-bot-api] a fleet worker keeps its job files in a folder of its own in the shared one, and removes it when it stops", async () => {
  await using lab = await startMediaLab();
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir);
  const worker = spawnWorker(app.url, telegram, "shared-a", { TELEGRAM_SHARED_DIR: shared });
  try {
    const user = telegram.user(7311, { languageCode: "en" });
    const video = await downloadThroughChat(telegram, user, lab.urls.page, "360p");
    assertEquals(video.media?.source, "path");
    const sent = telegram.callsTo("sendVideo").find((call) => call.ok)!;
    assertMatch(String(sent.params.video), new RegExp(`^file://${shared}/scratch-shared-a/`));
    assertEquals((await worker.stop()).code, 0);
    assertEquals([...Deno.readDirSync(shared)], [], "the worker's folder is gone");
  } finally {
    await worker.kill();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Sets each path's times to `when`, in order: a folder after what was written in it. */
async function age(paths: string[], when: Date) {
  for (const path of paths) await Deno.utime(path, when, when);
}

Deno.test("[e2e/local-bot-api] a worker's start removes the files a crashed worker left in the shared folder, not a live worker's, and follows no link", async () => {
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  const dataDir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir({ prefix: "outside-shared-" });
  const app = await serveApp(telegram, dataDir);
  // a worker that crashed mid-job long ago (another container, so another id), one at work now
  const longAgo = new Date(Date.now() - ABANDONED_AFTER_MS - 60 * 60_000);
  const crashed = `${shared}/scratch-gone-container-17`;
  await Deno.mkdir(`${crashed}/job-1/.named-x`, { recursive: true });
  await Deno.writeTextFile(`${crashed}/job-1/clip.mp4`, "left behind");
  await Deno.link(`${crashed}/job-1/clip.mp4`, `${crashed}/job-1/.named-x/Title.mp4`);
  await age([`${crashed}/job-1/.named-x`, `${crashed}/job-1`, crashed], longAgo);
  const live = `${shared}/scratch-other-host-4`;
  await Deno.mkdir(`${live}/job-2`, { recursive: true });
  await Deno.writeTextFile(`${live}/job-2/clip.mp4`, "being sent");
  // an old link named as a worker's folder, and an old folder not named as one
  await Deno.writeTextFile(`${outside}/keep.txt`, "kept");
  await Deno.symlink(outside, `${shared}/scratch-link`);
  await Deno.mkdir(`${shared}/operator-notes`);
  await age([outside, `${shared}/operator-notes`], longAgo);
  const worker = spawnWorker(app.url, telegram, "sweeper", { TELEGRAM_SHARED_DIR: shared });
  try {
    await waitUntil(
      () => Deno.lstat(crashed).then(() => false, () => true),
      "the crashed worker's folder removed",
    );
    assertEquals(await Deno.readTextFile(`${live}/job-2/clip.mp4`), "being sent");
    assert((await Deno.lstat(`${shared}/scratch-link`)).isSymlink, "the link stays");
    assertEquals(await Deno.readTextFile(`${outside}/keep.txt`), "kept");
    assert((await Deno.lstat(`${shared}/operator-notes`)).isDirectory);
    assertEquals((await worker.stop()).code, 0);
  } finally {
    await worker.kill();
    await app.stop();
    for (const dir of [dataDir, outside]) await Deno.remove(dir, { recursive: true });
  }
});
