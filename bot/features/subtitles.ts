/**
 * /subs <url> [lang] [target]: the media's subtitle languages as buttons, then the chosen track
 * as an .srt (translated on request) or inside the video (an mp4 track, or burned in).
 */
import { InlineKeyboard } from "grammy";
import { subtitleLanguageSchema } from "../../media/job_schemas.ts";
import { MIN_RESERVATION_BYTES } from "../../kv/quota.ts";
import type { SubtitleOutput, SubtitleTrack } from "../../media/job_types.ts";
import { getSubtitleChoice, type SubtitleChoice } from "../../kv/subtitle_choices.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { primaryLanguage } from "../../media/translator.ts";
import type { BotContext } from "../context.ts";
import type { Translate } from "../i18n.ts";
import { renderProgress } from "../views.ts";
import { cancelKeyboard } from "./download.ts";
import { REFUSAL_MESSAGES } from "../preview_request.ts";
import { FeatureComposer } from "../composer.ts";
import { queueForSender } from "../job_requests.ts";

export const subtitlesFeature = new FeatureComposer<BotContext>();

/** Buttons past this many would bury the message; /subs <url> <lang> reaches the rest. */
const TRACK_BUTTONS_MAX = 30;
const OUTPUTS: Record<string, { output: SubtitleOutput; translate: boolean }> = {
  s: { output: "srt", translate: false },
  t: { output: "srt", translate: true },
  v: { output: "soft", translate: false },
  b: { output: "burned", translate: false },
};

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
    keyboard.text(trackLabel(t, locale, track), `sb:${choice.id}:${i}`);
    if (i % 2 === 1) keyboard.row();
  });
  return { text: lines.join("\n"), keyboard };
}

/** Where a track can go: the file, translated, in the video, burned into the picture. */
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
  const data = (option: string) => `so:${choice.id}:${index}:${option}`;
  const keyboard = new InlineKeyboard().text(t("button-subs-srt"), data("s")).row();
  if (target) {
    const targetName = languageName(t, locale, { language: target, automatic: false });
    keyboard.text(t("button-subs-translate", { language: targetName }), data("t")).row();
  }
  keyboard.text(t("button-subs-soft"), data("v")).row()
    .text(t("button-subs-burned"), data("b")).row()
    .text(t("button-subs-back"), `sl:${choice.id}`);
  return { text, keyboard };
}

/** The language /subs named, or else the user's own, unless the track is already in it. */
function translationTarget(
  choice: SubtitleChoice,
  track: SubtitleTrack,
  locale: string,
): string | undefined {
  const target = choice.target ?? locale;
  return primaryLanguage(target) === primaryLanguage(track.language) ? undefined : target;
}

export interface SubsArguments {
  url: string;
  language?: string;
  target?: string;
}

/** "<url> [lang] [target]"; undefined when the URL is missing or a language is malformed. */
export function parseSubsArguments(text: string): SubsArguments | undefined {
  const [url, language, target, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  if (!url || rest.length > 0) return undefined;
  const languageOk = (code?: string) =>
    code === undefined || subtitleLanguageSchema.safeParse(code).success;
  if (!languageOk(language) || !languageOk(target)) return undefined;
  return { url, language, target: target && primaryLanguage(target) };
}

subtitlesFeature.command("subs", async (ctx) => {
  if (!ctx.from || !ctx.chat) return;
  const args = parseSubsArguments(ctx.match);
  if (!args) {
    await ctx.reply(ctx.t("subs-usage"), { parse_mode: "HTML" });
    return;
  }
  const checked = await ctx.deps.urlGuard.check(args.url);
  if (!checked.ok) {
    await ctx.reply(ctx.t(REFUSAL_MESSAGES[checked.reason]));
    return;
  }
  const locale = ctx.i18n.getLocale();
  const url = checked.url.href;
  await queueForSender(ctx, {
    chatId: ctx.chat.id,
    priority: args.language ? 5 : 1, // a list is quick and the user waits on it
    payload: {
      kind: "subtitles",
      url,
      language: args.language,
      target: args.target,
      output: "srt",
      lang: locale,
      uploadChatId: ctx.deps.config.storageChatId ?? ctx.chat.id,
      title: url,
    },
    statusMessage: async () => {
      const status = await ctx.reply(ctx.t("subs-looking"), {
        reply_parameters: { message_id: ctx.msgId!, allow_sending_without_reply: true },
      });
      return status.message_id;
    },
  });
});

async function loadChoice(ctx: BotContext, id: string): Promise<SubtitleChoice | undefined> {
  const choice = await getSubtitleChoice(ctx.deps.kv, id);
  if (!choice) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return undefined;
  }
  if (choice.userId !== ctx.from?.id) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-not-yours"), show_alert: true });
    return undefined;
  }
  return choice;
}

subtitlesFeature.callbackQuery(/^sl:([0-9A-Z]{26})$/, async (ctx) => {
  const choice = await loadChoice(ctx, ctx.match[1]);
  if (!choice) return;
  await ctx.answerCallbackQuery();
  const { text, keyboard } = renderTrackList(ctx.t, ctx.i18n.getLocale(), choice);
  await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard });
});

subtitlesFeature.callbackQuery(/^sb:([0-9A-Z]{26}):(\d{1,3})$/, async (ctx) => {
  const choice = await loadChoice(ctx, ctx.match[1]);
  if (!choice) return;
  const index = Number(ctx.match[2]);
  if (!choice.tracks[index]) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const { text, keyboard } = renderTrackOptions(ctx.t, ctx.i18n.getLocale(), choice, index);
  await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard });
});

subtitlesFeature.callbackQuery(/^so:([0-9A-Z]{26}):(\d{1,3}):([stvb])$/, async (ctx) => {
  const choice = await loadChoice(ctx, ctx.match[1]);
  if (!choice) return;
  const track = choice.tracks[Number(ctx.match[2])];
  const option = OUTPUTS[ctx.match[3]];
  if (!track || !option) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  const locale = ctx.i18n.getLocale();
  const target = option.translate ? translationTarget(choice, track, locale) : choice.target;
  await queueForSender(ctx, {
    chatId: choice.chatId,
    payload: {
      kind: "subtitles",
      url: choice.url,
      language: track.language,
      automatic: track.automatic,
      target,
      output: option.output,
      lang: locale,
      uploadChatId: ctx.deps.config.storageChatId ?? choice.chatId,
      title: choice.title,
    },
    // the video comes back: its size is unknown, so up to the upload limit is reserved
    quota: option.output === "srt" ? undefined : {
      wantedBytes: ctx.deps.config.maxUploadBytes,
      minimumBytes: MIN_RESERVATION_BYTES,
    },
    statusMessage: async () => {
      // a press delivered twice and handled at once is answered by whichever comes first
      await ctx.answerCallbackQuery(ctx.t("download-started")).catch(() => {});
      const status = await ctx.reply(
        renderProgress(ctx.t, locale, choice.title, { phase: "queued" }),
        { parse_mode: "HTML", reply_markup: cancelKeyboard(ctx.t("button-stop")) },
      );
      return status.message_id;
    },
  });
});
