import { Bot } from "grammy";
import { Hono } from "hono";
import type { UserFromGetMe } from "grammy/types";
import { assert, assertEquals } from "../support/assert.ts";
import { telegramRoutes, WEBHOOK_PATH } from "../../routes/telegram.ts";
import type { BotContext } from "../../bot/context.ts";
import { createI18n } from "../../i18n/translations.ts";
import { limitBodies } from "../../lib/body_limit.ts";
import { requestBodyLimits } from "../../routes/mod.ts";

const botInfo = { id: 1, is_bot: true, first_name: "Bot", username: "bot" } as UserFromGetMe;

/** A message update from chat 7, as JSON. */
function messageUpdate(updateId: number, text: string): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: 7, type: "private", first_name: "A" },
      from: { id: 7, is_bot: false, first_name: "A" },
      text,
    },
  });
}

function post(app: ReturnType<typeof telegramRoutes>, updateId: number) {
  return app.request(WEBHOOK_PATH, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "s3cret" },
    body: messageUpdate(updateId, "slow"),
  });
}

Deno.test("[routes/telegram] a slow update is answered once Telegram's wait is over, and still handled", async () => {
  const bot = new Bot<BotContext>("1:token", { botInfo });
  const gates = new Map<number, PromiseWithResolvers<void>>();
  const handled: number[] = [];
  bot.on("message", async (ctx) => {
    const gate = Promise.withResolvers<void>();
    gates.set(ctx.update.update_id, gate);
    await gate.promise;
    handled.push(ctx.update.update_id);
  });
  const app = telegramRoutes(bot, "s3cret", { answerWaitMs: 200 });
  const started = performance.now();
  const [first, second] = await Promise.all([post(app, 1), post(app, 2)]);
  const waited = performance.now() - started;
  assertEquals([first.status, second.status], [200, 200]);
  assertEquals([await first.text(), await second.text()], ["", ""]);
  assert(waited >= 200, `answered after ${waited.toFixed(0)} ms, before the wait was over`);
  assertEquals(handled, [], "the handlers are still running");
  gates.get(2)!.resolve();
  gates.get(1)!.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(handled.sort(), [1, 2]);
  // a quick update is answered as soon as it is handled, not at the deadline; the test's
  // sanitizer would see a sweeping interval left running
  const patient = telegramRoutes(bot, "s3cret", { answerWaitMs: 60_000 });
  const quick = performance.now();
  const third = post(patient, 3);
  while (!gates.has(3)) await new Promise((resolve) => setTimeout(resolve, 1));
  gates.get(3)!.resolve();
  assertEquals((await third).status, 200);
  assert(performance.now() - quick < 30_000, "answered when handled");
});

Deno.test("[routes/telegram] an update over 1 MiB is refused, whether its length is declared or streamed", async () => {
  const bot = new Bot<BotContext>("1:token", { botInfo });
  const seen: number[] = [];
  bot.on("message", (ctx) => {
    seen.push(ctx.update.update_id);
  });
  // the app's body limits wrap every route (routes/mod.ts)
  const app = new Hono()
    .use(limitBodies(requestBodyLimits(await createI18n())))
    .route("/", telegramRoutes(bot, "s3cret"));
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    app.fetch,
  );
  const update = (id: number, padding: number) => messageUpdate(id, "x".repeat(padding));
  const streamed = (body: string) => new Blob([body]).stream().pipeThrough(new TransformStream());
  const send = async (body: string | ReadableStream<Uint8Array>) => {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}${WEBHOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "s3cret" },
      body,
    });
    await response.body?.cancel();
    return response.status;
  };
  const big = 1024 * 1024 + 1;
  assertEquals(await send(update(1, 100)), 200, "declared, small");
  assertEquals(await send(update(2, big)), 413, "declared, too large");
  assertEquals(await send(streamed(update(3, 100))), 200, "streamed, small");
  assertEquals(await send(streamed(update(4, big))), 413, "streamed, too large");
  assertEquals(seen, [1, 3]);
});
