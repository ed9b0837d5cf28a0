/**
 * /subs <url> [lang] [target]: the media's subtitle languages as buttons, then the chosen track
 * as an .srt (translated on request) or inside the video (an mp4 track, or burned in).
 */
import { subtitleLanguageSchema } from "../../media/job_schemas.ts";
import { MIN_RESERVATION_BYTES } from "../../kv/quota.ts";
import type { SubtitleOutput } from "../../media/job_types.ts";
import { getSubtitleChoice, type SubtitleChoice } from "../../kv/subtitle_choices.ts";
import { primaryLanguage } from "../../media/translator.ts";
import type { BotContext } from "../context.ts";
import { renderProgress } from "../../views/media.ts";
import { cancelKeyboard } from "../../views/media.ts";
import { URL_REFUSAL_MESSAGES } from "../../views/refusals.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import type { CallbackFields } from "../../views/callbacks.ts";
import { queueForSender } from "../job_requests.ts";
import { renderTrackList, renderTrackOptions } from "../../views/subtitles.ts";
import { translationTarget } from "../../views/subtitles.ts";

export const subtitlesFeature = new FeatureComposer<BotContext>();

/** What each button makes: "translated" is an .srt in the user's (or the asked) language. */
const OUTPUTS: Record<SubtitleButtonOutput, { output: SubtitleOutput; translate: boolean }> = {
  srt: { output: "srt", translate: false },
  translated: { output: "srt", translate: true },
  soft: { output: "soft", translate: false },
  burned: { output: "burned", translate: false },
};
type SubtitleButtonOutput = CallbackFields<"subtitleOutput">["output"];

export interface SubsArguments {
  url: string;
  language?: string;
  target?: string;
}

/** "<url> [lang] [target]"; undefined when the URL is missing or a language is malformed. */
function parseSubsArguments(text: string): SubsArguments | undefined {
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
    await ctx.reply(ctx.t("subs-usage"));
    return;
  }
  const checked = await ctx.deps.urlGuard.check(args.url);
  if (!checked.ok) {
    await ctx.reply(ctx.t(URL_REFUSAL_MESSAGES[checked.reason]));
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

onCallback(subtitlesFeature, "subtitleTracks", async (ctx, { choiceId }) => {
  const choice = await loadChoice(ctx, choiceId);
  if (!choice) return;
  await ctx.answerCallbackQuery();
  const { text, keyboard } = renderTrackList(ctx.t, ctx.i18n.getLocale(), choice);
  await ctx.editMessageText(text, { reply_markup: keyboard });
});

onCallback(subtitlesFeature, "subtitleTrack", async (ctx, { choiceId, track: index }) => {
  const choice = await loadChoice(ctx, choiceId);
  if (!choice) return;
  if (!choice.tracks[index]) {
    await ctx.answerCallbackQuery({ text: ctx.t("preview-expired"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const { text, keyboard } = renderTrackOptions(ctx.t, ctx.i18n.getLocale(), choice, index);
  await ctx.editMessageText(text, { reply_markup: keyboard });
});

onCallback(subtitlesFeature, "subtitleOutput", async (ctx, { choiceId, track: index, output }) => {
  const choice = await loadChoice(ctx, choiceId);
  if (!choice) return;
  const track = choice.tracks[index];
  const option = OUTPUTS[output];
  if (!track) {
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
        { reply_markup: cancelKeyboard(ctx.t("button-stop")) },
      );
      return status.message_id;
    },
  });
});
