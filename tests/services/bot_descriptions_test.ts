/**
 * The bot's descriptions come from the locale files and are set with Telegram only when they
 * changed: an app that starts again over the same KV sets nothing.
 */
import { Api } from "grammy";
import { assertEquals, assertRejects } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startTestSystem } from "../support/system.ts";
import { createI18n } from "../../i18n/translations.ts";
import { botDescriptions, syncBotDescriptions } from "../../services/bot_descriptions.ts";

const i18n = await createI18n();

function descriptionCalls(telegram: FakeTelegram) {
  return telegram.calls.filter((c) => /^setMy(Short)?Description$/.test(c.method)).length;
}

Deno.test("[services/bot_descriptions] English by default, French for fr, from the locale files", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  assertEquals(await syncBotDescriptions({ api, kv, i18n }, 1), true);
  const [english, , french] = botDescriptions(i18n);
  assertEquals((await api.getMyDescription()).description, english.description);
  assertEquals(
    (await api.getMyShortDescription({ language_code: "de" })).short_description,
    english.shortDescription,
  );
  assertEquals(
    (await api.getMyDescription({ language_code: "fr" })).description,
    french.description,
  );
  assertEquals(
    (await api.getMyShortDescription({ language_code: "fr" })).short_description,
    french.shortDescription,
  );
  assertEquals(french.description, i18n.t("fr", "bot-description"));

  // unchanged: nothing set; another bot on the same KV: set for it
  const calls = descriptionCalls(telegram);
  assertEquals(await syncBotDescriptions({ api, kv, i18n }, 1), false);
  assertEquals(descriptionCalls(telegram), calls);
  assertEquals(await syncBotDescriptions({ api, kv, i18n }, 2), true);
});

Deno.test("[services/bot_descriptions] a failure midway is retried by the next call", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  let failFrench = true;
  api.config.use((prev, method, payload, signal) => {
    const french = (payload as { language_code?: string }).language_code === "fr";
    if (failFrench && french && method === "setMyShortDescription") {
      throw new Error("connection reset");
    }
    return prev(method, payload, signal);
  });
  await assertRejects(() => syncBotDescriptions({ api, kv, i18n }, 1));
  failFrench = false;
  assertEquals(await syncBotDescriptions({ api, kv, i18n }, 1), true);
  assertEquals(
    (await api.getMyShortDescription({ language_code: "fr" })).short_description,
    i18n.t("fr", "bot-short-description"),
  );
});

Deno.test("[services/bot_descriptions] the app sets them on its first start only", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const first = await startTestSystem({ WORKERS: "0" }, { telegram, kv });
  await first.close();
  const set = descriptionCalls(telegram);
  assertEquals(set, 6, "description and short description: default, en, fr");
  const second = await startTestSystem({ WORKERS: "0" }, { telegram, kv });
  await second.close();
  assertEquals(descriptionCalls(telegram), set, "a restart sets nothing");
});
