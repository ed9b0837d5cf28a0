/** The subtitle tracks of a media as buttons, and where a chosen track can go. */
import { buildCallback, type CallbackFields } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { SubtitleChoice } from "../kv/subtitle_choices.ts";
import type { SubtitleTrack } from "../media/job_types.ts";
import type { Translate } from "../i18n/translations.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { primaryLanguage } from "../media/translator.ts";

/** Buttons past this many would bury the message; /subs <url> <lang> reaches the rest. */
const TRACK_BUTTONS_MAX = 30;

/** "fr" → "French" (in the user's language); "en-orig" → "English (original)". */
export function languageName(t: Translate, locale: string, track: SubtitleTrack): string {
  if (track.name) return track.name;
  const original = track.language.endsWith("-orig");
  const code = track.language.replace(/-orig$/, "");
  let name = code;
  try {
    name = new Intl.DisplayNames([locale], { type: "language" }).of(code) ?? code;
  } catch {
    // not a BCP 47 tag: the code itself is the best name there is
  }
  const label = original ? `${name} ${t("subs-original")}` : name;
  return label.charAt(0).toLocaleUpperCase(locale) + label.slice(1);
}

function trackLabel(t: Translate, locale: string, track: SubtitleTrack): string {
  return `${track.automatic ? "🤖 " : ""}${truncate(languageName(t, locale, track), 40)}`;
}

export function renderTrackList(
  t: Translate,
  locale: string,
  choice: SubtitleChoice,
  missing?: string,
): { text: string; keyboard: InlineKeyboard } {
  const lines = [`📝 <b>${escapeHtml(truncate(choice.title, 200))}</b>`, ""];
  if (missing) lines.push(t("subs-missing", { language: escapeHtml(missing) }), "");
  lines.push(t("subs-choose", { count: choice.tracks.length }));
  if (choice.tracks.some((track) => track.automatic)) lines.push(t("subs-automatic-note"));
  const keyboard = new InlineKeyboard();
  choice.tracks.slice(0, TRACK_BUTTONS_MAX).forEach((track, i) => {
    keyboard.text(
      trackLabel(t, locale, track),
      buildCallback("subtitleTrack", { choiceId: choice.id, track: i }),
    );
    if (i % 2 === 1) keyboard.row();
  });
  return { text: lines.join("\n"), keyboard };
}

/** Where a track can go: the file, translated, in the video, burned into the picture. */
type SubtitleButtonOutput = CallbackFields<"subtitleOutput">["output"];

export function renderTrackOptions(
  t: Translate,
  locale: string,
  choice: SubtitleChoice,
  index: number,
): { text: string; keyboard: InlineKeyboard } {
  const track = choice.tracks[index];
  const name = languageName(t, locale, track);
  const target = translationTarget(choice, track, locale);
  const text = [
    `📝 <b>${escapeHtml(truncate(choice.title, 200))}</b>`,
    "",
    t("subs-options", { language: escapeHtml(name) }),
  ].join("\n");
  const data = (output: SubtitleButtonOutput) =>
    buildCallback("subtitleOutput", { choiceId: choice.id, track: index, output });
  const keyboard = new InlineKeyboard().text(t("button-subs-srt"), data("srt")).row();
  if (target) {
    const targetName = languageName(t, locale, { language: target, automatic: false });
    keyboard.text(t("button-subs-translate", { language: targetName }), data("translated")).row();
  }
  keyboard.text(t("button-subs-soft"), data("soft")).row()
    .text(t("button-subs-burned"), data("burned")).row()
    .text(t("button-subs-back"), buildCallback("subtitleTracks", { choiceId: choice.id }));
  return { text, keyboard };
}

/** The language /subs named, or else the user's own, unless the track is already in it. */
export function translationTarget(
  choice: SubtitleChoice,
  track: SubtitleTrack,
  locale: string,
): string | undefined {
  const target = choice.target ?? locale;
  return primaryLanguage(target) === primaryLanguage(track.language) ? undefined : target;
}
