/**
 * A probe that downloads at once (a scheduled run, an item of a batch): with its result, the
 * app picks the quality asked for, else audio for a user who prefers it, else the quality the
 * preview would recommend, and asks for it like a button press would,
 * so the quota is checked now, when it runs, and a file Telegram already has is sent at once.
 */
import type { Api } from "grammy";
import type { Translations } from "../i18n/translations.ts";
import type { Config } from "../config.ts";
import { type DownloadStart, requestDownload } from "./download_request.ts";
import { refusalText } from "../views/refusals.ts";
import { cancelKeyboard } from "../views/media.ts";
import { translatorFor } from "../i18n/translations.ts";
import { loadPreviewAdvice } from "./preview_advice.ts";
import { renderProgress } from "../views/media.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { Job } from "../media/job_types.ts";
import type { BatchItem } from "../kv/batch_items.ts";
import type { AutoDownload, ProbePayload } from "../media/job_types.ts";
import type { MediaStore } from "../kv/media.ts";
import { getPlaylistItem } from "../kv/playlist_items.ts";
import { getPlaylist } from "../kv/playlists.ts";
import type { QuotaStore } from "../kv/quota.ts";
import type { UserProfile, UserStore } from "../kv/users.ts";
import type { ProbeInfo } from "../media/media_types.ts";
import { unattendedVariant } from "../media/quality.ts";
import { BATCH_PRIORITY, type BatchDownloads } from "./batch_downloads.ts";
import type { EventBus } from "./events.ts";
import { withPriority } from "../lib/throttle.ts";

export interface AutoDownloadDeps {
  config: Config;
  kv: Deno.Kv;
  users: UserStore;
  queue: JobQueue;
  media: MediaStore;
  quota: QuotaStore;
  api: Api;
  i18n: Translations;
  events: EventBus;
  batches: BatchDownloads;
}

export class AutoDownloads {
  #botUsername?: Promise<string>;

  constructor(private readonly deps: AutoDownloadDeps) {}

  async continueAfterProbe(job: Job, payload: ProbePayload, info: ProbeInfo): Promise<void> {
    const auto = payload.autoDownload;
    if (!auto) return;
    const { media, queue, batches, users } = this.deps;
    // a page's other entries must not replace the preview of its link
    if (payload.playlistItem === undefined) await media.saveProbe(payload.url, info);
    // a report retried after a crash: the download was asked for already
    if (await queue.get(auto.jobId)) return;
    const item = auto.batchId
      ? { batchId: auto.batchId, id: auto.jobId, userId: job.userId }
      : undefined;
    if (item && await batches.isStopped(item.batchId)) {
      await batches.settle(item, "cancelled", info.title);
      return;
    }
    const user = await users.getFresh(job.userId) ?? undefined;
    if (user?.blocked) {
      if (item) await batches.settle(item, "failed", info.title);
      return;
    }
    const started = await this.request(job, payload, auto, info, user);
    if (item) {
      if (started.kind === "cached") await batches.settle(item, "done", info.title);
      if (started.kind === "refused") {
        await batches.settle(item, "failed", info.title, started.refusal.reason);
      }
    } else if (started.kind === "refused") {
      const t = translatorFor(this.deps.i18n, payload.lang);
      const text = refusalText(t, payload.lang, started.timezone, started.refusal);
      // a scheduled run the user is not waiting on: its messages are notifications
      await this.deps.api.sendMessage(job.chatId, text, withPriority("notification", {}));
    }
  }

  /**
   * A saved playlist item's turn in its batch ("download all"): its saved probe asked for in
   * the best quality (audio for a user who prefers it), like the button would. Null when the
   * item left the playlist meanwhile.
   */
  async downloadSaved(item: BatchItem): Promise<DownloadStart | null> {
    const { api, kv, users } = this.deps;
    if (!item.saved) return null;
    const saved = await getPlaylistItem(kv, item.saved.playlistId, item.saved.itemId);
    if (!saved) return null;
    const [user, playlist] = await Promise.all([
      users.getFresh(item.userId).then((found) => found ?? undefined),
      getPlaylist(kv, item.saved.playlistId),
    ]);
    return await requestDownload(this.deps, {
      api,
      userId: item.userId,
      user,
      chatId: item.chatId,
      lang: item.lang,
      t: translatorFor(this.deps.i18n, item.lang),
      botUsername: await this.botUsername(),
      url: saved.url,
      info: saved.info,
      variant: unattendedVariant(saved.info, {
        preferAudio: user?.prefs.preferAudio ?? false,
        fallback: "best",
      }),
      key: `batch:${item.batchId}:${item.id}`,
    }, {
      source: "playlist",
      jobId: item.id,
      batchId: item.batchId,
      priority: BATCH_PRIORITY,
      album: playlist?.name,
    });
  }

  private async request(
    job: Job,
    payload: ProbePayload,
    auto: AutoDownload,
    info: ProbeInfo,
    user: UserProfile | undefined,
  ) {
    const { api } = this.deps;
    const t = translatorFor(this.deps.i18n, payload.lang);
    const advice = await loadPreviewAdvice(this.deps, job.userId, info);
    // a scheduled run gets its own progress message; a batch's items show in the batch's one
    const statusMessage = auto.batchId ? undefined : async () => {
      const text = renderProgress(t, payload.lang, info.title, { phase: "queued" });
      const message = await api.sendMessage(
        job.chatId,
        text,
        withPriority("notification", { reply_markup: cancelKeyboard(t("button-stop")) }),
      );
      return message.message_id;
    };
    return await requestDownload(this.deps, {
      api,
      userId: job.userId,
      user,
      chatId: job.chatId,
      lang: payload.lang,
      t,
      botUsername: await this.botUsername(),
      url: payload.url,
      info,
      variant: unattendedVariant(info, {
        asked: auto.variant,
        preferAudio: user?.prefs.preferAudio ?? false,
        fallback: advice.recommendation?.variant ?? "best",
      }),
      key: `auto:${auto.jobId}`,
    }, {
      jobId: auto.jobId,
      batchId: auto.batchId,
      priority: auto.batchId ? BATCH_PRIORITY : undefined,
      playlistItem: payload.playlistItem,
      statusMessage,
    });
  }

  private botUsername(): Promise<string> {
    this.#botUsername ??= this.deps.api.getMe().then((me) => me.username).catch((error) => {
      this.#botUsername = undefined;
      throw error;
    });
    return this.#botUsername;
  }
}
