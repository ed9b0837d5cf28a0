import { assertEquals } from "../support/assert.ts";

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
