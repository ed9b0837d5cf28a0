import { assertEquals, assertMatch } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { DiskFile } from "../../lib/curl_upload.ts";
import { createLogger } from "../../lib/logger.ts";
import type { GrammyError } from "grammy";
import { sharedFolders, startLocalBotApi } from "../support/shared_folders.ts";

const PNG_1X1 = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test("[lib/shared_files] names with spaces, %, #, ?, + and accents reach the server as they are", async () => {
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  const api = local.client();
  await Deno.mkdir(`${shared}/job 1`);
  const names = ['Été 100% #1 + "more"?.bin', "a+b c.bin", "%41.bin", "file.bin"];
  for (const [index, name] of names.entries()) {
    await Deno.writeTextFile(`${shared}/job 1/file.bin`, `bytes ${index}`);
    const chat = telegram.user(10 + index).id;
    const sent = await api.sendDocument(chat, new DiskFile(`${shared}/job 1/file.bin`, name));
    assertEquals(sent.document?.file_name, name);
    assertEquals(
      await Deno.readTextFile(telegram.filePath(sent.document!.file_id)),
      `bytes ${index}`,
    );
    assertMatch(
      String(telegram.callsTo("sendDocument").at(-1)?.params.document),
      /^file:\/\/\/.*\/job%201\//,
    );
  }
  // the links that carried the names are gone; the file stays the caller's to remove
  const left = [...Deno.readDirSync(`${shared}/job 1`)].map((entry) => entry.name);
  assertEquals(left, ["file.bin"]);
});

Deno.test("[lib/shared_files] an album's items and a video's thumbnail go by path", async () => {
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  const api = local.client();
  const chat = telegram.user(5).id;
  await Deno.writeFile(`${shared}/a.png`, PNG_1X1);
  await Deno.writeFile(`${shared}/b.mp4`, new Uint8Array(2048).fill(7));
  const album = await api.sendMediaGroup(chat, [
    { type: "photo", media: new DiskFile(`${shared}/a.png`, "a.png") },
    {
      type: "video",
      media: new DiskFile(`${shared}/b.mp4`, "b.mp4"),
      thumbnail: new DiskFile(`${shared}/a.png`, "thumb.jpg"),
    },
  ]);
  assertEquals(album.length, 2);
  assertEquals("video" in album[1] && album[1].video.thumbnail?.width, 1);
  // a form field, as curl sends it
  const media = JSON.parse(String(telegram.callsTo("sendMediaGroup")[0].params.media)) as Record<
    string,
    unknown
  >[];
  assertEquals(media.map((item) => item.media), [
    `file://${shared}/a.png`,
    `file://${shared}/b.mp4`,
  ]);
  // a thumbnail goes under its own name: nobody sees it
  assertEquals(media[1].thumbnail, `file://${shared}/a.png`);
  assertEquals(telegram.messages(chat).map((m) => m.media?.source), ["path", "path"]);
});

Deno.test("[lib/shared_files] without TELEGRAM_SHARED_DIR, or for a file outside it, the file is uploaded", async () => {
  await using local = await startLocalBotApi();
  const { shared, botApi, telegram } = local;
  const chat = telegram.user(5).id;
  await Deno.writeTextFile(`${shared}/clip.bin`, "clip");
  await Deno.writeTextFile(`${botApi}/other.bin`, "other");
  const client = { botToken: telegram.token, telegramApiRoot: telegram.apiRoot };
  await createTelegramApi(client).sendDocument(chat, new DiskFile(`${shared}/clip.bin`, "c"));
  await createTelegramApi({ ...client, telegramSharedDir: shared })
    .sendDocument(chat, new DiskFile(`${botApi}/other.bin`, "o"));
  assertEquals(
    telegram.callsTo("sendDocument").map((call) => call.params.document),
    [{ fileName: "c", size: 4 }, { fileName: "o", size: 5 }],
  );
});

Deno.test("[lib/shared_files] a server that refuses paths (not in local mode, or not seeing the folder), in whatever words, gets the file uploaded, and the operator is warned", async () => {
  await using folders = await sharedFolders();
  const { shared, botApi } = folders;
  await Deno.writeTextFile(`${shared}/clip.bin`, "clip");
  const servers = [
    await FakeTelegram.start(),
    // the cloud API's words for a string that is no file_id, and a server's own
    await FakeTelegram.start({ pathRefusal: "wrong file identifier/HTTP URL specified" }),
    await FakeTelegram.start({ pathRefusal: "local file paths are not accepted here" }),
    await FakeTelegram.start({ localDir: botApi }),
  ];
  for (const telegram of servers) {
    await using _closing = telegram;
    const warnings: string[] = [];
    const logger = createLogger("warn", {}, (line) => warnings.push(line));
    const api = createTelegramApi(
      { botToken: telegram.token, telegramApiRoot: telegram.apiRoot, telegramSharedDir: shared },
      undefined,
      logger,
    );
    const chat = telegram.user(5).id;
    const sent = await api.sendDocument(chat, new DiskFile(`${shared}/clip.bin`, "clip.bin"));
    assertEquals(await Deno.readTextFile(telegram.filePath(sent.document!.file_id)), "clip");
    const calls = telegram.callsTo("sendDocument");
    assertEquals(calls.map((call) => call.ok), [false, true]);
    assertEquals(calls[1].params.document, { fileName: "clip.bin", size: 4 });
    assertEquals(warnings.length, 1);
    assertMatch(warnings[0], /refused a file by path; uploaded instead/);
  }
});

Deno.test("[lib/shared_files] a 400 that is not about the path fails the call after one upload, with no warning", async () => {
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  await Deno.writeTextFile(`${shared}/clip.bin`, "clip");
  const warnings: string[] = [];
  const api = local.client(createLogger("warn", {}, (line) => warnings.push(line)));
  const unknownChat = 424242;
  const error = await api.sendDocument(unknownChat, new DiskFile(`${shared}/clip.bin`, "clip.bin"))
    .then(() => undefined, (error: GrammyError) => error);
  assertEquals(error?.error_code, 400);
  assertMatch(error?.description ?? "", /chat not found/);
  const calls = telegram.callsTo("sendDocument");
  assertEquals(calls.map((call) => call.ok), [false, false]);
  assertMatch(String(calls[0].params.document), /^file:\/\//);
  assertEquals(calls[1].params.document, { fileName: "clip.bin", size: 4 });
  assertEquals(warnings, []);
});

Deno.test("[lib/shared_files] once a server has refused paths, later files are uploaded at once, with one warning", async () => {
  await using folders = await sharedFolders();
  const { shared } = folders;
  await Deno.writeTextFile(`${shared}/clip.bin`, "clip");
  await using telegram = await FakeTelegram.start();
  const warnings: string[] = [];
  const api = createTelegramApi(
    { botToken: telegram.token, telegramApiRoot: telegram.apiRoot, telegramSharedDir: shared },
    undefined,
    createLogger("warn", {}, (line) => warnings.push(line)),
  );
  const chat = telegram.user(5).id;
  for (let i = 0; i < 3; i++) {
    await api.sendDocument(chat, new DiskFile(`${shared}/clip.bin`, "clip.bin"));
  }
  const calls = telegram.callsTo("sendDocument");
  assertEquals(calls.map((call) => call.ok), [false, true, true, true]);
  assertEquals(calls.slice(1).map((call) => call.params.document), [
    { fileName: "clip.bin", size: 4 },
    { fileName: "clip.bin", size: 4 },
    { fileName: "clip.bin", size: 4 },
  ]);
  assertEquals(warnings.length, 1);
});

Deno.test("[lib/shared_files] once a server has taken a file by path, a 400 is the call's own: nothing is uploaded again", async () => {
  await using local = await startLocalBotApi();
  const { shared, telegram } = local;
  await Deno.writeTextFile(`${shared}/clip.bin`, "clip");
  const warnings: string[] = [];
  const api = local.client(createLogger("warn", {}, (line) => warnings.push(line)));
  await api.sendDocument(telegram.user(5).id, new DiskFile(`${shared}/clip.bin`, "clip.bin"));
  const error = await api.sendDocument(424242, new DiskFile(`${shared}/clip.bin`, "clip.bin"))
    .then(() => undefined, (error: GrammyError) => error);
  assertEquals(error?.error_code, 400);
  const calls = telegram.callsTo("sendDocument");
  assertEquals(calls.map((call) => call.ok), [true, false]);
  assertEquals(calls.map((call) => String(call.params.document).startsWith("file://")), [
    true,
    true,
  ]);
  assertEquals(warnings, []);
});
