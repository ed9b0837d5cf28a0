/**
 * A local Bot API server (TELEGRAM_LOCAL_DIR) answers getFile with an absolute path the app reads
 * itself. A broken or hostile server's answer that leads outside its folder (dot segments, a
 * symbolic link, another absolute path) or to what is not a regular file is refused: nothing
 * outside the folder is read, and nothing blocks.
 */
import { assertEquals } from "../support/assert.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startTestSystem } from "../support/system.ts";
import { createLogger } from "../../lib/logger.ts";
import { waitUntil } from "../support/wait.ts";

const SECRET_LINK = "https://secret.example/never-read";
const GENERIC = /Something went wrong on my side/;

Deno.test("[security] getFile paths outside TELEGRAM_LOCAL_DIR, or not regular files, are refused", async () => {
  const root = await Deno.makeTempDir({ prefix: "local-bot-api-" });
  const localDir = `${root}/telegram-bot-api`;
  const outside = `${root}/outside`;
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${outside}/secret.txt`, `${SECRET_LINK}\n`);
  const refusals: string[] = [];
  const logger = createLogger("error", {}, (line) => {
    if (line.includes('"update failed"')) refusals.push(line);
  });
  await using telegram = await FakeTelegram.start({ localDir });
  await using _bed = await startTestSystem(
    { TELEGRAM_LOCAL_DIR: localDir, WORKERS: "0" },
    { telegram, logger },
  );
  try {
    const botFolder = `${localDir}/${telegram.token}`;
    await Deno.mkdir(`${botFolder}/documents`, { recursive: true });
    await Deno.symlink(`${outside}/secret.txt`, `${botFolder}/documents/linked.txt`);
    await Deno.symlink(outside, `${botFolder}/linked-folder`);
    await Deno.symlink(root, `${botFolder}/documents/up`);
    await new Deno.Command("mkfifo", { args: [`${botFolder}/documents/fifo.txt`] }).output();
    const hostilePaths = [
      `${botFolder}/../../outside/secret.txt`,
      `${localDir}/../outside/secret.txt`,
      `${outside}/secret.txt`,
      `${localDir}-evil/secret.txt`,
      `${botFolder}/documents/linked.txt`,
      `${botFolder}/linked-folder/secret.txt`,
      `${botFolder}/documents/up/outside/secret.txt`,
      `${botFolder}/documents/fifo.txt`,
      `${botFolder}/documents`,
      localDir,
      "/etc/passwd",
    ];
    const said: string[] = [];
    for (const [index, path] of hostilePaths.entries()) {
      // one user each: the bot's per-user rate limit would answer a fast sender instead
      const user = telegram.user(9401 + index, { languageCode: "en" });
      const refusedBefore = refusals.length;
      const update = user.sendDocument({
        fileName: "links.txt",
        mimeType: "text/plain",
        bytes: new TextEncoder().encode("https://example.com/a\n"),
      });
      telegram.answerLocalPath(update.message!.document!.file_id, path);
      // a refusal is logged and told as any failure on the bot's side; any other answer means
      // the bot read the file
      const unexpected = () =>
        telegram.messages(user.id).map((m) => m.text ?? "").filter((text) => !GENERIC.test(text));
      await waitUntil(
        () =>
          Promise.resolve(
            (refusals.length > refusedBefore && telegram.messages(user.id).length > 0) ||
              unexpected().length > 0,
          ),
        `an answer to ${path}`,
      );
      said.push(...unexpected());
    }
    const escapes = said.length;
    const unexplained = refusals.filter((line) =>
      !/outside TELEGRAM_LOCAL_DIR|not a regular file/.test(line)
    );
    await reportHostile({
      name: "local Bot API file paths",
      inputs: hostilePaths.length,
      escapes,
      wrongFiles: 0,
      crashes: unexplained.length,
    });
    assertEquals(said, [], "the bot read no file outside its folder");
    assertEquals(unexplained, [], "each path is refused for what it is");
    assertEquals(refusals.length, hostilePaths.length);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
