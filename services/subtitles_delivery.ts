/** The app's side of a subtitles job: the list of tracks to choose from, or the delivered file. */
import type { InlineKeyboard } from "grammy";
import type { Job } from "../media/job_types.ts";
import type { JobResult, SubtitlesPayload } from "../media/job_types.ts";
import { createSubtitleChoice } from "../kv/subtitle_choices.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { translatorFor } from "../i18n/translations.ts";
import { primaryLanguage } from "../media/translator.ts";
import { renderTrackList } from "../views/subtitles.ts";
import type { ServiceDeps } from "./deps.ts";
import { withPriority } from "../lib/throttle.ts";

type SubtitlesResult = Extract<JobResult, { kind: "subtitle_tracks" | "subtitles" }>;

export async function deliverSubtitles(
  deps: ServiceDeps,
  job: Job,
  payload: SubtitlesPayload,
  result: SubtitlesResult,
): Promise<void> {
  if (result.kind === "subtitle_tracks") {
    await showTracks(deps, job, payload, result);
    return;
  }
  const { api } = deps;
  const { file } = result;
  // uploaded to the storage chat: the user gets a copy, once (outbox guard)
  const messageId = file.chatId === job.chatId ? file.messageId : (await api.copyMessage(
    job.chatId,
    file.chatId,
    file.messageId,
    withPriority("delivery", {}),
  )).message_id;
  if (result.translation === "done" && payload.target) {
    // keyed by the job: a report delivered twice counts one translation
    deps.events.emit({
      type: "subtitles_translated",
      userId: job.userId,
      key: job.id,
      language: primaryLanguage(payload.target),
    });
  }
  if (result.translation === "failed") {
    const t = translatorFor(deps.i18n, payload.lang);
    await api.sendMessage(job.chatId, t("subs-translation-failed"), {
      reply_parameters: { message_id: messageId, allow_sending_without_reply: true },
    });
  }
}

/** Turns the status message into the list of tracks (or says there are none). */
async function showTracks(
  deps: ServiceDeps,
  job: Job,
  payload: SubtitlesPayload,
  result: Extract<SubtitlesResult, { kind: "subtitle_tracks" }>,
): Promise<void> {
  const { api, kv } = deps;
  const t = translatorFor(deps.i18n, payload.lang);
  let text = t("subs-none", { title: escapeHtml(truncate(result.title, 200)) });
  let keyboard: InlineKeyboard | undefined;
  if (result.tracks.length > 0) {
    const choice = await createSubtitleChoice(kv, {
      userId: job.userId,
      chatId: job.chatId,
      url: payload.url,
      title: result.title,
      tracks: result.tracks,
      target: payload.target,
    });
    ({ text, keyboard } = renderTrackList(t, payload.lang, choice, payload.language));
  }
  const options = { reply_markup: keyboard };
  if (payload.statusMessageId) {
    await api.editMessageText(job.chatId, payload.statusMessageId, text, options);
  } else await api.sendMessage(job.chatId, text, options);
}
