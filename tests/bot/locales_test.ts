import { assertEquals } from "../support/assert.ts";
import { Translations } from "../../i18n/translations.ts";

async function keysOf(locale: string): Promise<Set<string>> {
  const source = await Deno.readTextFile(new URL(`../../locales/${locale}.ftl`, import.meta.url));
  return new Set([...source.matchAll(/^([a-z][\w-]*)\s*=/gm)].map((m) => m[1]));
}

Deno.test("[locales] French and English define the same keys", async () => {
  const en = await keysOf("en");
  const fr = await keysOf("fr");
  assertEquals([...en].filter((k) => !fr.has(k)), [], "missing in fr.ftl");
  assertEquals([...fr].filter((k) => !en.has(k)), [], "missing in en.ftl");
});

Deno.test("[bot/i18n] a message is the same formatted once or every time, in each locale", () => {
  const i18n = new Translations();
  i18n.add("en", "hello = Hello\nbye = Bye { $name }\n");
  i18n.add("fr", "hello = Bonjour\n");
  for (let round = 0; round < 2; round++) {
    assertEquals(i18n.t("en", "hello"), "Hello");
    assertEquals(i18n.t("fr", "hello"), "Bonjour");
    assertEquals(i18n.t("fr", "bye", { name: "Ada" }), "Bye Ada", "French lacks it: English");
    assertEquals(i18n.t("de", "hello"), "Hello", "a locale without a bundle reads English");
    assertEquals(i18n.t("en", "nothing"), "nothing");
  }
  // a bundle added later replaces what was formatted before
  i18n.add("fr", "hello = Salut\n");
  assertEquals(i18n.t("fr", "hello"), "Salut");
});
