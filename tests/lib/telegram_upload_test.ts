/** Files on disk uploaded by curl (lib/curl_upload.ts) under grammY's throttle and retries. */
import { Api, HttpError } from "grammy";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { descendants } from "../support/processes.ts";
import { startTcpCanary } from "../support/canary.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { curlAvailable, DiskFile, uploadsThroughCurl } from "../../lib/curl_upload.ts";

const TOKEN = "123:upload-test";

/** curl processes started by this test process. */
const curlChildren = () => descendants([Deno.pid]).filter((p) => p.name === "curl");

async function withFile<T>(bytes: Uint8Array, run: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/media.bin`, bytes);
    return await run(`${dir}/media.bin`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Just the transformer: no retries, so failures surface at once. */
function bareApi(apiRoot: string, botToken = TOKEN): Api {
  const api = new Api(botToken, { apiRoot });
  api.config.use(uploadsThroughCurl({ botToken, apiRoot }));
  return api;
}

Deno.test("[lib/upload] a file on disk arrives whole, with its name, caption and keyboard", async () => {
  assert(await curlAvailable(), "curl is installed by scripts/setup.sh");
  await using telegram = await FakeTelegram.start();
  const user = telegram.user(42, { languageCode: "en" });
  const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) >> 3);
  const api = createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot });
  const message = await withFile(
    body,
    (path) =>
      api.sendDocument(user.id, new DiskFile(path, "Été; «part» 1.bin"), {
        caption: "<b>bold</b> &amp; more\nsecond line",
        parse_mode: "HTML",
        reply_markup: { inline_keyboard: [[{ text: "Again", callback_data: "again" }]] },
      }),
  );
  const stored = await Deno.readFile(telegram.filePath(message.document!.file_id));
  assertEquals(stored.length, body.length);
  assert(stored.every((b, i) => b === body[i]), "same bytes");
  assertEquals(message.document?.file_name, "Été; «part» 1.bin");
  assertEquals(message.caption, "bold & more\nsecond line");
  assertEquals(message.reply_markup?.inline_keyboard[0][0].text, "Again");
});

Deno.test("[lib/upload] where curl is missing, grammY uploads the file itself", async () => {
  await using telegram = await FakeTelegram.start();
  const user = telegram.user(43, { languageCode: "en" });
  const body = new Uint8Array(200_000).map((_, i) => (i * 31) >> 2);
  const emptyPath = await Deno.makeTempDir();
  try {
    const fileId = await withFile(body, async (path) => {
      // a program of its own: which tools exist is decided once per process
      const program = `
        import { createTelegramApi } from "./lib/telegram.ts";
        import { DiskFile } from "./lib/curl_upload.ts";
        const api = createTelegramApi(${
        JSON.stringify({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot })
      });
        const message = await api.sendDocument(${user.id}, new DiskFile(${
        JSON.stringify(path)
      }, "a.bin"));
        console.log(message.document.file_id);`;
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", program],
        cwd: new URL("../..", import.meta.url).pathname,
        env: { PATH: emptyPath },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
      assert(output.success, decode(output.stderr));
      return decode(output.stdout);
    });
    const stored = await Deno.readFile(telegram.filePath(fileId));
    assertEquals(stored.length, body.length);
    assert(stored.every((b, i) => b === body[i]), "same bytes");
  } finally {
    await Deno.remove(emptyPath);
  }
});

Deno.test("[lib/upload] a 429 is waited out and the whole file sent again", async () => {
  const received: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push((await req.arrayBuffer()).byteLength);
    if (received.length === 1) {
      return Response.json({
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 1",
        parameters: { retry_after: 1 },
      }, { status: 429 });
    }
    return Response.json({ ok: true, result: { message_id: 1, date: 0, chat: { id: 1 } } });
  });
  try {
    const apiRoot = `http://127.0.0.1:${server.addr.port}`;
    const api = createTelegramApi({ botToken: TOKEN, telegramApiRoot: apiRoot });
    const message = await withFile(
      new Uint8Array(200_000),
      (path) => api.sendDocument(1, new DiskFile(path, "a.bin")),
    );
    assertEquals(message.message_id, 1);
    assertEquals(received.length, 2);
    assert(received.every((size) => size > 200_000), `bodies ${received}`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("[lib/upload] no answer or no JSON is an HttpError; aborting kills curl", async () => {
  const { promise: never, resolve: release } = Promise.withResolvers<Response>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => never);
  try {
    await withFile(new Uint8Array(1000), async (path) => {
      const abort = new AbortController();
      const api = bareApi(`http://127.0.0.1:${server.addr.port}`);
      const upload = api.sendDocument(1, new DiskFile(path, "a.bin"), {}, abort.signal as never);
      while (curlChildren().length === 0) await new Promise((r) => setTimeout(r, 20));
      abort.abort();
      await assertRejects(() => upload);
      assertEquals(curlChildren(), []);
    });
  } finally {
    release(new Response(null));
    await server.shutdown();
  }
  const refused = await withFile(new Uint8Array(10), (path) =>
    assertRejects(
      () =>
        bareApi(`http://127.0.0.1:${server.addr.port}`).sendDocument(1, new DiskFile(path, "a")),
      /failed/,
    ));
  assert(refused instanceof HttpError, String(refused));
  assert(!refused.message.includes(TOKEN), "the token stays out of error messages");

  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<html>502 Bad Gateway</html>", { status: 502 }),
  );
  try {
    const api = bareApi(`http://127.0.0.1:${proxy.addr.port}`);
    const badGateway = await withFile(
      new Uint8Array(10),
      (path) => assertRejects(() => api.sendDocument(1, new DiskFile(path, "a")), /failed/),
    );
    assert(badGateway instanceof HttpError, "a page that is not JSON is retried like no answer");
  } finally {
    await proxy.shutdown();
  }
});

Deno.test("[lib/upload] curl reads no configuration and no proxy from the environment", async () => {
  assert(await curlAvailable(), "curl is installed by scripts/setup.sh");
  await using telegram = await FakeTelegram.start();
  const user = telegram.user(44, { languageCode: "en" });
  const canary = startTcpCanary();
  const home = await Deno.makeTempDir();
  const savedHome = Deno.env.get("HOME");
  // what an operator's (or an attacker's) ~/.curlrc could say: send everything elsewhere
  await Deno.writeTextFile(`${home}/.curlrc`, `proxy = "http://127.0.0.1:${canary.port}"\n`);
  Deno.env.set("HOME", home);
  try {
    const api = bareApi(telegram.apiRoot, telegram.token);
    const message = await withFile(
      new Uint8Array(1000),
      (path) => api.sendDocument(user.id, new DiskFile(path, "a.bin")),
    );
    assert(message.document, "the upload went straight to the Bot API");
    assertEquals(canary.connections, 0);
  } finally {
    if (savedHome === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", savedHome);
    await Deno.remove(home, { recursive: true });
    await canary.close();
  }
});

Deno.test("[lib/upload] a file sent by path goes through curl too, which waits as long as an upload takes", async () => {
  assert(await curlAvailable(), "curl is installed by scripts/setup.sh");
  const bodies: string[] = [];
  const { promise: never, resolve: release } = Promise.withResolvers<Response>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.text());
    return never;
  });
  try {
    const api = bareApi(`http://127.0.0.1:${server.addr.port}`);
    const calls = [
      (signal: never) => api.sendVideo(1, "file:///shared/job/clip%201.mp4", {}, signal),
      (signal: never) =>
        api.sendMediaGroup(
          1,
          [
            { type: "photo", media: "file:///shared/job/a.jpg" },
            { type: "photo", media: "file:///shared/job/b.jpg" },
          ],
          {},
          signal,
        ),
    ];
    for (const [index, call] of calls.entries()) {
      const abort = new AbortController();
      const sending = call(abort.signal as never);
      while (bodies.length === index) await new Promise((r) => setTimeout(r, 20));
      assertEquals(curlChildren().length, 1, "curl is waiting for the answer");
      abort.abort();
      await assertRejects(() => sending);
    }
    assert(bodies[0].includes("file:///shared/job/clip%201.mp4"), bodies[0]);
    assert(bodies[1].includes('"media":"file:///shared/job/b.jpg"'), bodies[1]);
  } finally {
    release(new Response(null));
    await server.shutdown();
  }
});
