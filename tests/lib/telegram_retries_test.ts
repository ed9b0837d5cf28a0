/** What lib/telegram.ts's client sends again when a call fails on the network, and what not. */
import { HttpError } from "grammy";
import { delay } from "es-toolkit/promise";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { DiskFile } from "../../lib/curl_upload.ts";

const clientOf = (telegram: FakeTelegram) =>
  createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot });

Deno.test("[lib/telegram] a message or a file whose answer was lost on the way is not sent again: it arrives once", async () => {
  await using telegram = await FakeTelegram.start();
  const api = clientOf(telegram);
  const chat = telegram.user(11).id;
  telegram.dropAnswerOfNext("sendMessage");
  const lost = await assertRejects(() => api.sendMessage(chat, "once"));
  assert(lost instanceof HttpError, String(lost));
  // through curl, as every file on disk goes
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/clip.bin`, "clip");
    telegram.dropAnswerOfNext("sendDocument");
    await assertRejects(() => api.sendDocument(chat, new DiskFile(`${dir}/clip.bin`, "clip.bin")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(telegram.callsTo("sendMessage").length, 1);
  assertEquals(telegram.callsTo("sendDocument").length, 1);
  assertEquals(
    telegram.messages(chat).map((message) => message.text ?? message.message.document?.file_name),
    ["once", "clip.bin"],
  );
});

Deno.test("[lib/telegram] a call that does the same twice, whose answer was lost, is made again and answered", async () => {
  await using telegram = await FakeTelegram.start();
  const api = clientOf(telegram);
  telegram.dropAnswerOfNext("getMe");
  assertEquals((await api.getMe()).username, telegram.botInfo.username);
  assertEquals(telegram.callsTo("getMe").length, 2);
});

Deno.test("[lib/telegram] a message or a file whose connection was refused is sent once the server answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/clip.bin`, "clip");
  const received: string[] = [];
  const api = createTelegramApi({
    botToken: "123:refused",
    telegramApiRoot: `http://127.0.0.1:${port}`,
  });
  // by fetch, and by curl
  const sending = Promise.all([
    api.sendMessage(1, "after the outage"),
    api.sendDocument(1, new DiskFile(`${dir}/clip.bin`, "clip.bin")),
  ]);
  // nothing listens yet: the first attempts are refused before any byte is sent
  await delay(300);
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
    await req.arrayBuffer();
    received.push(new URL(req.url).pathname.split("/").at(-1)!);
    return Response.json({
      ok: true,
      result: { message_id: received.length, date: 0, chat: { id: 1, type: "private" } },
    });
  });
  try {
    await sending;
    assertEquals(received.toSorted(), ["sendDocument", "sendMessage"]);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
