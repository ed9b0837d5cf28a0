/**
 * Which language a title or description is in (eld's n-gram detector), or undefined when unsure.
 * eld's tables take a large share of a cold start and about 60 MB: they are loaded on first need
 * (`loadLanguageDetection`), not when the app starts.
 */
import type { eld as Eld } from "eld/small";

/** Languages people send links in; a smaller set also means fewer near-ties on short titles. */
const CANDIDATES = (
  "ar bg ca cs da de el en es fi fr he hi hu id it ja ko nl no pl pt ro ru sv th tr uk vi zh"
).split(" ");
/** eld scores run from 0 to 1; below this, or this close to the runner-up, a title is a guess */
const MIN_SCORE = 0.7;
const MIN_MARGIN = 0.03;
const MIN_LETTERS = 10;

let detector: ReturnType<typeof Eld.newInstance> | undefined;
let loading: Promise<void> | undefined;

/** Loads the detector once; detectLanguage and contentLanguage need it loaded. */
export function loadLanguageDetection(): Promise<void> {
  loading ??= import("eld/small").then(({ eld }) => {
    const loaded = eld.newInstance();
    loaded.setLanguageSubset(CANDIDATES);
    detector = loaded;
  });
  return loading;
}

export function detectLanguage(text: string): string | undefined {
  if (!detector) throw new Error("language detection is not loaded: await loadLanguageDetection()");
  const clean = text
    .replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/[@#]\w+/g, " ");
  if ((clean.match(/\p{L}/gu)?.length ?? 0) < MIN_LETTERS) return undefined;
  const result = detector.detect(clean);
  if (!result.language || !result.isReliable()) return undefined;
  const [best, second] = Object.values(result.getScores()).sort((a, b) => b - a);
  if (best < MIN_SCORE || best - (second ?? 0) < MIN_MARGIN) return undefined;
  return result.language;
}

/** The language of a media, read from its title and the start of its description. */
export function contentLanguage(title: string, description?: string): string | undefined {
  return detectLanguage(description ? `${title}\n${description}` : title);
}
