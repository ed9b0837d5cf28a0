/**
 * With TELEGRAM_SHARED_DIR, files in the folder shared with a local-mode Bot API server go by
 * path. A file that only seems to be there (dot segments, a symbolic link out, a sibling folder
 * whose name starts alike) and a hostile display name never make the worker name a path outside
 * the folder: such a file is uploaded as usual, or sent by path under its own name. Sweeping a
 * crashed worker's leftovers removes only real folders named as a worker's, in the folder itself.
 */
import { assertEquals } from "../support/assert.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { DiskFile } from "../../lib/curl_upload.ts";
import { ABANDONED_AFTER_MS, tendSharedFolder } from "../../lib/shared_files.ts";

/** The path a `file://` URI names, as the server decodes it. */
const pathOf = (uri: string) => decodeURIComponent(uri.slice("file://".length));

Deno.test("[security] only files really inside TELEGRAM_SHARED_DIR are sent by path, under a name that stays in it", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "shared-files-" }));
  const shared = `${root}/shared`;
  const outside = `${root}/outside`;
  const sibling = `${root}/shared-evil`;
  for (const dir of [shared, outside, sibling, `${root}/bot-api`]) await Deno.mkdir(dir);
  const bytesOf = (label: string) => new TextEncoder().encode(`contents of ${label}\n`);
  await Deno.writeFile(`${outside}/secret.bin`, bytesOf("secret"));
  await Deno.writeFile(`${sibling}/secret.bin`, bytesOf("sibling"));
  await Deno.writeFile(`${shared}/clip.bin`, bytesOf("clip"));
  await Deno.symlink(`${outside}/secret.bin`, `${shared}/linked.bin`);
  await Deno.symlink(outside, `${shared}/linked-folder`);
  // a permissive server that could read anything under root: only the worker's check stands
  await using telegram = await FakeTelegram.start({
    localDir: `${root}/bot-api`,
    localFilesDir: root,
  });
  const api = createTelegramApi({
    botToken: telegram.token,
    telegramApiRoot: telegram.apiRoot,
    telegramSharedDir: shared,
  });
  try {
    const cases: { path: string; name: string; bytes: Uint8Array }[] = [
      { path: `${outside}/secret.bin`, name: "secret.bin", bytes: bytesOf("secret") },
      { path: `${shared}/../outside/secret.bin`, name: "secret.bin", bytes: bytesOf("secret") },
      { path: `${shared}/linked.bin`, name: "linked.bin", bytes: bytesOf("secret") },
      { path: `${shared}/linked-folder/secret.bin`, name: "secret.bin", bytes: bytesOf("secret") },
      { path: `${sibling}/secret.bin`, name: "secret.bin", bytes: bytesOf("sibling") },
      ...["../../outside/secret.bin", "..", ".", "a\0b.bin", "x/../../y.bin", "\uD800.bin"].map(
        (name) => ({ path: `${shared}/clip.bin`, name, bytes: bytesOf("clip") }),
      ),
      ...['Été 100% #1 + "more"?.bin', "a\nb.bin", " spaced .bin", "%2e%2e%2fsecret.bin"].map(
        (name) => ({ path: `${shared}/clip.bin`, name, bytes: bytesOf("clip") }),
      ),
    ];
    let escapes = 0;
    let wrongFiles = 0;
    let crashes = 0;
    for (const [index, { path, name, bytes }] of cases.entries()) {
      // one chat each: the throttle spaces out sends into one chat
      const chat = telegram.user(100 + index).id;
      try {
        const message = await api.sendDocument(chat, new DiskFile(path, name));
        const delivered = await Deno.readFile(telegram.filePath(message.document!.file_id));
        if (delivered.join() !== bytes.join()) wrongFiles++;
        const sent = telegram.callsTo("sendDocument").at(-1)!.params.document;
        if (typeof sent === "string") {
          const real = await Deno.realPath(pathOf(sent)).catch(() => pathOf(sent));
          if (!real.startsWith(`${shared}/`) || !pathOf(sent).startsWith(`${shared}/`)) escapes++;
        }
      } catch (error) {
        console.error(name, error);
        crashes++;
      }
    }
    // the named links are gone, the folders as they were
    const left: string[] = [];
    for await (const entry of Deno.readDir(shared)) left.push(entry.name);
    assertEquals(left.sort(), ["clip.bin", "linked-folder", "linked.bin"]);
    const outsideLeft: string[] = [];
    for await (const entry of Deno.readDir(outside)) outsideLeft.push(entry.name);
    assertEquals(outsideLeft, ["secret.bin"]);
    await reportHostile({
      name: "files sent by path outside TELEGRAM_SHARED_DIR",
      inputs: cases.length,
      escapes,
      wrongFiles,
      crashes,
    });
    assertEquals({ escapes, wrongFiles, crashes }, { escapes: 0, wrongFiles: 0, crashes: 0 });
    // the files outside went as uploads, the others by path
    const bySource = telegram.callsTo("sendDocument").map((call) =>
      typeof call.params.document === "string" ? "path" : "upload"
    );
    assertEquals(bySource.slice(0, 5), ["upload", "upload", "upload", "upload", "upload"]);
    assertEquals(bySource.slice(5).filter((source) => source === "path").length, cases.length - 6);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("[security] sweeping the shared folder removes only old worker folders in it: no link followed, nothing outside touched", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "shared-sweep-" }));
  const shared = `${root}/shared`;
  const outside = `${root}/outside`;
  const sibling = `${root}/shared-evil`;
  for (const dir of [shared, outside, `${sibling}/scratch-gone`]) {
    await Deno.mkdir(dir, { recursive: true });
  }
  await Deno.writeTextFile(`${outside}/secret.bin`, "secret");
  await Deno.writeTextFile(`${sibling}/scratch-gone/clip.bin`, "sibling's");
  // a crashed worker's folder holding links out (symbolic and hard)
  const crashed = `${shared}/scratch-crashed`;
  await Deno.mkdir(crashed);
  await Deno.symlink(outside, `${crashed}/folder-out`);
  await Deno.symlink(`${outside}/secret.bin`, `${crashed}/file-out`);
  await Deno.link(`${outside}/secret.bin`, `${crashed}/hard-link`);
  // entries that only look like a worker's folder, or are none
  await Deno.symlink(outside, `${shared}/scratch-link`);
  await Deno.writeTextFile(`${shared}/scratch-file`, "not a folder");
  await Deno.mkdir(`${shared}/operator-notes`);
  const longAgo = new Date(Date.now() - ABANDONED_AFTER_MS - 60 * 60_000);
  for (const path of [outside, crashed, `${shared}/scratch-file`, `${shared}/operator-notes`]) {
    await Deno.utime(path, longAgo, longAgo);
  }
  await Deno.utime(`${sibling}/scratch-gone`, longAgo, longAgo);
  const swept: string[] = [];
  let crashes = 0;
  try {
    const tending = await tendSharedFolder(shared, `${shared}/scratch-me`, (f) => swept.push(f))
      .catch(() => {
        crashes++;
        return undefined;
      });
    tending?.stop();
    const present = (path: string) => Deno.lstat(path).then(() => true, () => false);
    const outsideIntact = await present(outside) &&
      (await Deno.readTextFile(`${outside}/secret.bin`)) === "secret" &&
      (await Deno.readTextFile(`${sibling}/scratch-gone/clip.bin`)) === "sibling's";
    const kept = [`${shared}/scratch-link`, `${shared}/scratch-file`, `${shared}/operator-notes`];
    const wronglyRemoved = (await Promise.all(kept.map(present))).filter((here) => !here).length;
    const escapes = outsideIntact ? 0 : 1;
    await reportHostile({
      name: "entries of TELEGRAM_SHARED_DIR swept as a crashed worker's",
      inputs: 6,
      escapes,
      wrongFiles: wronglyRemoved,
      crashes,
    });
    assertEquals({ escapes, wronglyRemoved, crashes }, {
      escapes: 0,
      wronglyRemoved: 0,
      crashes: 0,
    });
    assertEquals(swept, [crashed], "the crashed worker's folder is gone");
    assertEquals(await present(crashed), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
