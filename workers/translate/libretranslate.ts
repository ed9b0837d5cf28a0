/** LibreTranslate over HTTP (POST /translate with a list of texts). */
import { z } from "zod";
import { postJson } from "./http.ts";
import { chunked, TranslationError, type Translator } from "../../media/translator.ts";

export interface HttpTranslatorOptions {
  url: string;
  key?: string;
  timeoutMs?: number;
}

const answer = z.object({ translatedText: z.union([z.array(z.string()), z.string()]) });
const TEXTS_PER_REQUEST = 50;

export class LibreTranslateTranslator implements Translator {
  readonly name = "libretranslate";

  constructor(private readonly options: HttpTranslatorOptions) {}

  async translate(
    texts: string[],
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const translated: string[] = [];
    for (const chunk of chunked(texts, TEXTS_PER_REQUEST)) {
      const body = {
        q: chunk,
        source: from,
        target: to,
        format: "text",
        api_key: this.options.key,
      };
      const json = await postJson(`${this.options.url.replace(/\/+$/, "")}/translate`, body, {
        headers: {},
        timeoutMs: this.options.timeoutMs,
        signal,
        service: this.name,
      });
      const parsed = answer.safeParse(json);
      if (!parsed.success) throw new TranslationError("LibreTranslate answered unexpected JSON");
      const { translatedText } = parsed.data;
      translated.push(...(Array.isArray(translatedText) ? translatedText : [translatedText]));
    }
    return translated;
  }
}
