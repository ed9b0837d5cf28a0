/** DeepL's API v2 (POST /v2/translate); free keys (ending ":fx") use the free endpoint. */
import { z } from "zod";
import { postJson } from "./http.ts";
import { chunked, TranslationError, type Translator } from "../../media/translator.ts";

export interface DeepLOptions {
  key: string;
  /** the API's base URL; by default chosen from the key */
  url?: string;
  timeoutMs?: number;
}

const answer = z.object({ translations: z.array(z.object({ text: z.string() })) });
/** DeepL takes at most 50 texts per request */
const TEXTS_PER_REQUEST = 50;
/** DeepL wants a variant for these target languages */
const TARGET_VARIANTS: Record<string, string> = { en: "EN-US", pt: "PT-PT" };

function deeplBaseUrl(key: string): string {
  return key.endsWith(":fx") ? "https://api-free.deepl.com" : "https://api.deepl.com";
}

export class DeepLTranslator implements Translator {
  readonly name = "deepl";

  constructor(private readonly options: DeepLOptions) {}

  async translate(
    texts: string[],
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const base = (this.options.url ?? deeplBaseUrl(this.options.key)).replace(/\/+$/, "");
    const translated: string[] = [];
    for (const chunk of chunked(texts, TEXTS_PER_REQUEST)) {
      const body = {
        text: chunk,
        source_lang: from.toUpperCase(),
        target_lang: TARGET_VARIANTS[to] ?? to.toUpperCase(),
      };
      const json = await postJson(`${base}/v2/translate`, body, {
        headers: { authorization: `DeepL-Auth-Key ${this.options.key}` },
        timeoutMs: this.options.timeoutMs,
        signal,
        service: this.name,
      });
      const parsed = answer.safeParse(json);
      if (!parsed.success) throw new TranslationError("DeepL answered unexpected JSON");
      translated.push(...parsed.data.translations.map((t) => t.text));
    }
    return translated;
  }
}
