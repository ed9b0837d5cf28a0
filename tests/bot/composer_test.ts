import { Composer, Context } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FeatureComposer } from "../../bot/composer.ts";

const me = { id: 1, is_bot: true, first_name: "Bot", username: "bot" } as UserFromGetMe;

function message(text: string): Context {
  const entities = text.startsWith("/")
    ? [{ type: "bot_command" as const, offset: 0, length: text.split(" ")[0].length }]
    : undefined;
  const update: Update = {
    update_id: 1,
    message: {
      message_id: 1,
      date: 0,
      chat: { id: 7, type: "private", first_name: "A" },
      from: { id: 7, is_bot: false, first_name: "A" },
      text,
      entities,
    },
  };
  return new Context(update, undefined as never, me);
}

function callback(data: string): Context {
  const update: Update = {
    update_id: 2,
    callback_query: {
      id: "q",
      chat_instance: "c",
      from: { id: 7, is_bot: false, first_name: "A" },
      data,
    },
  };
  return new Context(update, undefined as never, me);
}

/** Runs the same composition built on grammY's Composer and on FeatureComposer. */
async function bothWays(
  build: (composer: Composer<Context>, log: string[]) => void,
  ctx: () => Context,
): Promise<string[][]> {
  const results: string[][] = [];
  for (const Kind of [Composer, FeatureComposer]) {
    const log: string[] = [];
    const composer = new Kind<Context>();
    build(composer, log);
    await composer.middleware()(ctx(), () => {
      log.push("after all");
      return Promise.resolve();
    });
    results.push(log);
  }
  return results;
}

Deno.test("[bot/composer] runs what grammY runs, in grammY's order", async () => {
  const build = (composer: Composer<Context>, log: string[]) => {
    composer.use(async (_ctx, next) => {
      log.push("outer before");
      await next();
      log.push("outer after");
    });
    composer.command("start", async (ctx, next) => {
      log.push(`start ${ctx.match}`);
      if (ctx.match) return;
      await next();
    });
    const nested = new (composer.constructor as typeof Composer<Context>)();
    nested.callbackQuery(/^menu:(.+)$/, (ctx) => {
      log.push(`menu ${ctx.match[1]}`);
    });
    nested.on("message:text", (_ctx, next) => {
      log.push("text, sync, passes on");
      return next();
    });
    composer.use(nested);
    composer.filter(async (ctx) => {
      await Promise.resolve();
      return ctx.from?.id === 7;
    }, (_ctx, next) => {
      log.push("async filter");
      return next();
    });
    composer.chatType("private").on("message", () => {
      log.push("private message");
    });
  };
  for (const ctx of [() => message("/start"), () => message("/start ref_1")]) {
    const [grammy, ours] = await bothWays(build, ctx);
    assertEquals(ours, grammy);
  }
  const [grammy, ours] = await bothWays(build, () => callback("menu:help"));
  assertEquals(ours, grammy);
  assertEquals(ours, ["outer before", "menu help", "outer after"]);
  const [grammyText, oursText] = await bothWays(build, () => message("hello"));
  assertEquals(oursText, grammyText);
  assertEquals(oursText, [
    "outer before",
    "text, sync, passes on",
    "async filter",
    "private message",
    "outer after",
  ]);
});

Deno.test("[bot/composer] errors reach the caller; next may be called once", async () => {
  const failing = new FeatureComposer<Context>();
  failing.command("start", () => {
    throw new Error("boom");
  });
  await assertRejects(
    async () => await failing.middleware()(message("/start"), () => Promise.resolve()),
    /boom/,
  );
  const twice = new FeatureComposer<Context>();
  twice.use(async (_ctx, next) => {
    await next();
    await next();
  });
  let reachedEnd = 0;
  await assertRejects(
    async () =>
      await twice.middleware()(message("x"), () => {
        reachedEnd++;
        return Promise.resolve();
      }),
    /already called/,
  );
  assert(reachedEnd === 1, "the rest of the chain ran once");
});
