import { Api, Bot, GrammyError, InputFile } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import { DiskFile } from "../../lib/curl_upload.ts";
import assert from "node:assert/strict";
import { FakeTelegram } from "./fake_telegram.ts";

const PNG_1X1 = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

/** Bytes that start like an MP4 file; the fake does not decode video. */
function fakeMp4(size = 4096): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set([0, 0, 0, 0x18, ...new TextEncoder().encode("ftypisom")]);
  for (let i = 12; i < size; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

async function start(opts?: Parameters<typeof FakeTelegram.start>[0]) {
  const fake = await FakeTelegram.start(opts);
  return {
    fake,
    api: new Api(fake.token, { apiRoot: fake.apiRoot }),
    [Symbol.asyncDispose]: () => fake.close(),
  };
}

/** The GrammyError a call fails with. */
async function apiError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function assertBadRequest(call: Promise<unknown>, description: string): Promise<void> {
  const error = await apiError(call);
  assert.equal(error.error_code, 400);
  assert.equal(error.description, description);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function localServer(handler: (req: Request) => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

const keyboard = (...data: string[]): InlineKeyboardMarkup => ({
  inline_keyboard: [data.map((d) => ({ text: d, callback_data: d }))],
});

Deno.test("[fake-telegram] getUpdates long polling returns as soon as a user writes", async () => {
  await using env = await start();
  const { fake, api } = env;
  const alice = fake.user(42, { firstName: "Alice", languageCode: "en" });

  const started = Date.now();
  const timer = setTimeout(() => alice.sendText("hi https://example.com/watch?v=1."), 150);
  const updates = await api.getUpdates({ timeout: 20 });
  clearTimeout(timer);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 100 && elapsed < 5000, `long poll took ${elapsed} ms`);
  assert.equal(updates.length, 1);
  const message = updates[0].message;
  assert.equal(message?.text, "hi https://example.com/watch?v=1.");
  assert.deepEqual(message?.entities, [{ type: "url", offset: 3, length: 29 }]);
  assert.deepEqual(message?.chat, { id: 42, type: "private", first_name: "Alice" });
  assert.equal(message?.from?.language_code, "en");

  // Unconfirmed updates come again; an offset confirms them.
  const first = updates[0].update_id;
  assert.deepEqual((await api.getUpdates()).map((u) => u.update_id), [first]);
  const command = alice.sendText("/start@MediaTestBot payload");
  alice.sendText("third");
  const next = await api.getUpdates({ offset: first + 1, limit: 1 });
  assert.deepEqual(next.map((u) => u.update_id), [command.update_id]);
  assert.deepEqual(next[0].message?.entities, [{ type: "bot_command", offset: 0, length: 19 }]);
  const rest = await api.getUpdates({ offset: command.update_id + 1 });
  assert.deepEqual(rest.map((u) => u.message?.text), ["third"]);
  assert.deepEqual(await api.getUpdates({ offset: rest[0].update_id + 1 }), []);
  assert.deepEqual(fake.pendingUpdates, []);

  // A second poller ends the first one with a conflict.
  const older = apiError(api.getUpdates({ timeout: 20 }));
  await sleep(100);
  const newer = api.getUpdates({ timeout: 20 });
  const conflict = await older;
  assert.equal(conflict.error_code, 409);
  assert.equal(
    conflict.description,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  );
  alice.sendText("wake up");
  assert.equal((await newer)[0].message?.text, "wake up");
});

Deno.test("[fake-telegram] getUpdates without updates waits for the timeout", async () => {
  await using env = await start();
  const started = Date.now();
  assert.deepEqual(await env.api.getUpdates({ timeout: 1 }), []);
  assert.ok(Date.now() - started >= 900);
});

Deno.test("[fake-telegram] close ends a pending long poll", async () => {
  const { fake, api } = await start();
  const poll = api.getUpdates({ timeout: 30 });
  await sleep(100);
  const started = Date.now();
  await fake.close();
  assert.deepEqual(await poll, []);
  assert.ok(Date.now() - started < 5000);
});

Deno.test("[fake-telegram] webhook delivery sends the secret header, in order, with retries", async () => {
  await using env = await start({ webhookRetryDelayMs: 10 });
  const { fake, api } = env;
  const received: { id: number; secret: string | null }[] = [];
  let failures = 2;
  const hook = localServer(async (req) => {
    const update = await req.json();
    received.push({
      id: update.update_id,
      secret: req.headers.get("X-Telegram-Bot-Api-Secret-Token"),
    });
    if (failures-- > 0) return new Response("not yet", { status: 500 });
    // A webhook may answer with a method call, which Telegram performs.
    return Response.json({ method: "sendMessage", chat_id: 7, text: `got ${update.update_id}` });
  });
  try {
    assert.equal(await api.setWebhook(`${hook.url}/hook`, { secret_token: "s3cret_-" }), true);
    const user = fake.user(7);
    const one = user.sendText("one");
    const two = user.sendText("two");
    await fake.waitFor(() => fake.messages(7).length === 2);

    assert.deepEqual(
      fake.webhookDeliveries.map((d) => [d.update_id, d.attempt, d.status]),
      [[one.update_id, 1, 500], [one.update_id, 2, 500], [one.update_id, 3, 200], [
        two.update_id,
        1,
        200,
      ]],
    );
    assert.deepEqual(received.map((r) => r.id), [
      one.update_id,
      one.update_id,
      one.update_id,
      two.update_id,
    ]);
    assert.ok(received.every((r) => r.secret === "s3cret_-"));
    assert.deepEqual(fake.messages(7).map((m) => m.text), [
      `got ${one.update_id}`,
      `got ${two.update_id}`,
    ]);
    assert.ok(fake.callsTo("sendMessage").every((c) => c.viaWebhookReply === true));

    const info = await api.getWebhookInfo();
    assert.equal(info.url, `${hook.url}/hook`);
    assert.equal(info.pending_update_count, 0);
    assert.match(info.last_error_message ?? "", /500/);
  } finally {
    await fake.close();
    await hook.server.shutdown();
  }
});

Deno.test("[fake-telegram] getUpdates answers 409 while a webhook is set", async () => {
  await using env = await start();
  const { fake, api } = env;
  await api.setWebhook("http://127.0.0.1:9/unused");
  const error = await apiError(api.getUpdates());
  assert.equal(error.error_code, 409);
  assert.equal(
    error.description,
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  );
  await api.deleteWebhook();
  fake.user(1).sendText("after");
  assert.equal((await api.getUpdates())[0].message?.text, "after");
});

Deno.test("[fake-telegram] sendMessage with valid HTML stores plain text, entities and the HTML", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const html = ' <b>Bold</b> <i>it</i> <a href="https://example.com/?a=1&amp;b=2">link</a> ' +
    "&lt;tag&gt; &quot;q&quot; &#128512; <tg-spoiler>s</tg-spoiler> " +
    '<pre><code class="language-ts">let x</code></pre>\n';
  const sent = await api.sendMessage(5, html, { parse_mode: "HTML" });
  const text = 'Bold it link <tag> "q" 😀 s let x';
  assert.equal(sent.text, text);
  assert.deepEqual(sent.entities, [
    { type: "bold", offset: 0, length: 4 },
    { type: "italic", offset: 5, length: 2 },
    { type: "text_link", offset: 8, length: 4, url: "https://example.com/?a=1&b=2" },
    { type: "spoiler", offset: 26, length: 1 },
    { type: "pre", offset: 28, length: 5, language: "ts" },
  ]);
  assert.equal(sent.from?.id, fake.botInfo.id);
  assert.equal(sent.from?.is_bot, true);
  assert.equal(sent.from?.username, "MediaTestBot");
  assert.equal(sent.message_id, 1);
  const stored = fake.lastMessage(5);
  assert.equal(stored?.text, text);
  assert.equal(stored?.html, html);
  assert.equal((await api.sendMessage(5, "plain")).message_id, 2);
});

Deno.test("[fake-telegram] sendMessage rejects invalid HTML like Telegram", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const cases: [string, string][] = [
    ["<b>bold", `Can't find end tag corresponding to start tag "b"`],
    ["<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`],
    ["<div>x</div>", `Unsupported start tag "div" at byte offset 0`],
    ["x</b>", "Unexpected end tag at byte offset 1"],
    ["1 < 2", `Unsupported start tag "" at byte offset 2`],
    ['<span class="x">y</span>', `Tag "span" must have class "tg-spoiler" at byte offset 0`],
    ["é & b", `Character "&" must be escaped as "&amp;" at byte offset 3`],
    ["a > b", `Character ">" must be escaped as "&gt;" at byte offset 2`],
    ["&nbsp;", `Character "&" must be escaped as "&amp;" at byte offset 0`],
  ];
  for (const [html, why] of cases) {
    await assertBadRequest(
      api.sendMessage(5, html, { parse_mode: "HTML" }),
      `Bad Request: can't parse entities: ${why}`,
    );
  }
  await assertBadRequest(
    api.sendMessage(5, "x", { parse_mode: "Fancy" as "HTML" }),
    "Bad Request: unsupported parse_mode",
  );
  assert.deepEqual(fake.messages(5), []);
  assert.equal(fake.calls.filter((c) => !c.ok).length, cases.length + 1);
});

Deno.test("[fake-telegram] text and caption length limits", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  assert.equal((await api.sendMessage(5, "a".repeat(4096))).text?.length, 4096);
  await assertBadRequest(api.sendMessage(5, "a".repeat(4097)), "Bad Request: message is too long");
  await assertBadRequest(api.sendMessage(5, " \n "), "Bad Request: message text is empty");
  await assertBadRequest(
    api.sendMessage(5, "<b> </b>", { parse_mode: "HTML" }),
    "Bad Request: message text is empty",
  );
  // Length counts after parsing: tags don't count.
  const tagged = `<b>${"a".repeat(4096)}</b>`;
  assert.equal((await api.sendMessage(5, tagged, { parse_mode: "HTML" })).text?.length, 4096);

  await assertBadRequest(
    api.sendPhoto(5, new InputFile(PNG_1X1, "dot.png"), { caption: "c".repeat(1025) }),
    "Bad Request: message caption is too long",
  );
  const photo = await api.sendPhoto(5, new InputFile(PNG_1X1, "dot.png"), {
    caption: "c".repeat(1024),
  });
  assert.equal(photo.caption?.length, 1024);
  assert.equal(fake.messages(5).length, 3);
});

Deno.test("[fake-telegram] callback_data must be 1-64 bytes", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const sent = await api.sendMessage(5, "ok", { reply_markup: keyboard("x".repeat(64)) });
  assert.deepEqual(sent.reply_markup, keyboard("x".repeat(64)));
  for (const data of ["x".repeat(65), "é".repeat(33), ""]) {
    await assertBadRequest(
      api.sendMessage(5, "no", { reply_markup: keyboard(data) }),
      "Bad Request: BUTTON_DATA_INVALID",
    );
  }
  await assertBadRequest(
    api.sendMessage(5, "no", {
      reply_markup: { inline_keyboard: [[{ text: "only text" } as { text: string; url: string }]] },
    }),
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
  );
  assert.equal(fake.messages(5).length, 1);
});

Deno.test("[fake-telegram] edits: not modified, keyboard removal, history and errors", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const sent = await api.sendMessage(5, "<b>Hi</b>", {
    parse_mode: "HTML",
    reply_markup: keyboard("a"),
  });
  await assertBadRequest(
    api.editMessageText(5, sent.message_id, "<b>Hi</b>", {
      parse_mode: "HTML",
      reply_markup: keyboard("a"),
    }),
    "Bad Request: message is not modified: specified new message content and reply markup are " +
      "exactly the same as a current content and reply markup of the message",
  );
  // Same text without the bold entity is a change.
  const plain = await api.editMessageText(5, sent.message_id, "Hi", {
    reply_markup: keyboard("a"),
  });
  assert.ok(typeof plain === "object" && !("entities" in plain));
  // An edit without reply_markup removes the inline keyboard.
  const bare = await api.editMessageText(5, sent.message_id, "Hi there");
  assert.equal(typeof bare === "object" && bare.reply_markup, undefined);
  assert.ok(typeof bare === "object" && bare.edit_date);
  await assertBadRequest(
    api.editMessageReplyMarkup(5, sent.message_id),
    "Bad Request: message is not modified: specified new message content and reply markup are " +
      "exactly the same as a current content and reply markup of the message",
  );
  await api.editMessageReplyMarkup(5, sent.message_id, { reply_markup: keyboard("b") });

  const message = fake.lastMessage(5);
  assert.equal(message?.text, "Hi there");
  assert.deepEqual(message?.message.reply_markup, keyboard("b"));
  assert.equal(message?.html, undefined);
  assert.deepEqual(message?.history.map((v) => [v.method, v.text, v.reply_markup !== undefined]), [
    ["sendMessage", "Hi", true],
    ["editMessageText", "Hi", true],
    ["editMessageText", "Hi there", false],
    ["editMessageReplyMarkup", "Hi there", true],
  ]);
  assert.equal(message?.history[0].html, "<b>Hi</b>");

  await assertBadRequest(
    api.editMessageText(5, 999, "x"),
    "Bad Request: message to edit not found",
  );
  const photo = await api.sendPhoto(5, new InputFile(PNG_1X1), { caption: "cap" });
  await assertBadRequest(
    api.editMessageText(5, photo.message_id, "x"),
    "Bad Request: there is no text in the message to edit",
  );
  const captioned = await api.editMessageCaption(5, photo.message_id, {
    caption: "<i>new</i>",
    parse_mode: "HTML",
  });
  assert.equal(typeof captioned === "object" && captioned.caption, "new");
  assert.equal(fake.lastMessage(5)?.html, "<i>new</i>");

  assert.equal(await api.deleteMessage(5, photo.message_id), true);
  assert.equal(fake.messages(5).find((m) => m.messageId === photo.message_id)?.deleted, true);
  assert.equal(fake.lastMessage(5)?.messageId, sent.message_id);
  await assertBadRequest(
    api.deleteMessage(5, photo.message_id),
    "Bad Request: message to delete not found",
  );
  await assertBadRequest(
    api.editMessageCaption(5, photo.message_id, { caption: "gone" }),
    "Bad Request: message to edit not found",
  );
});

Deno.test("[fake-telegram] multipart video upload with thumbnail, then file_id reuse keeps file_unique_id", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const mp4 = fakeMp4();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/my clip.mp4`;
  await Deno.writeFile(path, mp4);
  try {
    const options = {
      thumbnail: new InputFile(PNG_1X1),
      width: 1280,
      height: 720,
      duration: 12,
      supports_streaming: true,
      caption: "<i>clip</i>",
      parse_mode: "HTML" as const,
    };
    const fromBytes = await api.sendVideo(5, new InputFile(mp4), options);
    assert.equal(fromBytes.caption, "clip");
    assert.deepEqual(fromBytes.caption_entities, [{ type: "italic", offset: 0, length: 4 }]);
    const video = fromBytes.video;
    assert.ok(video);
    assert.equal(video.width, 1280);
    assert.equal(video.height, 720);
    assert.equal(video.duration, 12);
    assert.equal(video.file_name, "video.mp4");
    assert.equal(video.mime_type, "video/mp4");
    assert.equal(video.file_size, mp4.length);
    assert.equal(video.thumbnail?.width, 1);
    assert.equal(video.thumbnail?.height, 1);
    assert.deepEqual(await fake.fileBytes(video.file_id), mp4);

    const fromPath = await api.sendVideo(5, new DiskFile(path, path.split("/").pop()!), {
      ...options,
      thumbnail: new InputFile(PNG_1X1, "thumb.png"),
    });
    assert.equal(fromPath.video?.file_name, "my clip.mp4");
    assert.notEqual(fromPath.video?.file_unique_id, video.file_unique_id);
    assert.deepEqual(await Deno.readFile(fake.filePath(fromPath.video?.file_id ?? "")), mp4);

    const again = await api.sendVideo(5, fromPath.video?.file_id ?? "");
    assert.equal(again.video?.file_unique_id, fromPath.video?.file_unique_id);
    assert.equal(again.video?.width, 1280);

    assert.deepEqual(
      fake.messages(5).map((
        m,
      ) => [m.media?.source, m.media?.thumbnail, m.media?.supportsStreaming]),
      [["upload", true, true], ["upload", true, true], ["file_id", false, false]],
    );
    const params = fake.callsTo("sendVideo")[1].params;
    assert.deepEqual(params.video, { fileName: "my clip.mp4", size: mp4.length });
    assert.deepEqual(params.thumbnail, { fileName: "thumb.png", size: PNG_1X1.length });
    assert.equal(params.width, "1280");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[fake-telegram] getFile and the download route serve stored bytes", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  const mp4 = fakeMp4(10_000);
  const sent = await api.sendVideo(5, new InputFile(mp4, "a.mp4"));
  const file = await api.getFile(sent.video?.file_id ?? "");
  assert.equal(file.file_unique_id, sent.video?.file_unique_id);
  assert.equal(file.file_size, mp4.length);
  assert.match(file.file_path ?? "", /^videos\/file_\d+\.mp4$/);
  const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
  assert.equal(download.status, 200);
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), mp4);

  const bytes = new TextEncoder().encode("user notes");
  const update = user.sendDocument({ fileName: "notes.txt", mimeType: "text/plain", bytes });
  const document = update.message?.document;
  assert.equal(document?.file_name, "notes.txt");
  const userFile = await api.getFile(document?.file_id ?? "");
  const userDownload = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${userFile.file_path}`);
  assert.equal(await userDownload.text(), "user notes");

  const wrongToken = await fetch(`${fake.apiRoot}/file/bot1:wrong/${file.file_path}`);
  assert.equal(wrongToken.status, 401);
  await wrongToken.body?.cancel();
  const missing = await fetch(`${fake.apiRoot}/file/bot${fake.token}/videos/nope.mp4`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("[fake-telegram] unknown or mismatched file_id is rejected", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  await assertBadRequest(
    api.sendVideo(5, "BAACAgIAAxkBAAIBnonexistent"),
    "Bad Request: wrong file identifier/HTTP URL specified",
  );
  await assertBadRequest(
    api.getFile("BAACAgIAAxkBAAIBnonexistent"),
    "Bad Request: wrong file_id or the file is temporarily unavailable",
  );
  const video = await api.sendVideo(5, new InputFile(fakeMp4()));
  await assertBadRequest(
    api.sendPhoto(5, video.video?.file_id ?? ""),
    "Bad Request: type of file mismatch",
  );
  await assertBadRequest(
    api.sendPhoto(5, new InputFile(new TextEncoder().encode("not an image"))),
    "Bad Request: IMAGE_PROCESS_FAILED",
  );
  assert.equal(fake.messages(5).length, 1);
});

Deno.test("[fake-telegram] photo by URL is fetched like Telegram does; a failing URL is rejected", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const images = localServer((req) =>
    new URL(req.url).pathname === "/cat.png"
      ? new Response(PNG_1X1, { headers: { "content-type": "image/png" } })
      : new Response("nope", { status: 404 })
  );
  try {
    const sent = await api.sendPhoto(5, `${images.url}/cat.png`);
    const largest = sent.photo?.at(-1);
    assert.equal(largest?.width, 1);
    assert.deepEqual(await fake.fileBytes(largest?.file_id ?? ""), PNG_1X1);
    assert.equal(fake.lastMessage(5)?.media?.source, "url");
    assert.equal(fake.lastMessage(5)?.media?.url, `${images.url}/cat.png`);
    await assertBadRequest(
      api.sendPhoto(5, `${images.url}/missing.png`),
      "Bad Request: failed to get HTTP URL content",
    );
    await assertBadRequest(
      api.sendPhoto(5, "http://127.0.0.1:9/refused.png"),
      "Bad Request: failed to get HTTP URL content",
    );
    assert.equal(fake.messages(5).length, 1);
  } finally {
    await fake.close();
    await images.server.shutdown();
  }
});

Deno.test("[fake-telegram] an upload over maxUploadBytes is answered 413", async () => {
  await using env = await start({ maxUploadBytes: 1024 });
  const { fake, api } = env;
  fake.user(5);
  const error = await apiError(api.sendDocument(5, new InputFile(new Uint8Array(4096), "big.bin")));
  assert.equal(error.error_code, 413);
  assert.equal(error.description, "Request Entity Too Large");
  const small = await api.sendDocument(5, new InputFile(new Uint8Array(1024), "small.bin"));
  assert.equal(small.document?.file_size, 1024);
  assert.equal(fake.messages(5).length, 1);
});

Deno.test("[fake-telegram] failNext answers 429 with retry_after and has no effect", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  fake.failNext("sendMessage", 2, {
    code: 429,
    description: "Too Many Requests: retry after 3",
    retryAfter: 3,
  });
  fake.failNext("sendVideo", 1, { code: 500, description: "Internal Server Error" });
  for (let i = 0; i < 2; i++) {
    const error = await apiError(api.sendMessage(5, "x"));
    assert.equal(error.error_code, 429);
    assert.equal(error.description, "Too Many Requests: retry after 3");
    assert.deepEqual(error.parameters, { retry_after: 3 });
  }
  assert.equal((await api.sendMessage(5, "x")).message_id, 1);
  assert.equal((await apiError(api.sendVideo(5, new InputFile(fakeMp4())))).error_code, 500);
  assert.deepEqual(fake.callsTo("sendMessage").map((c) => c.ok), [false, false, true]);
  assert.equal(fake.messages(5).length, 1);
});

Deno.test("[fake-telegram] a seeded failure rate answers 429 reproducibly", async () => {
  const outcomes = async (seed: number) => {
    await using env = await start({ seed });
    env.fake.setFailureRate("*", 0.5, 2);
    const results: string[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        await env.api.getMe();
        results.push("ok");
      } catch (error) {
        assert.ok(error instanceof GrammyError);
        assert.equal(error.description, "Too Many Requests: retry after 2");
        assert.deepEqual(error.parameters, { retry_after: 2 });
        results.push(String(error.error_code));
      }
    }
    return results;
  };
  const first = await outcomes(7);
  assert.deepEqual(await outcomes(7), first);
  assert.ok(first.includes("ok") && first.includes("429"), first.join());
});

Deno.test("[fake-telegram] answerCallbackQuery works once per query", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  const sent = await api.sendMessage(5, "pick", { reply_markup: keyboard("a", "b") });
  const update = user.pressButton(sent, "b");
  const query = update.callback_query;
  assert.equal(query?.data, "b");
  assert.equal(query?.message?.message_id, sent.message_id);
  assert.equal(await api.answerCallbackQuery(query?.id ?? "", { text: "done" }), true);
  const tooOld =
    "Bad Request: query is too old and response timeout expired or query ID is invalid";
  await assertBadRequest(api.answerCallbackQuery(query?.id ?? ""), tooOld);
  await assertBadRequest(api.answerCallbackQuery("12345"), tooOld);
  assert.deepEqual(
    fake.callbackAnswers.map((a) => [a.callback_query_id, a.data, a.text, a.show_alert]),
    [[query?.id, "b", "done", false]],
  );
});

Deno.test("[fake-telegram] pressButton on a missing button throws", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  const sent = await api.sendMessage(5, "pick", { reply_markup: keyboard("a") });
  assert.throws(() => user.pressButton(sent, "zzz"), /no button with callback_data "zzz"/);
  // The current keyboard counts, not the one the message was sent with.
  await api.editMessageReplyMarkup(5, sent.message_id, { reply_markup: keyboard("c") });
  assert.throws(() => user.pressButton(sent, "a"), /no button with callback_data "a"/);
  assert.equal(user.pressButton(sent, "c").callback_query?.data, "c");
  await api.deleteMessage(5, sent.message_id);
  assert.throws(() => user.pressButton(sent, "c"), /does not exist/);
});

Deno.test("[fake-telegram] wrong token, unknown method and request encodings", async () => {
  await using env = await start();
  const { fake } = env;
  fake.user(5);
  const wrong = await fetch(`${fake.apiRoot}/bot1:nope/getMe`);
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), {
    ok: false,
    error_code: 401,
    description: "Unauthorized",
  });
  const unknown = await fetch(`${fake.apiRoot}/bot${fake.token}/getMagic`, { method: "POST" });
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { ok: false, error_code: 404, description: "Not Found" });

  const viaQuery = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=5&text=q`);
  assert.equal((await viaQuery.json()).result.text, "q");
  const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
    method: "POST",
    body: new URLSearchParams({
      chat_id: "5",
      text: "form",
      reply_markup: JSON.stringify(keyboard("f")),
    }),
  });
  assert.deepEqual((await form.json()).result.reply_markup, keyboard("f"));
  const multipart = new FormData();
  multipart.set("chat_id", "5");
  multipart.set("document", new Blob([new TextEncoder().encode("hello")]), 'we"ird name.txt');
  const upload = await fetch(`${fake.apiRoot}/bot${fake.token}/sendDocument`, {
    method: "POST",
    body: multipart,
  });
  const document = (await upload.json()).result.document;
  assert.equal(document.file_size, 5);
  assert.equal(document.mime_type, "text/plain");
  assert.deepEqual(fake.callsTo("sendDocument")[0].params.document, {
    fileName: document.file_name,
    size: 5,
  });
  assert.equal(fake.calls[0].error_code, 401);
});

Deno.test("[fake-telegram] waitFor wakes on API calls and explains timeouts", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  setTimeout(() => api.sendMessage(5, "later"), 50);
  const message = await fake.waitFor(() => fake.lastMessage(5));
  assert.equal(message.text, "later");
  await assert.rejects(
    fake.waitFor(() => false, { timeoutMs: 100 }),
    /timed out after 100 ms[^]*sendMessage ok/,
  );
});

Deno.test("[fake-telegram] Stars invoice, pre-checkout and refund", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  const invoice = await api.sendInvoice(5, "Premium", "30 days", "plan:30", "XTR", [
    { label: "Premium", amount: 50 },
  ]);
  assert.equal(invoice.invoice?.total_amount, 50);
  const query = user.payInvoice(invoice).pre_checkout_query;
  assert.equal(query?.invoice_payload, "plan:30");
  assert.equal(await api.answerPreCheckoutQuery(query?.id ?? "", true), true);
  const updates = await api.getUpdates({ offset: -1 });
  const payment = updates[0].message?.successful_payment;
  assert.equal(payment?.total_amount, 50);
  const charge = payment?.telegram_payment_charge_id ?? "";
  assert.equal(await api.refundStarPayment(5, charge), true);
  await assertBadRequest(api.refundStarPayment(5, charge), "Bad Request: CHARGE_ALREADY_REFUNDED");
  assert.deepEqual(fake.refunds.map((r) => r.telegram_payment_charge_id), [charge]);
  assert.deepEqual(fake.preCheckoutAnswers.map((a) => a.ok), [true]);
});

Deno.test("[fake-telegram] setMyCommands, chat actions and blocked users", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  await api.setMyCommands([{ command: "start", description: "Start" }]);
  assert.deepEqual(fake.commands(), [{ command: "start", description: "Start" }]);
  await assertBadRequest(
    api.setMyCommands([{ command: "Bad-Name", description: "x" }]),
    "Bad Request: BOT_COMMAND_INVALID",
  );
  await api.sendChatAction(5, "upload_video");
  assert.deepEqual(fake.chatActions.map((a) => a.action), ["upload_video"]);
  await assertBadRequest(api.sendMessage(404, "x"), "Bad Request: chat not found");
  user.block();
  const blocked = await apiError(api.sendMessage(5, "x"));
  assert.equal(blocked.error_code, 403);
  assert.equal(blocked.description, "Forbidden: bot was blocked by the user");
});

Deno.test("[fake-telegram] a grammY Bot with long polling talks to a fake user", async () => {
  await using env = await start();
  const { fake } = env;
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.command(
    "start",
    (ctx) => ctx.reply("<b>Hello</b>", { parse_mode: "HTML", reply_markup: keyboard("go") }),
  );
  bot.callbackQuery("go", async (ctx) => {
    await ctx.answerCallbackQuery("ok");
    await ctx.editMessageText("Went");
  });
  const running = bot.start();
  try {
    const user = fake.user(9);
    user.sendText("/start");
    const hello = await fake.waitFor(() => fake.lastMessage(9));
    assert.equal(hello.text, "Hello");
    user.pressButton(hello, "go");
    await fake.waitFor(() => fake.lastMessage(9)?.text === "Went");
    assert.equal(fake.callbackAnswers[0]?.text, "ok");
    assert.equal(bot.botInfo.username, fake.botInfo.username);
  } finally {
    await bot.stop();
    await running;
  }
});

Deno.test("[fake-telegram] replies, copyMessage and raw updates", async () => {
  await using env = await start();
  const { fake, api } = env;
  const user = fake.user(5);
  const asked = user.sendText("question").message;
  assert.equal(asked?.message_id, 1);
  const answer = await api.sendMessage(5, "answer", { reply_parameters: { message_id: 1 } });
  assert.equal(answer.reply_to_message?.text, "question");
  await assertBadRequest(
    api.sendMessage(5, "x", { reply_parameters: { message_id: 99 } }),
    "Bad Request: message to be replied not found",
  );
  const photo = await api.sendPhoto(5, new InputFile(PNG_1X1), { caption: "one" });
  const copy = await api.copyMessage(5, 5, photo.message_id, { caption: "two" });
  const copied = fake.messages(5).find((m) => m.messageId === copy.message_id);
  assert.equal(copied?.caption, "two");
  assert.deepEqual(copied?.message.photo, photo.photo);

  const raw = user.sendUpdate({ edited_message: { text: "no chat" } });
  assert.ok(raw.update_id > 0);
  const updates = await api.getUpdates();
  assert.deepEqual(updates.at(-1), {
    edited_message: { text: "no chat" },
    update_id: raw.update_id,
  });
});

const TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid";

Deno.test("[fake-telegram] inline mode: a Share button's query, one answer, the chosen file sent into a friend's chat", async () => {
  await using env = await start();
  const { fake, api } = env;
  const alice = fake.user(5, { firstName: "Alice" });
  const bob = fake.user(6, { firstName: "Bob" });
  assert.equal((await api.getMe()).supports_inline_queries, true);
  const sent = await api.sendVideo(5, new InputFile(fakeMp4()), {
    width: 640,
    height: 360,
    reply_markup: { inline_keyboard: [[{ text: "📤 Share", switch_inline_query: "tok_1" }]] },
  });
  const fileId = sent.video?.file_id ?? "";

  const asked = alice.pressSwitchInlineButton(sent, "📤 Share", bob).inline_query;
  assert.equal(asked?.query, "tok_1");
  assert.equal(asked?.chat_type, "private", "typed in the chat with Bob");
  assert.equal(asked?.from.id, 5);
  assert.deepEqual((await api.getUpdates()).map((u) => u.inline_query?.id), [asked?.id]);
  assert.throws(() => alice.chooseInlineResult(asked?.id ?? "", "r1"), /not answered/);

  const results = [
    {
      type: "video" as const,
      id: "r1",
      video_file_id: fileId,
      title: "Clip",
      caption: "<b>Clip</b> · get it from @bot",
      parse_mode: "HTML" as const,
    },
    {
      type: "article" as const,
      id: "r2",
      title: "Clip",
      input_message_content: { message_text: "Clip: t.me/bot" },
      reply_markup: { inline_keyboard: [[{ text: "Open", url: "https://t.me/bot" }]] },
    },
  ];
  assert.equal(
    await api.answerInlineQuery(asked?.id ?? "", results, { cache_time: 5, is_personal: true }),
    true,
  );
  await assertBadRequest(api.answerInlineQuery(asked?.id ?? "", results), TOO_OLD);
  assert.deepEqual(
    fake.inlineAnswers.map((
      a,
    ) => [a.query, a.results.map((r) => r.id), a.cache_time, a.is_personal]),
    [["tok_1", ["r1", "r2"], 5, true]],
  );

  const chosen = alice.chooseInlineResult(asked?.id ?? "", "r1")?.chosen_inline_result;
  assert.deepEqual(chosen, { result_id: "r1", from: alice.info, query: "tok_1" });
  const [shared] = fake.userChat(bob.id, alice.id);
  assert.equal(shared.video?.file_id, fileId, "the file itself, by its file_id");
  assert.equal(shared.via_bot?.username, "MediaTestBot");
  assert.equal(shared.from?.id, alice.id);
  assert.equal(shared.chat.id, alice.id, "Bob sees it in his chat with Alice");
  assert.equal(shared.caption, "Clip · get it from @bot");
  assert.deepEqual(shared.caption_entities, [{ type: "bold", offset: 0, length: 4 }]);
  assert.equal(fake.messages(alice.id).length, 1, "nothing new in the bot's chat");

  // a result with a keyboard becomes an inline message the bot is told the id of
  const again = alice.sendInlineQuery("tok_1", bob).inline_query!;
  await api.answerInlineQuery(again.id, results);
  const article = alice.chooseInlineResult(again.id, "r2")?.chosen_inline_result;
  assert.ok(article?.inline_message_id, "an inline_message_id");
  const text = fake.userChat(alice.id, bob.id)[1];
  assert.equal(text.text, "Clip: t.me/bot");
  assert.equal(text.chat.id, bob.id);
  assert.deepEqual(text.reply_markup, results[1].reply_markup);
  assert.throws(() => alice.chooseInlineResult(again.id, "r3"), /no result r3/);
  assert.throws(() => bob.chooseInlineResult(again.id, "r2"), /sent no inline query/);
});

Deno.test("[fake-telegram] answerInlineQuery checks its results, its query and its time like Telegram", async () => {
  await using env = await start({ inlineQueryTimeoutMs: 200 });
  const { fake, api } = env;
  const alice = fake.user(5);
  const audio = await api.sendAudio(5, new InputFile(fakeMp4(), "a.mp3"));
  const audioId = audio.audio?.file_id ?? "";
  const id = alice.sendInlineQuery("x").inline_query!.id;
  const article = (resultId: string) => ({
    type: "article" as const,
    id: resultId,
    title: "t",
    input_message_content: { message_text: "hi" },
  });
  const many = Array.from({ length: 51 }, (_, i) => article(`a${i}`));
  await assertBadRequest(api.answerInlineQuery(id, many), "Bad Request: RESULTS_TOO_MUCH");
  await assertBadRequest(
    api.answerInlineQuery(id, [article("é".repeat(33))]),
    "Bad Request: RESULT_ID_INVALID",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [article("")]),
    "Bad Request: RESULT_ID_INVALID",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [article("a"), article("a")]),
    "Bad Request: RESULT_ID_DUPLICATE",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{ ...article("a"), type: "movie" } as never]),
    "Bad Request: RESULT_TYPE_INVALID",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{ type: "video", id: "v", video_file_id: "nope", title: "t" }]),
    `Bad Request: ${"wrong file identifier/HTTP URL specified"}`,
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{ type: "video", id: "v", video_file_id: audioId, title: "t" }]),
    "Bad Request: type of file mismatch",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{ type: "article", id: "a", title: "t" } as never]),
    "Bad Request: message text is empty",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{ ...article("a"), title: "" }]),
    `Bad Request: can't parse inline query result: Field "title" must be of type String`,
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [{
      type: "audio",
      id: "s",
      audio_file_id: audioId,
      caption: "<b",
      parse_mode: "HTML",
    }]),
    "Bad Request: can't parse entities: Unclosed start tag at byte offset 0",
  );
  await assertBadRequest(
    api.answerInlineQuery(id, [], { button: { text: "Open", start_parameter: "no spaces" } }),
    "Bad Request: START_PARAM_INVALID",
  );
  await assertBadRequest(api.answerInlineQuery("12345", []), TOO_OLD);
  // refused answers left the query open
  assert.equal(
    await api.answerInlineQuery(id, [{ type: "audio", id: "s", audio_file_id: audioId }], {
      button: { text: "Open the bot", start_parameter: "share" },
    }),
    true,
  );
  assert.deepEqual(fake.inlineAnswers[0].button, {
    text: "Open the bot",
    start_parameter: "share",
  });

  const late = alice.sendInlineQuery("late").inline_query!.id;
  await sleep(300);
  await assertBadRequest(api.answerInlineQuery(late, []), TOO_OLD);
});

Deno.test("[fake-telegram] a result chosen in the bot's own chat reaches the bot; without feedback no chosen_inline_result", async () => {
  await using env = await start({ inlineFeedback: false });
  const { fake, api } = env;
  const alice = fake.user(5);
  const query = alice.sendInlineQuery("hello").inline_query!;
  assert.equal(query.chat_type, "sender", "the chat with the bot");
  await api.answerInlineQuery(query.id, [{
    type: "article",
    id: "a",
    title: "t",
    input_message_content: { message_text: "<i>hi</i>", parse_mode: "HTML" },
  }]);
  assert.equal(alice.chooseInlineResult(query.id, "a"), undefined);
  const updates = await api.getUpdates();
  assert.deepEqual(updates.map((u) => Object.keys(u).filter((k) => k !== "update_id")), [
    ["inline_query"],
    ["message"],
  ]);
  const message = updates[1].message;
  assert.equal(message?.text, "hi");
  assert.equal(message?.from?.id, 5);
  assert.equal(message?.via_bot?.id, fake.botInfo.id);
  assert.deepEqual(message?.entities, [{ type: "italic", offset: 0, length: 2 }]);
});

Deno.test("[fake-telegram] without inline mode users cannot query the bot", async () => {
  await using env = await start({ inlineMode: false });
  const { fake, api } = env;
  assert.equal((await api.getMe()).supports_inline_queries, false);
  assert.throws(() => fake.user(5).sendInlineQuery("x"), /\/setinline/);
});

Deno.test("[fake-telegram] groups: privacy mode, my_chat_member, 403 once removed, command scopes", async () => {
  await using env = await start();
  const { fake, api } = env;
  const alice = fake.user(5);
  const outsider = fake.user(6);
  const group = fake.group(-100, { members: [alice] });
  // not in the group yet: nothing reaches the bot, and sending there is refused
  group.sendText(alice, "/dl https://example.com/v");
  assert.equal(fake.pendingUpdates.length, 0);
  const before = await apiError(api.sendMessage(-100, "x"));
  assert.equal(before.error_code, 403);
  assert.equal(before.description, "Forbidden: bot is not a member of the group chat");

  const added = group.addBot(alice).my_chat_member;
  assert.equal(added?.old_chat_member.status, "left");
  assert.equal(added?.new_chat_member.status, "member");
  assert.equal(added?.chat.type, "group");
  // privacy mode: a command and a reply to the bot arrive, other talk does not
  const talk = group.sendText(alice, "look https://example.com/v");
  const command = group.sendText(alice, "/dl", talk);
  const sent = await api.sendMessage(-100, "hello", {
    reply_parameters: { message_id: command.message_id },
  });
  assert.equal(sent.chat.type, "group");
  assert.equal(sent.reply_to_message?.message_id, command.message_id);
  group.sendText(alice, "thanks", sent);
  const texts = fake.pendingUpdates.slice(1).map((u) => u.message?.text);
  assert.deepEqual(texts, ["/dl", "thanks"]);
  assert.equal(
    fake.pendingUpdates[1].message?.reply_to_message?.text,
    "look https://example.com/v",
  );
  assert.throws(() => outsider.pressButton(sent, "x"), /cannot see chat/);

  group.removeBot(alice);
  const kicked = await apiError(api.sendMessage(-100, "x"));
  assert.equal(kicked.description, "Forbidden: bot was kicked from the group chat");
  const edit = await apiError(api.editMessageText(-100, sent.message_id, "y"));
  assert.equal(edit.error_code, 403);

  // command scopes: known types only, a chat scope needs a chat the bot knows
  const commands = [{ command: "dl", description: "Download" }];
  await api.setMyCommands(commands, { scope: { type: "all_group_chats" } });
  assert.deepEqual(fake.commands("all_group_chats"), commands);
  await api.setMyCommands(commands, { scope: { type: "chat", chat_id: 5 }, language_code: "fr" });
  assert.deepEqual(fake.commands("chat:5", "fr"), commands);
  await assertBadRequest(
    api.setMyCommands(commands, { scope: { type: "chat", chat_id: 77 } }),
    "Bad Request: chat not found",
  );
});

Deno.test("[fake-telegram] sendMediaGroup sends 2-10 uploads or file_ids as one album, checked whole first", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const album: Message[] = await api.sendMediaGroup(5, [
    {
      type: "photo",
      media: new InputFile(PNG_1X1, "a.png"),
      caption: "<b>first</b>",
      parse_mode: "HTML",
    },
    { type: "video", media: new InputFile(fakeMp4(), "b.mp4"), width: 64, height: 48 },
    { type: "photo", media: new InputFile(PNG_1X1, "c.png") },
  ]);
  assert.equal(album.length, 3);
  const groupId = album[0].media_group_id;
  assert.ok(groupId);
  assert.ok(album.every((m) => m.media_group_id === groupId), "one media_group_id");
  assert.deepEqual(album.map((m) => Boolean(m.photo)), [true, false, true]);
  assert.equal(album[1].video?.width, 64);
  assert.equal(album[0].caption, "first");
  assert.equal(album[1].caption, undefined);
  assert.equal(fake.messages(5).filter((m) => m.method === "sendMediaGroup").length, 3);

  // again by file_id
  const again: Message[] = await api.sendMediaGroup(5, [
    { type: "photo", media: album[0].photo!.at(-1)!.file_id },
    { type: "video", media: album[1].video!.file_id },
  ]);
  assert.equal(again[1].video?.file_unique_id, album[1].video?.file_unique_id);
  assert.equal(fake.lastMessage(5)?.media?.source, "file_id");

  const before = fake.messages(5).length;
  const photo = (name: string) => ({ type: "photo" as const, media: new InputFile(PNG_1X1, name) });
  await assertBadRequest(
    api.sendMediaGroup(5, [photo("one.png")]),
    "Bad Request: wrong number of media in the media group: must be between 2 and 10",
  );
  await assertBadRequest(
    api.sendMediaGroup(5, Array.from({ length: 11 }, (_, i) => photo(`${i}.png`))),
    "Bad Request: wrong number of media in the media group: must be between 2 and 10",
  );
  await assertBadRequest(
    api.sendMediaGroup(5, [
      photo("a.png"),
      // a document among photos: grammY's types forbid it, Telegram refuses it
      { type: "document", media: new InputFile(PNG_1X1, "d.png") } as unknown as ReturnType<
        typeof photo
      >,
    ]),
    "Bad Request: document can't be mixed with other media types",
  );
  // the second item is refused: the first is not sent either
  await assertBadRequest(
    api.sendMediaGroup(5, [photo("a.png"), { type: "photo", media: "no-such-file-id" }]),
    "Bad Request: wrong file identifier/HTTP URL specified",
  );
  await assertBadRequest(
    api.sendMediaGroup(5, [
      { ...photo("a.png"), caption: "c".repeat(1025) },
      photo("b.png"),
    ]),
    "Bad Request: message caption is too long",
  );
  assert.equal(fake.messages(5).length, before, "a refused album leaves no message");
});

Deno.test("[fake-telegram] a photo over 10 MB is refused; as a document it goes", async () => {
  await using env = await start();
  const { fake, api } = env;
  fake.user(5);
  const big = new Uint8Array(10 * 1024 * 1024 + 1);
  big.set(PNG_1X1);
  await assertBadRequest(
    api.sendPhoto(5, new InputFile(big, "big.png")),
    "Bad Request: PHOTO_SAVE_FILE_INVALID",
  );
  const document = await api.sendDocument(5, new InputFile(big, "big.png"));
  assert.equal(document.document?.file_size, big.length);
});

Deno.test("[fake-telegram] local mode reads file:// paths in its folders only, percent-decoded, and keeps a copy for file_id sends", async () => {
  const shared = await Deno.makeTempDir({ prefix: "shared-" });
  const localDir = await Deno.makeTempDir({ prefix: "telegram-bot-api-" });
  const outside = await Deno.makeTempDir({ prefix: "elsewhere-" });
  try {
    await using env = await start({ localDir, localFilesDir: shared });
    const { fake, api } = env;
    fake.user(5);
    const mp4 = fakeMp4();
    const name = "Été 100% #1 + more?.mp4";
    await Deno.writeFile(`${shared}/${name}`, mp4);
    await Deno.writeFile(`${shared}/thumb.png`, PNG_1X1);
    const uri = (path: string) => `file://${path.split("/").map(encodeURIComponent).join("/")}`;

    const sent = await api.sendVideo(5, uri(`${shared}/${name}`), {
      thumbnail: uri(`${shared}/thumb.png`) as never,
      width: 640,
      height: 360,
    });
    assert.equal(sent.video?.file_name, name, "named after the path, decoded");
    assert.equal(sent.video?.file_size, mp4.length);
    assert.equal(sent.video?.thumbnail?.width, 1);
    assert.equal(fake.messages(5)[0].media?.source, "path");
    // the server's copy outlives the worker's file
    await Deno.remove(`${shared}/${name}`);
    assert.deepEqual(await Deno.readFile(fake.filePath(sent.video?.file_id ?? "")), mp4);
    const again = await api.sendVideo(5, sent.video?.file_id ?? "");
    assert.equal(again.video?.file_unique_id, sent.video?.file_unique_id);
    // `file://localhost/…` names the same place; a `+` is no space
    await Deno.writeFile(`${shared}/a+b.bin`, mp4);
    const plus = await api.sendDocument(5, `file://localhost${shared}/a+b.bin`);
    assert.equal(plus.document?.file_name, "a+b.bin");

    // outside its folders, through a symbolic link or `..`, or no file: as unreadable
    await Deno.writeFile(`${outside}/secret.mp4`, mp4);
    await Deno.symlink(`${outside}/secret.mp4`, `${shared}/link.mp4`);
    for (
      const path of [
        `${outside}/secret.mp4`,
        `${shared}/link.mp4`,
        `${shared}/../${outside.split("/").pop()}/secret.mp4`,
        `${shared}/missing.mp4`,
        shared,
      ]
    ) {
      const error = await apiError(api.sendVideo(5, uri(path)));
      assert.equal(error.error_code, 400, path);
      assert.match(error.description, /^Bad Request: realpath failed for /, path);
    }
    const thumbOutside = await apiError(
      api.sendVideo(5, uri(`${shared}/a+b.bin`), {
        thumbnail: uri(`${outside}/secret.mp4`) as never,
      }),
    );
    assert.match(thumbOutside.description, /realpath failed/);
    assert.equal(fake.messages(5).length, 3, "no refused call left a message");
  } finally {
    for (const dir of [shared, localDir, outside]) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[fake-telegram] without local mode a file:// path is refused like any URL the server cannot fetch", async () => {
  const shared = await Deno.makeTempDir({ prefix: "shared-" });
  try {
    await using env = await start();
    const { fake, api } = env;
    fake.user(5);
    await Deno.writeFile(`${shared}/clip.mp4`, fakeMp4());
    await assertBadRequest(
      api.sendVideo(5, `file://${shared}/clip.mp4`),
      "Bad Request: invalid file HTTP URL specified: Unsupported URL protocol",
    );
    await assertBadRequest(
      api.sendMediaGroup(5, [
        { type: "video", media: `file://${shared}/clip.mp4` },
        { type: "video", media: `file://${shared}/clip.mp4` },
      ]),
      "Bad Request: invalid file HTTP URL specified: Unsupported URL protocol",
    );
    assert.equal(fake.messages(5).length, 0);
  } finally {
    await Deno.remove(shared, { recursive: true });
  }
});
