import { assertEquals } from "../support/assert.ts";
import { createI18n, Translations } from "../../i18n/translations.ts";

const ROOT = new URL("../../", import.meta.url);

async function keysOf(locale: string): Promise<Set<string>> {
  const source = await Deno.readTextFile(new URL(`locales/${locale}.ftl`, ROOT));
  return new Set([...source.matchAll(/^([a-z][\w-]*)\s*=/gm)].map((m) => m[1]));
}

/** The production code (no tests, benchmarks or scripts), where a key counts as used. */
async function productionCode(): Promise<string> {
  const texts: string[] = [];
  const walk = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".")) continue;
      const url = new URL(entry.isDirectory ? `${entry.name}/` : entry.name, dir);
      const path = url.pathname.slice(ROOT.pathname.length);
      if (/^(tests|bench|scripts|data|node_modules)\//.test(path)) continue;
      if (entry.isDirectory) await walk(url);
      else if (/\.tsx?$/.test(entry.name)) texts.push(await Deno.readTextFile(url));
    }
  };
  await walk(ROOT);
  return texts.join("\n");
}

/**
 * Keys the code builds from a value (`achievement-${id}-name`…): each family's prefix. The code's
 * own template literals must name exactly these, so a new family is declared here on purpose.
 */
const KEY_FAMILIES = [
  "achievement-",
  "admin-exp-error-",
  "admin-exp-status-",
  "batch-reason-",
  "button-compress-",
  "history-filter-",
  "playlist-button-role-",
  "playlist-choose-",
  "playlist-role-",
  "progress-",
  "schedule-every-",
  "schedule-repeat-",
  "settings-send-",
];

Deno.test("[locales] French and English define the same keys", async () => {
  const en = await keysOf("en");
  const fr = await keysOf("fr");
  assertEquals([...en].filter((k) => !fr.has(k)), [], "missing in fr.ftl");
  assertEquals([...fr].filter((k) => !en.has(k)), [], "missing in en.ftl");
});

Deno.test("[locales] the code uses every key, and asks for none that is missing", async () => {
  const en = await keysOf("en");
  const code = await productionCode();
  const quoted = new Set([...code.matchAll(/["'`]([a-z][\w-]*)["'`]/g)].map((m) => m[1]));
  const families = [...new Set([...code.matchAll(/`([a-z][\w-]*-)\$\{/g)].map((m) => m[1]))]
    .filter((prefix) => [...en].some((key) => key.startsWith(prefix)));
  assertEquals(families.sort(), KEY_FAMILIES, "the key families the code builds");
  const unused = [...en].filter((key) =>
    !quoted.has(key) && !KEY_FAMILIES.some((prefix) => key.startsWith(prefix))
  );
  assertEquals(unused, [], "keys nothing asks for");
  const asked = [...code.matchAll(/\bt\(\s*["']([a-z][\w-]*)["']/g)].map((m) => m[1]);
  assertEquals([...new Set(asked)].filter((key) => !en.has(key)), [], "keys asked for, missing");
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

Deno.test("[locales] every locale file is read without errors (a message defined twice), and a broken one is named", async () => {
  (await createI18n()).parseAll();
  const broken = new Translations();
  broken.add("en", "hello = Hello\n");
  broken.add("fr", "hello = Bonjour\nhello = Salut\n");
  assertEquals(broken.t("en", "hello"), "Hello", "English parses alone, French not yet");
  let error: unknown;
  try {
    broken.parseAll();
  } catch (e) {
    error = e;
  }
  assertEquals(String(error).includes("locales/fr.ftl"), true, String(error));
});
