/** Translators behind one interface: real Apertium, LibreTranslate and DeepL against a local fake. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { ApertiumTranslator, findRoute } from "../../workers/translate/apertium.ts";
import { CachedTranslator, KvTranslationCache } from "../../workers/translate/cache.ts";
import { DeepLTranslator } from "../../workers/translate/deepl.ts";
import { detectLanguage, loadLanguageDetection } from "../../media/detect_language.ts";
import { LibreTranslateTranslator } from "../../workers/translate/libretranslate.ts";
import { createTranslator } from "../../workers/translate/mod.ts";
import { noTranslator, translateOrKeep } from "../../media/translator.ts";

const SENTENCE = "The cat is sleeping on the red chair.";

Deno.test("[translate] Apertium turns a known English sentence into Spanish and French", async () => {
  const apertium = new ApertiumTranslator();
  const texts = [SENTENCE, "Tom & Jerry <3 cheese", "I like\nred cars."];
  const spanish = await apertium.translate(texts, "en", "es");
  assertEquals(spanish[0], "El gato está durmiendo en la silla roja.");
  assertMatch(spanish[1], /^Tom & Jerry <3 queso$/);
  assertEquals(spanish.length, 3, "one answer per text, lines kept apart from the next text");
  // no direct English–French pair in Debian: through Spanish
  const french = await apertium.translate(texts, "en", "fr");
  assertMatch(french[0], /^Le chat .*dormir.* chaise rouge\.$/);
  assertMatch(french[1], /fromage/);
  const back = await apertium.translate(["Le chat dort sur la chaise rouge."], "fr", "en");
  assertMatch(back[0], /cat .*red chair/);
});

Deno.test("[translate] routes use a direct pair, else one pivot, else none", () => {
  const modes = ["eng-spa", "spa-eng", "es-fr", "fr-es", "spa-eng_US", "eco-es-fr"];
  assertEquals(findRoute(modes, "en", "es"), ["eng-spa"]);
  assertEquals(findRoute(modes, "en", "fr"), ["eng-spa", "es-fr"]);
  assertEquals(findRoute(modes, "fr", "en"), ["fr-es", "spa-eng"]);
  assertEquals(findRoute(modes, "en", "de"), null);
});

Deno.test("[translate] detection names en, fr and es on sample titles and stays quiet when unsure", async () => {
  await loadLanguageDetection();
  assertEquals(detectLanguage("The best goals of the season"), "en");
  assertEquals(detectLanguage("A day in London with my family"), "en");
  assertEquals(detectLanguage("Les meilleurs buts de la saison"), "fr");
  assertEquals(detectLanguage("Une journée à Paris"), "fr");
  assertEquals(detectLanguage("Cómo hacer pan de masa madre en casa"), "es");
  assertEquals(detectLanguage("Los mejores goles de la temporada"), "es");
  assertEquals(detectLanguage("Lab clip"), undefined, "too short to tell");
  assertEquals(detectLanguage('Lab clip <b>&</b> "quotes"'), undefined, "a near tie");
});

interface FakeCall {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A loopback stand-in for LibreTranslate and DeepL: "[fr] text" for each text, or a failure. */
function startFakeTranslationServer(options: { failWith?: number } = {}) {
  const calls: FakeCall[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    const path = new URL(req.url).pathname;
    calls.push({ path, headers: req.headers, body });
    if (options.failWith) return new Response("overloaded", { status: options.failWith });
    if (path === "/translate") {
      const q = body.q as string[];
      return Response.json({ translatedText: q.map((t) => `[${body.target}] ${t}`) });
    }
    if (path === "/v2/translate") {
      const text = body.text as string[];
      return Response.json({
        translations: text.map((t) => ({
          detected_source_language: "EN",
          text: `[${body.target_lang}] ${t}`,
        })),
      });
    }
    return new Response("not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    close: () => server.shutdown(),
  };
}

Deno.test("[translate] LibreTranslate and DeepL send the texts and read the answers", async () => {
  const fake = startFakeTranslationServer();
  try {
    const libre = new LibreTranslateTranslator({ url: `${fake.url}/`, key: "libre-key" });
    assertEquals(await libre.translate(["one", "two"], "en", "fr"), ["[fr] one", "[fr] two"]);
    assertEquals(fake.calls[0].path, "/translate");
    assertEquals(fake.calls[0].body, {
      q: ["one", "two"],
      source: "en",
      target: "fr",
      format: "text",
      api_key: "libre-key",
    });

    const deepl = new DeepLTranslator({ key: "secret:fx", url: fake.url });
    const many = Array.from({ length: 60 }, (_, i) => `text ${i}`);
    const translated = await deepl.translate(many, "fr", "en");
    assertEquals(translated.length, 60);
    assertEquals(translated[59], "[EN-US] text 59");
    const deeplCalls = fake.calls.filter((c) => c.path === "/v2/translate");
    assertEquals(deeplCalls.length, 2, "DeepL takes 50 texts per request");
    assertEquals(deeplCalls[0].headers.get("authorization"), "DeepL-Auth-Key secret:fx");
    assertEquals(deeplCalls[0].body.source_lang, "FR");

    // TRANSLATOR picks the implementation
    const chosen = createTranslator({ translator: "libretranslate", translatorUrl: fake.url });
    assertEquals(chosen.name, "libretranslate");
  } finally {
    await fake.close();
  }
});

Deno.test("[translate] a failing translator keeps the original text and says so", async () => {
  const fake = startFakeTranslationServer({ failWith: 503 });
  try {
    const texts = ["Hello", "Goodbye"];
    for (
      const translator of [
        new LibreTranslateTranslator({ url: fake.url }),
        new DeepLTranslator({ key: "k", url: fake.url }),
        new LibreTranslateTranslator({ url: "http://127.0.0.1:9", timeoutMs: 2_000 }),
        noTranslator,
        new ApertiumTranslator(), // no English–German pair installed
      ]
    ) {
      const target = translator instanceof ApertiumTranslator ? "de" : "fr";
      const outcome = await translateOrKeep(translator, texts, "en", target);
      assertEquals(outcome, { texts, translated: false }, translator.name);
    }
    const same = await translateOrKeep(noTranslator, texts, "en-US", "en");
    assertEquals(same, { texts, translated: true }, "nothing to do within one language");
  } finally {
    await fake.close();
  }
});

Deno.test("[translate] translations are cached in KV: asked again, the service is not", async () => {
  const fake = startFakeTranslationServer();
  const kv = await Deno.openKv(":memory:");
  try {
    const libre = new LibreTranslateTranslator({ url: fake.url });
    const cached = new CachedTranslator(libre, new KvTranslationCache(kv));
    const first = await cached.translate(["a", "b", "a"], "en", "fr");
    assertEquals(first, ["[fr] a", "[fr] b", "[fr] a"]);
    assertEquals(fake.calls.length, 1);
    assertEquals(fake.calls[0].body.q, ["a", "b"], "each distinct text once");
    const second = await cached.translate(["b", "c", "a"], "en", "fr");
    assertEquals(second, ["[fr] b", "[fr] c", "[fr] a"]);
    assertEquals(fake.calls.length, 2);
    assertEquals(fake.calls[1].body.q, ["c"], "only what was never translated");
    await cached.translate(["a"], "en", "es");
    assert(fake.calls.length === 3, "another language pair is another entry");
  } finally {
    kv.close();
    await fake.close();
  }
});
