/**
 * The offline translator: Apertium's command line with Debian's language pairs. Pairs that
 * Debian lacks (English↔French) go through a pivot language (Spanish) in two steps.
 */
import { join } from "node:path";
import { runProcess } from "../process.ts";
import { TranslationError, type Translator } from "../../media/translator.ts";

export interface ApertiumOptions {
  apertiumPath?: string;
  timeoutMs?: number;
}

/** Apertium names modes with ISO 639-3 or 639-1 codes ("eng-spa", "es-fr"); we speak 639-1. */
const ISO_639_3: Record<string, string> = {
  afr: "af",
  arg: "an",
  bel: "be",
  bul: "bg",
  cat: "ca",
  dan: "da",
  deu: "de",
  eng: "en",
  epo: "eo",
  eus: "eu",
  fra: "fr",
  glg: "gl",
  isl: "is",
  ita: "it",
  mkd: "mk",
  nld: "nl",
  nno: "nn",
  nob: "nb",
  oci: "oc",
  pol: "pl",
  por: "pt",
  rus: "ru",
  spa: "es",
  swe: "sv",
  ukr: "uk",
};
const MODE_NAME = /^([a-z]{2,3})-([a-z]{2,3})$/;

/** One mode per step: a direct pair, or two through a shared language. */
export type ApertiumRoute = string[];

/** Finds the shortest chain of installed modes (at most two) from one language to another. */
export function findRoute(
  modes: readonly string[],
  from: string,
  to: string,
): ApertiumRoute | null {
  const edges = modes.flatMap((mode) => {
    const match = mode.match(MODE_NAME);
    if (!match) return [];
    return [{ mode, from: ISO_639_3[match[1]] ?? match[1], to: ISO_639_3[match[2]] ?? match[2] }];
  });
  const direct = edges.find((e) => e.from === from && e.to === to);
  if (direct) return [direct.mode];
  for (const first of edges.filter((e) => e.from === from)) {
    const second = edges.find((e) => e.from === first.to && e.to === to);
    if (second) return [first.mode, second.mode];
  }
  return null;
}

export class ApertiumTranslator implements Translator {
  readonly name = "apertium";
  readonly #path: string;
  readonly #timeoutMs: number;
  #modes?: Promise<string[]>;

  constructor(options: ApertiumOptions = {}) {
    this.#path = options.apertiumPath ?? "apertium";
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** The installed translation directions, read once (`apertium -l`). */
  modes(signal?: AbortSignal): Promise<string[]> {
    this.#modes ??= runProcess(this.#path, ["-l"], { timeoutMs: 10_000, signal })
      .then((result) => {
        if (result.code !== 0) throw new TranslationError("apertium -l failed");
        return result.stdout.split("\n").map((line) => line.trim()).filter(Boolean);
      });
    this.#modes.catch(() => this.#modes = undefined);
    return this.#modes;
  }

  async translate(
    texts: string[],
    from: string,
    to: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    if (texts.length === 0) return [];
    const route = findRoute(await this.modes(signal), from, to);
    if (!route) throw new TranslationError(`Apertium has no pair for ${from} → ${to}`);
    const dir = await Deno.makeTempDir({ prefix: "apertium-" });
    try {
      // HTML paragraphs keep the texts apart: plain text lets a sentence run across lines
      let document = texts.map((text) => `<p>${escapeHtml(text)}</p>`).join("\n");
      for (const [step, mode] of route.entries()) {
        const input = join(dir, `step${step}.html`);
        await Deno.writeTextFile(input, document);
        const result = await runProcess(this.#path, ["-u", "-f", "html", mode, input], {
          timeoutMs: this.#timeoutMs,
          signal,
        });
        if (result.code !== 0) {
          throw new TranslationError(`apertium ${mode} failed: ${result.stderrTail.trim()}`);
        }
        document = result.stdout;
      }
      const paragraphs = [...document.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => m[1]);
      if (paragraphs.length !== texts.length) {
        throw new TranslationError(
          `apertium returned ${paragraphs.length} paragraphs for ${texts.length} texts`,
        );
      }
      return paragraphs.map((paragraph) => unescapeHtml(paragraph).trim());
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;");
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, body: string) => {
    if (body.startsWith("#")) return String.fromCodePoint(Number(body.slice(1)));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[body]!;
  });
}
