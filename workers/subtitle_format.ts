/** WebVTT and SubRip: read either into cues, write SubRip (what Telegram users' players open). */

export interface Cue {
  startMs: number;
  endMs: number;
  /** one or more lines; only <b>, <i> and <u> remain as markup */
  text: string;
}

export class SubtitleFormatError extends Error {
  override name = "SubtitleFormatError";
}

export interface ParseOptions {
  /**
   * Automatic captions roll: each cue repeats the line before it. Dropping a line that the
   * previous cue ended with turns them into plain subtitles.
   */
  rolling?: boolean;
}

const VTT_TIMESTAMP = /(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})/;
const TIMING_LINE = new RegExp(
  `^\\s*${VTT_TIMESTAMP.source}\\s*-->\\s*${VTT_TIMESTAMP.source}`,
);
const INLINE_TIMESTAMP = /<\d+(?::\d{2}){1,2}[.,]\d{1,3}>/g;
/**
 * WebVTT's and SubRip's own tags; <b>, <i>, <u> (even with classes, <i.loud>) stay as plain tags,
 * the others go. Anything else in angle brackets is text.
 */
const TAG = /<\/?(b|i|u|c|v|lang|ruby|rt|font|span)(?:\.[\w.-]*)?(?:\s[^>]*)?>/gi;
const KEPT_TAGS = new Set(["b", "i", "u"]);
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  lrm: "\u200e",
  rlm: "\u200f",
};

/** Reads WebVTT or SubRip, whichever the text is. */
export function parseSubtitles(text: string, options: ParseOptions = {}): Cue[] {
  const clean = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  return /^WEBVTT(?:[ \t\n]|$)/.test(clean)
    ? parseWebVtt(clean, options)
    : parseSrt(clean, options);
}

export function parseWebVtt(text: string, options: ParseOptions = {}): Cue[] {
  const clean = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!/^WEBVTT(?:[ \t\n]|$)/.test(clean)) {
    throw new SubtitleFormatError("not a WebVTT file: it does not start with WEBVTT");
  }
  const blocks = clean.split(/\n{2,}/).slice(1);
  const cues = blocks
    .filter((block) => !/^(NOTE|STYLE|REGION)(?:[ \t\n]|$)/.test(block.trimStart()))
    .flatMap((block) => readCueBlock(block));
  return finish(cues, options);
}

function parseSrt(text: string, options: ParseOptions = {}): Cue[] {
  const clean = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").trim();
  if (!clean) return [];
  const cues = clean.split(/\n{2,}/).flatMap((block) => readCueBlock(block));
  if (cues.length === 0) throw new SubtitleFormatError("no cue found: this is not SubRip");
  return finish(cues, options);
}

/** A block is: an optional identifier, the timing line, then the text. */
function readCueBlock(block: string): Cue[] {
  const lines = block.split("\n");
  const timingAt = lines.findIndex((line) => line.includes("-->"));
  if (timingAt < 0) return [];
  const timing = lines[timingAt].match(TIMING_LINE);
  if (!timing) return [];
  const startMs = toMs(timing.slice(1, 5));
  const endMs = toMs(timing.slice(5, 9));
  const text = cleanText(lines.slice(timingAt + 1).join("\n"));
  return [{ startMs, endMs, text }];
}

function toMs([hours, minutes, seconds, fraction]: (string | undefined)[]): number {
  const ms = Number((fraction ?? "0").padEnd(3, "0"));
  return ((Number(hours ?? 0) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + ms;
}

function cleanText(text: string): string {
  const withoutTags = text
    .replace(INLINE_TIMESTAMP, "")
    .replace(TAG, (tag, name: string) => {
      const lower = name.toLowerCase();
      if (!KEPT_TAGS.has(lower)) return "";
      return tag.startsWith("</") ? `</${lower}>` : `<${lower}>`;
    });
  return decodeEntities(withoutTags)
    .split("\n")
    .map((line) => line.replace(/[ \t]+/g, " ").trim())
    .filter((line) => line.length > 0)
    .join("\n");
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X"
        ? parseInt(body.slice(2), 16)
        : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/** Drops empty and backwards cues, orders by start, and unrolls automatic captions. */
function finish(cues: Cue[], options: ParseOptions): Cue[] {
  const ordered = cues
    .filter((cue) => cue.endMs > cue.startMs && cue.text.length > 0)
    .sort((a, b) => a.startMs - b.startMs);
  if (!options.rolling) return ordered;
  const unrolled: Cue[] = [];
  let previousLines: string[] = [];
  for (const cue of ordered) {
    const lines = cue.text.split("\n");
    const fresh = lines.filter((line) => !previousLines.includes(line));
    previousLines = lines;
    if (fresh.length > 0) unrolled.push({ ...cue, text: fresh.join("\n") });
  }
  return unrolled;
}

/** 3_723_004 → "01:02:03,004" */
export function formatSrtTimestamp(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  const millis = total % 1000;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(hours)}:${two(minutes)}:${two(seconds)},${String(millis).padStart(3, "0")}`;
}

/** SubRip: numbered cues, "HH:MM:SS,mmm --> HH:MM:SS,mmm", text without blank lines. */
export function formatSrt(cues: readonly Cue[]): string {
  return cues.map((cue, i) => {
    const text = cue.text.split("\n").filter((line) => line.trim().length > 0).join("\n");
    const timing = `${formatSrtTimestamp(cue.startMs)} --> ${formatSrtTimestamp(cue.endMs)}`;
    return `${i + 1}\n${timing}\n${text || " "}\n`;
  }).join("\n");
}
