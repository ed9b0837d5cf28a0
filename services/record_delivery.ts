/** The app's side of a finished recording: its parts in the user's chat, or the normal offer. */
import type { Job } from "../media/job_types.ts";
import type { JobResult, RecordPayload } from "../media/job_types.ts";
import { formatBytes, formatDuration } from "../lib/format.ts";
import { sendPreview } from "./previews.ts";
import { translatorFor } from "../i18n/translations.ts";
import type { ServiceDeps } from "./deps.ts";
import { withPriority } from "../lib/throttle.ts";

type RecordResult = Extract<JobResult, { kind: "record" | "not_live" }>;

export async function deliverRecording(
  deps: ServiceDeps,
  job: Job,
  payload: RecordPayload,
  result: RecordResult,
): Promise<void> {
  const { api, kv, media, urlGuard } = deps;
  if (result.kind === "not_live") {
    // a recording of something that is not live would never end: offer the download instead
    await media.saveProbe(payload.url, result.info);
    await sendPreview(
      {
        api,
        kv,
        urlGuard,
        t: translatorFor(deps.i18n, payload.lang),
        locale: payload.lang,
        userId: job.userId,
        chatId: job.chatId,
        preview: { offerTranslation: deps.titleTranslation },
      },
      payload.url,
      result.info,
    );
    return;
  }
  // uploaded to the storage chat: each part is copied to the user, once (outbox guard)
  for (const file of result.files) {
    if (file.chatId === job.chatId) continue;
    await api.copyMessage(job.chatId, file.chatId, file.messageId, withPriority("delivery", {}));
  }
  // keyed by the job: a report delivered twice counts one recording
  if (result.files.length > 0) {
    deps.events.emit({ type: "recording_delivered", userId: job.userId, key: job.id });
  }
  // shorter than asked (Stop, the stream ended or stalled, the quota): say how much there is
  if (result.stopped) {
    const t = translatorFor(deps.i18n, payload.lang);
    const lengths = {
      recorded: formatDuration(result.seconds),
      total: formatDuration(payload.seconds),
    };
    const text = result.quotaReached
      ? t("record-quota-reached", {
        ...lengths,
        reserved: formatBytes(payload.maxBytes ?? 0, payload.lang),
      })
      : t("record-ended", lengths);
    await api.sendMessage(job.chatId, text);
  }
}
