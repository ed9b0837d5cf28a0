/**
 * When a scheduled download runs, in the user's words: "20:00", "demain 8h", "in 2 hours",
 * "tomorrow at 7pm", "2026-12-01 18:30", with "every day" or "chaque semaine" for a repetition.
 * chrono-node reads the words. It applies the offset of the moment of parsing to every result,
 * which is an hour off across a DST change, so wall-clock results are placed in the time zone here.
 * chrono-node weighs on a cold start and only /schedule reads it: `loadWhenParser` loads it first.
 */
import type * as Chrono from "chrono-node";
import { zonedAt } from "./time.ts";

export type Repeat = "daily" | "weekly";

export type WhenRefusal = "unparsed" | "past" | "too_far";

export type ParsedWhen =
  | { ok: true; at: number; repeat?: Repeat }
  | { ok: false; reason: WhenRefusal };

export interface WhenOptions {
  /** the user's language, tried first when both read the same amount of text */
  locale: string;
  timezone: string;
  now: number;
  /** how far ahead a time may be */
  horizonMs: number;
}

const WEEKDAYS_EN = "(?:mon|tues|wednes|thurs|fri|satur|sun)day";
const WEEKDAYS_FR = "(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?";

/** Repetition words, removed before chrono reads the rest (a named weekday stays). */
const REPEATS: { pattern: RegExp; repeat: Repeat; keep?: boolean }[] = [
  { pattern: /\b(?:every\s*day|daily|each\s+day)\b/i, repeat: "daily" },
  { pattern: /\b(?:every\s*week|weekly|each\s+week)\b/i, repeat: "weekly" },
  { pattern: new RegExp(`\\b(?:every|each)\\s+(?=${WEEKDAYS_EN}\\b)`, "i"), repeat: "weekly" },
  { pattern: /(?:tous\s+les\s+jours|chaque\s+jour|quotidiennement)/i, repeat: "daily" },
  { pattern: /(?:toutes\s+les\s+semaines|chaque\s+semaine|hebdomadairement)/i, repeat: "weekly" },
  {
    pattern: new RegExp(`(?:tous\\s+les|chaque)\\s+${WEEKDAYS_FR}`, "i"),
    repeat: "weekly",
    keep: true,
  },
];

function extractRepeat(text: string): { rest: string; repeat?: Repeat } {
  for (const { pattern, repeat, keep } of REPEATS) {
    const match = text.match(pattern);
    if (match) return { rest: text.replace(pattern, keep ? match[1] : " "), repeat };
  }
  return { rest: text };
}

let chrono: typeof Chrono | undefined;
let loading: Promise<void> | undefined;

/** Loads chrono-node once; parseWhen needs it loaded. */
export function loadWhenParser(): Promise<void> {
  loading ??= import("chrono-node").then((loaded) => {
    chrono = loaded;
  });
  return loading;
}

export function parseWhen(text: string, options: WhenOptions): ParsedWhen {
  if (!chrono) throw new Error("the time parser is not loaded: await loadWhenParser()");
  const { rest, repeat } = extractRepeat(text);
  const reference = {
    instant: new Date(options.now),
    timezone: zonedAt(options.now, options.timezone).offsetNanoseconds / 60e9,
  };
  const parsers = options.locale.startsWith("fr") ? [chrono.fr, chrono.en] : [chrono.en, chrono.fr];
  // the language that understood more of the text wins: "demain 8h" is French even for an English user
  let best: Chrono.ParsedResult | undefined;
  for (const parser of parsers) {
    const [result] = parser.parse(rest, reference, { forwardDate: true });
    if (result && (!best || result.text.length > best.text.length)) best = result;
  }
  if (!best) return { ok: false, reason: "unparsed" };
  const at = instantOf(best.start, options.timezone);
  if (at <= options.now) return { ok: false, reason: "past" };
  if (at > options.now + options.horizonMs) return { ok: false, reason: "too_far" };
  return { ok: true, at, ...(repeat ? { repeat } : {}) };
}

/**
 * "in 2 hours" and "8pm UTC" carry their offset; "tomorrow 8:00" is 8:00 on the wall in that zone.
 * A wall time that happens twice (clocks go back) is the first; one that is skipped (clocks go
 * forward) moves on by the gap, so 02:30 on a spring-forward night in Paris is 03:30.
 */
function instantOf(components: Chrono.ParsedComponents, timezone: string): number {
  if (components.isCertain("timezoneOffset")) return components.date().getTime();
  const wall = Temporal.PlainDateTime.from({
    year: components.get("year")!,
    month: components.get("month")!,
    day: components.get("day")!,
    hour: components.get("hour")!,
    minute: components.get("minute")!,
    second: components.get("second") ?? 0,
  });
  return wall.toZonedDateTime(timezone, { disambiguation: "compatible" }).epochMilliseconds;
}

/** The time of day a repeated schedule keeps, read from its first run. */
export function localTimeOf(at: number, timezone: string): { hour: number; minute: number } {
  const { hour, minute } = zonedAt(at, timezone);
  return { hour, minute };
}

/**
 * The first run after `after`, one or seven calendar days on from `previous`, at the same wall
 * time: 08:00 stays 08:00 when the clocks change. Runs missed while the app was down are skipped.
 */
export function nextOccurrence(
  previous: number,
  repeat: Repeat,
  time: { hour: number; minute: number },
  timezone: string,
  after: number,
): number {
  // days are added to the wall time, not to the instant: a day across a DST change is 23 or 25 h,
  // and a run moved by a skipped hour goes back to its own time the next day
  let wall = zonedAt(previous, timezone).toPlainDate().toPlainDateTime(time);
  const days = repeat === "daily" ? 1 : 7;
  while (true) {
    wall = wall.add({ days });
    const at = wall.toZonedDateTime(timezone, { disambiguation: "compatible" }).epochMilliseconds;
    if (at > after) return at;
  }
}

/** "Wednesday, November 25, 2026 at 8:00 PM" in the user's language and zone. */
export function formatWhen(at: number, locale: string, timezone: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "full",
    timeStyle: "short",
    timeZone: timezone,
  }).format(at);
}
