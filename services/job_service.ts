/**
 * The app's side of the worker protocol: claim, heartbeat, complete, fail. In-process
 * workers call it directly; fleet workers reach it through /worker/v1. Every finished
 * job is reported to its user exactly when its outbox entry is cleared, so an app that
 * dies midway reports it on the next sweep instead of losing it.
 */
import { type Api, GrammyError } from "grammy";
import { isReportDue, JobQueue, MAX_REPORT_ATTEMPTS, type OutboxEntry } from "../kv/jobs.ts";
import {
  type Claim,
  type Job,
  type JobFailure,
  type JobKind,
  type JobProgress,
} from "../media/job_types.ts";
import type { JobResult } from "../media/job_types.ts";
import type {
  CookieOutcome,
  HeartbeatReply,
  JobCookieSet,
  WorkerStatus,
} from "../media/job_protocol.ts";
import { cachedFileOf } from "../kv/media.ts";
import { beginEdit, beginFinalEdit, endEdit } from "../kv/message_edits.ts";
import { chatActionOf, showChatAction } from "./chat_actions.ts";
import { markWorkerSeen } from "../kv/workers_seen.ts";
import { translatorFor } from "../i18n/translations.ts";
import { sendPreview } from "./previews.ts";
import { deliveredMediaOf, recordDelivery, sendCachedFile } from "./delivery.ts";
import { renderProgress } from "../views/media.ts";
import { cancelKeyboard } from "../views/media.ts";
import { recordKeyboard } from "../views/media.ts";
import { deliverRecording } from "./record_delivery.ts";
import { deliverSubtitles } from "./subtitles_delivery.ts";
import { deliverAlbum, deliveredBytes, deliverSplit } from "./split_delivery.ts";
import { escapeHtml, formatBytes, truncate } from "../lib/format.ts";
import { BatchReporter } from "./batches.ts";
import { BatchDownloads } from "./batch_downloads.ts";
import { AutoDownloads } from "./auto_download.ts";
import { ScheduleRunner } from "./schedules.ts";
import { addProbedMedia } from "./playlist_delivery.ts";
import { Histogram } from "../lib/histogram.ts";
import type { ServiceDeps } from "./deps.ts";
import { WorkerStatusLog } from "./ytdlp_fleet.ts";
import { isFailureReason, type JobFailureCode } from "../media/failure_reasons.ts";
import { isChatGone, markChatGone } from "../kv/bot_chats.ts";
import { isRemovedFromChat } from "../lib/telegram.ts";
import { withPriority } from "../lib/throttle.ts";

/** Telegram allows about one edit per second per chat; every 3 s keeps a margin for other messages. */
export const PROGRESS_EDIT_INTERVAL_MS = 3_000;
/** how long a progress edit may hold a status message; one not sent by then is dropped */
const PROGRESS_EDIT_LEASE_MS = 10_000;
/** a progress edit still waiting for its turn this close to its lease's end is abandoned */
const EDIT_SEND_MARGIN_MS = 2_000;

/** What the user is told for each way a job can fail: what happened, and what they can do. */
const ERROR_KEYS: Record<Exclude<JobFailureCode, "cancelled">, string> = {
  needs_login: "error-needs-login",
  age_restricted: "error-age-restricted",
  private: "error-private",
  geo_blocked: "error-geo-blocked",
  unavailable: "error-unavailable",
  not_live_yet: "error-not-live-yet",
  unsupported: "error-unsupported",
  rate_limited: "error-site-rate-limited",
  too_large: "error-too-large",
  network: "error-network",
  timeout: "error-timeout",
  interrupted: "error-failed",
  failed: "error-failed",
};

/**
 * A dead job (its last attempt failed too) is told by its last reason when that says what to do
 * (the site limits us, the network failed), else that it failed after several attempts.
 */
function errorKeyOf(job: Job): string {
  const code = job.error?.code ?? "failed";
  if (Object.hasOwn(ERROR_KEYS, code) && (job.state !== "dead" || isFailureReason(code))) {
    return ERROR_KEYS[code as keyof typeof ERROR_KEYS];
  }
  return job.state === "dead" ? "error-dead" : "error-failed";
}

/** The reason analytics count a failed job under: its site's reason, else how it ended. */
function failureLabelOf(job: Job): string {
  const code = job.error?.code ?? "failed";
  return job.state === "dead" && !isFailureReason(code) ? "dead" : code;
}

/** A worker's sighting is written to KV at most this often by one instance. */
const WORKER_SEEN_WRITE_MS = 60_000;

/** Reports a sweep runs at once: a few stuck on Telegram leave the others going. */
const REPORTS_IN_FLIGHT = 8;

/** Seconds: a probe takes about one, a long download or a recording many minutes. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800];

/** An idle claim reads the queue again at least this often, in case kv.watch missed an event. */
const CLAIM_FALLBACK_POLL_MS = 10_000;

export class JobService {
  /** how long the jobs this process saw end had waited for a worker, and then ran */
  readonly durations = {
    waited: new Histogram(
      "mediabot_job_wait_seconds",
      "From queued to first claimed, for jobs that ran, by kind.",
      DURATION_BUCKETS,
    ),
    ran: new Histogram(
      "mediabot_job_run_seconds",
      "From first claimed to finished, by kind and how the job ended.",
      DURATION_BUCKETS,
    ),
  };
  readonly #reporting = new Map<string, Promise<void>>();
  /** this instance's name on the reports it holds (app instances share one KV) */
  readonly #reporter = crypto.randomUUID();
  #outboxPass?: Promise<void>;
  /** when this instance last heard from each worker */
  readonly workersSeen = new Map<string, number>();
  /** when this instance last wrote each worker's sighting to KV (kv/workers_seen.ts) */
  readonly #sightingsWritten = new Map<string, number>();
  /** ends waiting claims at shutdown, so the HTTP server can close at once */
  readonly #closing = new AbortController();
  /** one progress message per batch of downloads (a playlist's "download all") */
  readonly batches: BatchReporter;
  /** batches of links: a few of each user's run at a time */
  readonly batchDownloads: BatchDownloads;
  readonly #autoDownloads: AutoDownloads;
  readonly #schedules: ScheduleRunner;
  /** the yt-dlp each worker runs, from what it says with its claims */
  readonly #workerStatuses: WorkerStatusLog;

  constructor(private readonly deps: ServiceDeps) {
    this.#workerStatuses = new WorkerStatusLog(deps.kv);
    this.batches = new BatchReporter(deps);
    this.batchDownloads = new BatchDownloads({
      ...deps,
      reporter: this.batches,
      downloadSaved: (item) => this.#autoDownloads.downloadSaved(item),
    });
    this.#autoDownloads = new AutoDownloads({ ...deps, batches: this.batchDownloads });
    this.#schedules = new ScheduleRunner(deps);
  }

  get queue(): JobQueue {
    return this.deps.queue;
  }

  /** Long poll: the first due job, waiting up to waitMs for one to be queued. */
  async claim(
    workerId: string,
    options: {
      kinds?: readonly JobKind[];
      waitMs?: number;
      signal?: AbortSignal;
      status?: WorkerStatus;
    } = {},
  ): Promise<Claim | null> {
    const deadline = Date.now() + (options.waitMs ?? 0);
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#closing.signal])
      : this.#closing.signal;
    await this.sawWorker(workerId);
    if (options.status) await this.#workerStatuses.note(options.status);
    while (!signal.aborted) {
      const { claim, nextDueAt } = await this.deps.queue.claimOrNextDue(workerId, options.kinds);
      if (claim) return claim;
      const now = Date.now();
      const left = deadline - now;
      if (left <= 0) return null;
      // kv.watch wakes it when a job is queued; otherwise it sleeps until a retry is due, with a
      // slow poll in case a watch event is missed (each poll is a KV read, billed on Deploy)
      const until = nextDueAt === undefined ? left : Math.max(0, nextDueAt - now);
      await this.deps.queue.waitForWork(Math.min(left, until, CLAIM_FALLBACK_POLL_MS), signal);
    }
    return null;
  }

  close(): void {
    this.#closing.abort();
  }

  /** Notes a worker's call here, and in KV (for every instance's count) once a minute. */
  private async sawWorker(workerId: string): Promise<void> {
    const now = Date.now();
    this.workersSeen.set(workerId, now);
    if (now - (this.#sightingsWritten.get(workerId) ?? 0) < WORKER_SEEN_WRITE_MS) return;
    this.#sightingsWritten.set(workerId, now);
    await markWorkerSeen(this.deps.kv, workerId, now).catch((error) =>
      this.deps.logger.warn("worker sighting not recorded", { workerId, error })
    );
  }

  async heartbeat(id: string, leaseId: string, progress?: JobProgress): Promise<HeartbeatReply> {
    const answer = await this.deps.queue.heartbeat(id, leaseId, progress);
    if (!answer.ok) return { ok: false, cancel: true };
    if (answer.job.workerId) await this.sawWorker(answer.job.workerId);
    // the bot was removed from the job's group: nothing it makes could be sent there
    if (await isChatGone(this.deps.kv, answer.job.chatId)) {
      await this.cancel(id);
      return { ok: true, cancel: true };
    }
    if (!answer.cancel) {
      const action = chatActionOf(answer.job, progress);
      await Promise.all([
        progress ? this.showProgress(answer.job, progress) : undefined,
        action ? showChatAction(this.deps, answer.job.chatId, action) : undefined,
      ]);
    }
    return { ok: true, cancel: answer.cancel, stop: answer.stop };
  }

  async complete(id: string, leaseId: string, result: JobResult): Promise<boolean> {
    const outcome = await this.deps.queue.complete(id, leaseId, result);
    if (outcome.changed) this.ended(outcome.job);
    // a retried call whose first try went through is taken; another lease's completion is not
    return outcome.changed || (outcome.job?.state === "done" && outcome.job.leaseId === leaseId);
  }

  async fail(
    id: string,
    leaseId: string,
    failure: JobFailure & { retryable: boolean },
  ): Promise<boolean> {
    const outcome = await this.deps.queue.fail(id, leaseId, failure);
    if (outcome.changed && outcome.job.state !== "ready") this.ended(outcome.job);
    if (outcome.changed && outcome.job.state === "ready") await this.showQueued(outcome.job);
    return outcome.changed;
  }

  /** The cookie sets stored for a job's link; null unless this lease holds the job. */
  async cookiesFor(id: string, leaseId: string): Promise<JobCookieSet[] | null> {
    const job = await this.deps.queue.get(id);
    if (job?.state !== "leased" || job.leaseId !== leaseId) return null;
    return await this.deps.cookies.forLink(job.payload.url);
  }

  /** How the sites took a job's cookie sets, from the worker holding it; false otherwise. */
  async reportCookies(id: string, leaseId: string, outcomes: CookieOutcome[]): Promise<boolean> {
    const job = await this.deps.queue.get(id);
    if (job?.state !== "leased" || job.leaseId !== leaseId) return false;
    await this.deps.cookies.recordOutcomes(outcomes);
    return true;
  }

  /** Ends a running recording early so what it has is delivered; one still waiting is cancelled. */
  async stop(id: string): Promise<void> {
    const outcome = await this.deps.queue.requestStop(id);
    if (!outcome.changed && outcome.job?.state === "ready") await this.cancel(id);
  }

  async cancel(id: string): Promise<void> {
    const outcome = await this.deps.queue.cancel(id);
    if (outcome.changed && outcome.job.state === "cancelled") this.ended(outcome.job);
  }

  /** Resolves once every report started so far has ended (tests and shutdown wait on it). */
  async settled(): Promise<void> {
    await this.#outboxPass;
    await Promise.all(this.#reporting.values());
  }

  /** A job just reached its final state: its durations are counted and its user told. */
  private ended(job: Job): void {
    this.countDurations(job);
    this.reportSoon(job.id);
  }

  private countDurations(job: Job): void {
    if (job.startedAt === undefined || job.finishedAt === undefined) return;
    const kind = job.payload.kind;
    this.durations.waited.observe({ kind }, (job.startedAt - job.createdAt) / 1000);
    this.durations.ran.observe({ kind, state: job.state }, (job.finishedAt - job.startedAt) / 1000);
  }

  /**
   * Answers the user without holding up the worker: the job is already settled in KV and its
   * outbox entry makes a sweep finish the report if this process dies first.
   */
  private reportSoon(jobId: string): Promise<void> {
    const running = this.#reporting.get(jobId);
    if (running) return running;
    const done = this.report({ id: jobId })
      .catch((error) => this.deps.logger.error("could not report job", { jobId, error }))
      .finally(() => this.#reporting.delete(jobId));
    this.#reporting.set(jobId, done);
    return done;
  }

  /**
   * Returns expired leases to the queue, starts the scheduled downloads that are due, and reports
   * finished jobs nobody reported yet.
   */
  async sweep(): Promise<void> {
    await this.#schedules.fireDue();
    await this.batchDownloads.resumeOnce();
    await this.batchDownloads.resumeLapsed();
    for (const job of await this.deps.queue.sweepExpiredLeases()) {
      // the outbox pass below reports it
      if (job.state === "ready") await this.showQueued(job);
      else this.countDurations(job);
    }
    // one pass at a time: a report stuck on Telegram holds up the next pass, never the leases
    this.#outboxPass ??= this.reportOutbox().finally(() => {
      this.#outboxPass = undefined;
    });
    await this.#outboxPass;
  }

  /** Every due outbox entry, page by page, a few at a time, so no entry can starve another. */
  private async reportOutbox(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.queue.listOutbox({ cursor });
      const now = this.deps.queue.options.now();
      const due = page.entries.filter((entry: OutboxEntry) =>
        isReportDue(entry, now) && !this.#reporting.has(entry.jobId)
      );
      const runners = Array.from({ length: REPORTS_IN_FLIGHT }, async () => {
        for (let entry = due.shift(); entry; entry = due.shift()) {
          await this.reportSoon(entry.jobId);
        }
      });
      await Promise.all(runners);
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * Tells the user how a finished job ended, once: this instance first leases the job's outbox
   * entry, which other instances then leave alone. A failed attempt is tried again later; after
   * MAX_REPORT_ATTEMPTS the report is given up.
   */
  async report(job: Pick<Job, "id">): Promise<void> {
    const { queue, logger } = this.deps;
    const lease = await queue.leaseReport(job.id, this.#reporter);
    if (!lease) return;
    // attempts that ended without a word (the process died) count too
    if (lease.entry.attempts > MAX_REPORT_ATTEMPTS) {
      return await this.giveUp(lease.job, lease.entry, lease.entry.lastError ?? "interrupted");
    }
    const renewal = setInterval(
      () => queue.renewReport(job.id, this.#reporter).catch(() => {}),
      queue.options.reportLeaseMs / 3,
    );
    try {
      await this.tell(lease.job);
      await queue.clearOutbox(job.id);
    } catch (error) {
      if (isPermanentTelegramError(error)) {
        // the chat is gone or blocked us: trying again would fail forever
        logger.warn("job outcome undeliverable", { jobId: job.id, error });
        if (isRemovedFromChat(error)) await this.chatGone(lease.job.chatId);
        await queue.clearOutbox(job.id);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (lease.entry.attempts >= MAX_REPORT_ATTEMPTS) {
        return await this.giveUp(lease.job, lease.entry, message);
      }
      // left in the outbox: a later sweep tries again
      logger.warn("could not report job; will try again", {
        jobId: job.id,
        attempts: lease.entry.attempts,
        error,
      });
      await queue.deferReport(job.id, this.#reporter, message);
    } finally {
      clearInterval(renewal);
    }
  }

  private async tell(job: Job): Promise<void> {
    const t = translatorFor(this.deps.i18n, job.payload.lang);
    await this.settleQuota(job);
    const failed = job.state === "failed" || job.state === "dead";
    if (failed) {
      // batched or not, every failure is counted by its reason
      const reason = failureLabelOf(job);
      this.deps.events.emit({ type: "download_failed", userId: job.userId, key: job.id, reason });
    }
    // removed from the group: the outcome is settled, and nothing is sent there any more
    if (await isChatGone(this.deps.kv, job.chatId)) {
      this.deps.logger.info("job outcome not sent: the bot left its group", { jobId: job.id });
    } else if (job.state === "done" && job.result) await this.deliver(job, job.result);
    else if (job.state === "cancelled" && !isBatched(job)) {
      await this.editStatus(job, t("download-cancelled"));
    } else if (failed && !isBatched(job)) await this.reportFailure(job);
    if (isBatched(job)) {
      await this.batches.jobFinished(job);
      await this.batchDownloads.jobEnded(job);
    } else await this.batchDownloads.placeFreed(job.userId);
  }

  /**
   * The last attempt failed too: the user is told (in the batch's message for a batch item, whose
   * place is freed), the reservation settled, and the entry moved aside for admins.
   */
  private async giveUp(job: Job, entry: OutboxEntry, error: string): Promise<void> {
    const { logger, queue } = this.deps;
    logger.error("giving up reporting a job", { jobId: job.id, attempts: entry.attempts, error });
    const t = translatorFor(this.deps.i18n, job.payload.lang);
    const what = escapeHtml(truncate(describeRequest(job), 80));
    const steps = [
      () => this.settleQuota(job),
      () =>
        isBatched(job)
          ? this.batchDownloads.jobAbandoned(job)
          : this.editStatus(job, t("error-undeliverable", { what })),
      () => isBatched(job) ? Promise.resolve() : this.batchDownloads.placeFreed(job.userId),
    ];
    for (const step of steps) {
      await step().catch((stepError: unknown) =>
        logger.warn("giving up: a step failed", { jobId: job.id, error: stepError })
      );
    }
    await queue.moveReportAside(job, entry.attempts, error);
  }

  private async deliver(job: Job, result: JobResult): Promise<void> {
    const { api, kv, media, urlGuard } = this.deps;
    const t = translatorFor(this.deps.i18n, job.payload.lang);
    if (result.kind === "probe" && job.payload.kind === "probe" && job.payload.autoDownload) {
      await this.#autoDownloads.continueAfterProbe(job, job.payload, result.info);
      return;
    }
    if (result.kind === "playlist_entries" && job.payload.kind === "expand") {
      await this.batchDownloads.offer(job, job.payload, result);
      return;
    }
    if (result.kind === "probe" && job.payload.kind === "probe") {
      await media.saveProbe(job.payload.url, result.info);
      await this.deleteStatus(job);
      if (job.payload.playlistId) {
        const target = { api, kv, t, userId: job.userId, chatId: job.chatId };
        await addProbedMedia(target, job.payload.playlistId, job.payload.url, result.info);
        return;
      }
      await sendPreview(
        {
          api,
          kv,
          urlGuard,
          t,
          locale: job.payload.lang,
          userId: job.userId,
          chatId: job.chatId,
          replyToMessageId: job.payload.replyToMessageId,
          preview: {
            preferAudio: job.payload.preferAudio,
            offerTranslation: this.deps.titleTranslation,
          },
          advice: this.deps,
        },
        job.payload.url,
        result.info,
      );
      return;
    }
    if (job.payload.kind === "record" && (result.kind === "record" || result.kind === "not_live")) {
      if (result.kind === "not_live") await this.editStatus(job, t("record-not-live"));
      await deliverRecording(this.deps, job, job.payload, result);
      if (result.kind === "record") await this.deleteStatus(job);
      return;
    }
    if (
      job.payload.kind === "subtitles" &&
      (result.kind === "subtitle_tracks" || result.kind === "subtitles")
    ) {
      await deliverSubtitles(this.deps, job, job.payload, result);
      if (result.kind === "subtitles") await this.deleteStatus(job);
      return;
    }
    if (result.kind === "split" && job.payload.kind === "download") {
      await deliverSplit(this.deps, job, job.payload, result.files);
      await this.deleteStatus(job);
      return;
    }
    if (result.kind === "album" && job.payload.kind === "download") {
      await deliverAlbum(this.deps, job, job.payload, result.files);
      await this.deleteStatus(job);
      return;
    }
    if (result.kind !== "download" || job.payload.kind !== "download") return;
    const { payload } = job;
    const { file } = result;
    const cached = cachedFileOf(file, payload);
    await media.saveFile(payload.info, payload.variant, cached, payload.sendAs ?? "video");
    // uploaded to the storage chat: the user gets it by file_id, once (outbox guard)
    if (file.chatId !== job.chatId) {
      await sendCachedFile(api, job.chatId, cached, {
        caption: payload.caption,
        keyboard: payload.replyMarkup,
      });
    }
    await recordDelivery(this.deps, {
      userId: job.userId,
      chatId: job.chatId,
      lang: payload.lang,
      key: job.id,
      media: deliveredMediaOf(payload.url, payload.info, payload.variant, payload.title),
      files: [file],
      fromCache: false,
    });
    await this.deleteStatus(job);
  }

  /**
   * A job's reservation (a download, a recording, a subtitled video) becomes what it delivered,
   * or is released when it delivered nothing.
   */
  private async settleQuota(job: Job): Promise<void> {
    const { payload } = job;
    if (!("reservationId" in payload) || !payload.reservationId) return;
    const delivered = job.state === "done" ? deliveredBytes(job.result) : 0;
    await this.deps.quota.settle(job.userId, payload.reservationId, delivered);
  }

  private async reportFailure(job: Job): Promise<void> {
    const t = translatorFor(this.deps.i18n, job.payload.lang);
    const limit = formatBytes(this.deps.config.maxUploadBytes, job.payload.lang);
    await this.editStatus(job, t(errorKeyOf(job), { limit }));
  }

  /**
   * Edits the job's status message with its progress: at most every PROGRESS_EDIT_INTERVAL_MS
   * whichever instance each heartbeat reaches (the pace is kept in KV), never after its outcome.
   */
  private async showProgress(job: Job, progress: JobProgress): Promise<void> {
    const { payload } = job;
    if (payload.kind === "probe" || payload.kind === "expand" || !payload.statusMessageId) return;
    const t = translatorFor(this.deps.i18n, job.payload.lang);
    const text = renderProgress(t, payload.lang, payload.title, progress);
    const turn = await beginEdit(this.deps.kv, statusOwner(job), {
      holder: this.#reporter,
      leaseMs: PROGRESS_EDIT_LEASE_MS,
      minIntervalMs: PROGRESS_EDIT_INTERVAL_MS,
      text,
      now: Date.now(),
    });
    if (!turn) return;
    const keyboard = payload.kind === "record"
      ? recordKeyboard(t)
      : cancelKeyboard(t("button-stop"));
    // an edit that could not go before its lease ends would race the job's outcome: dropped
    const deadline = AbortSignal.timeout(
      Math.max(0, turn.until - Date.now() - EDIT_SEND_MARGIN_MS),
    );
    await this.deps.api.editMessageText(
      job.chatId,
      payload.statusMessageId,
      text,
      withPriority("progress", { reply_markup: keyboard }),
      deadline as ApiSignal,
    ).catch(async (error) => {
      this.deps.logger.warn("progress edit failed", { jobId: job.id, error });
      if (isRemovedFromChat(error)) await this.chatGone(job.chatId);
    });
    await endEdit(this.deps.kv, turn);
  }

  private async showQueued(job: Job): Promise<void> {
    if (job.payload.kind === "probe") return;
    await this.showProgress(job, { phase: "queued" });
  }

  /** The job's outcome in its status message; no progress edit comes after it. */
  private async editStatus(job: Job, text: string): Promise<void> {
    const messageId = job.payload.statusMessageId;
    if (messageId) {
      await beginFinalEdit(this.deps.kv, statusOwner(job), this.#reporter);
      try {
        await this.deps.api.editMessageText(job.chatId, messageId, text);
        return;
      } catch (error) {
        this.deps.logger.warn("status edit failed, sending instead", { jobId: job.id, error });
      }
    }
    await this.deps.api.sendMessage(job.chatId, text);
  }

  /** Telegram says the bot is out of this group: recorded once, and nothing is sent there again. */
  private async chatGone(chatId: number): Promise<void> {
    if (await markChatGone(this.deps.kv, chatId)) {
      this.deps.logger.info("removed from a group, seen by a send", { chatId });
    }
  }

  private async deleteStatus(job: Job): Promise<void> {
    const messageId = job.payload.statusMessageId;
    if (!messageId) return;
    await beginFinalEdit(this.deps.kv, statusOwner(job), this.#reporter);
    await this.deps.api.deleteMessage(job.chatId, messageId).catch(() => {});
  }
}

/** grammY's npm build types its signal with a polyfill's AbortSignal; the runtime one works. */
type ApiSignal = Parameters<Api["editMessageText"]>[4];

/** Whose edits of a status message take turns: the job's. */
function statusOwner(job: Job): string {
  return `job:${job.id}`;
}

/** A batch's jobs are counted in the batch's one message instead of messages of their own. */
function isBatched(job: Job): boolean {
  return (job.payload.kind === "download" && job.payload.batchId !== undefined) ||
    (job.payload.kind === "probe" && job.payload.autoDownload?.batchId !== undefined);
}

/** What the user asked for, as they would recognize it: a title when known, else the link. */
function describeRequest(job: Job): string {
  const { payload } = job;
  return "title" in payload ? payload.title : payload.url;
}

/** 400 and 403 answers (chat not found, bot blocked) do not change on retry; 429 and 5xx may. */
function isPermanentTelegramError(error: unknown): boolean {
  return error instanceof GrammyError && (error.error_code === 400 || error.error_code === 403);
}
