/**
 * Batches of links (/batch, a .txt file, a listed playlist): each link is probed, then downloaded
 * in the quality the user would be advised, and counted in the batch's one progress message
 * (services/batches.ts).
 *
 * Fairness: a user has at most `parallel` items running (its plan's), each taking one of the
 * user's places (kv/job_limits.ts) in the atomic that starts it; the others wait in KV
 * (kv/batch_items.ts) and the next is queued only when one ends, or when any job of the user
 * ends while all places are taken: a waiting item never fails for want of a place. The queue
 * claims by (priority, dueAt, id), so that next item goes behind every job already waiting,
 * other users' included: users with batches take turns, and a batch never fills the queue ahead
 * of anyone.
 * Batch jobs also have a lower priority than the downloads people ask for one by one.
 */
import type { Api } from "grammy";
import type { Translations } from "../i18n/translations.ts";
import type { Config } from "../config.ts";
import { translatorFor } from "../i18n/translations.ts";
import { renderPlaylistOffer } from "../views/batches.ts";
import {
  addWaitingItems,
  type BatchItem,
  dropWaitingItems,
  finishItem,
  isBatchStopped,
  listLapsedPumps,
  listRunningItems,
  listUsersWithItems,
  listWaitingItems,
  newBatchItems,
  releasePump,
  renewPump,
  startItem,
  stopBatchItems,
  takePump,
} from "../kv/batch_items.ts";
import { type Batch, recordBatchOutcome } from "../kv/batches.ts";
import { activeJobLimitsFor, readPlaces, takePlace } from "../kv/job_limits.ts";
import { ACTIVE_STATES, JobQueue, outboxKey } from "../kv/jobs.ts";
import type { ExpandPayload, Job, JobResult, PlaylistEntry } from "../media/job_types.ts";
import type { PlaylistItem } from "../kv/playlist_items.ts";
import { planOf, type UserProfile, type UserStore } from "../kv/users.ts";
import type { Logger } from "../lib/logger.ts";
import type { UrlGuard } from "../lib/url_guard.ts";
import type { BatchReporter } from "./batches.ts";
import type { DownloadStart } from "./download_request.ts";

/** How many links one batch may have, and how many of a user's run at once, by plan. */
export const BATCH_LIMITS = {
  free: { maxItems: 20, parallel: 2 },
  premium: { maxItems: 100, parallel: 4 },
} as const;

/** why a batch item failed when its job ended but telling the user about it never worked */
const UNDELIVERABLE_REASON = "undeliverable";

/** batch jobs wait behind the downloads people asked for one by one */
export const BATCH_PRIORITY = 7;

/** how long an instance holds a user's pump without renewing it (a crash frees it then) */
const PUMP_LEASE_MS = 30_000;

export function batchLimitsFor(user: UserProfile | undefined, now = Date.now()) {
  return BATCH_LIMITS[user ? planOf(user, now) : "free"];
}

export interface BatchDownloadsDeps {
  config: Config;
  kv: Deno.Kv;
  users: UserStore;
  queue: JobQueue;
  api: Api;
  i18n: Translations;
  urlGuard: UrlGuard;
  logger: Logger;
  reporter: BatchReporter;
  /** asks for a saved playlist item's download (services/auto_download.ts); null when it is gone */
  downloadSaved: (item: BatchItem) => Promise<DownloadStart | null>;
}

export interface NewLinkBatch {
  userId: number;
  chatId: number;
  lang: string;
  title: string;
  entries: PlaylistEntry[];
  /** links refused before the start: counted as failed, so the summary names them */
  refused?: string[];
}

type ItemRef = Pick<BatchItem, "batchId" | "id" | "userId">;

export class BatchDownloads {
  /**
   * A user's pumps run one after another, on one instance at a time (a lease in KV), so two
   * cannot both start items past the user's share.
   */
  readonly #pumps = new Map<number, Promise<void>>();
  /** this instance's name on the pumps it holds */
  readonly #holder = crypto.randomUUID();
  #resumed = false;

  constructor(private readonly deps: BatchDownloadsDeps) {}

  async start(input: NewLinkBatch): Promise<Batch> {
    const { kv, reporter } = this.deps;
    const refused = input.refused ?? [];
    const batch = await reporter.start({
      userId: input.userId,
      chatId: input.chatId,
      lang: input.lang,
      title: input.title,
      total: input.entries.length + refused.length,
    });
    const base = {
      batchId: batch.id,
      userId: input.userId,
      chatId: input.chatId,
      lang: input.lang,
    };
    await addWaitingItems(kv, newBatchItems(base, input.entries));
    for (const [index, url] of refused.entries()) {
      await recordBatchOutcome(kv, batch.id, `refused-${index}`, {
        outcome: "failed",
        title: url,
        reason: "bad_link",
      });
    }
    if (refused.length > 0) await reporter.refresh(batch.id);
    await this.pump(input.userId);
    return batch;
  }

  /** The items of a saved playlist join a batch already started ("download all"), in order. */
  async addSavedItems(batch: Batch, items: PlaylistItem[]): Promise<void> {
    const base = {
      batchId: batch.id,
      userId: batch.userId,
      chatId: batch.chatId,
      lang: batch.lang,
    };
    const entries = items.map((item) => ({
      url: item.url,
      title: item.info.title,
      saved: { playlistId: item.playlistId, itemId: item.id },
    }));
    await addWaitingItems(this.deps.kv, newBatchItems(base, entries));
    await this.pump(batch.userId);
  }

  /** Checks every link with the URL guard: the accepted ones normalized, the refused as given. */
  async checkLinks(urls: string[]): Promise<{ entries: PlaylistEntry[]; refused: string[] }> {
    const checks = await Promise.all(urls.map((url) => this.deps.urlGuard.check(url)));
    const entries: PlaylistEntry[] = [];
    const refused: string[] = [];
    for (const [i, check] of checks.entries()) {
      if (check.ok) entries.push({ url: check.url.href });
      else refused.push(urls[i]);
    }
    return { entries, refused };
  }

  /** Queues the user's next items while places are free. */
  pump(userId: number): Promise<void> {
    const previous = this.#pumps.get(userId) ?? Promise.resolve();
    const next = previous.then(() => this.pumpShared(userId)).catch((error) =>
      this.deps.logger.error("batch pump failed", { userId, error })
    );
    this.#pumps.set(userId, next);
    next.then(() => {
      if (this.#pumps.get(userId) === next) this.#pumps.delete(userId);
    });
    return next;
  }

  /** Settles the item a reported job belongs to (the job service calls it for batch jobs). */
  async jobEnded(job: Job): Promise<void> {
    const { payload } = job;
    if (payload.kind === "probe" && payload.autoDownload?.batchId) {
      // a probe that succeeded went on to a download, or was settled by the follow-up
      if (job.state === "done") return;
      const item = {
        batchId: payload.autoDownload.batchId,
        id: payload.autoDownload.jobId,
        userId: job.userId,
      };
      const title = payload.autoDownload.title ?? payload.url;
      await this.settle(
        item,
        job.state === "cancelled" ? "cancelled" : "failed",
        title,
        job.error?.code ?? "failed",
      );
    } else if (payload.kind === "download" && payload.batchId) {
      // the reporter counted it (jobFinished); only the place is freed here
      await this.release({ batchId: payload.batchId, id: job.id, userId: job.userId });
    }
  }

  /** A batch job whose report was given up: its item counts as failed, and its place is freed. */
  async jobAbandoned(job: Job): Promise<void> {
    const { payload } = job;
    if (payload.kind === "probe" && payload.autoDownload?.batchId) {
      const { batchId, jobId, title } = payload.autoDownload;
      const item = { batchId, id: jobId, userId: job.userId };
      await this.settle(item, "failed", title ?? payload.url, UNDELIVERABLE_REASON);
    } else if (payload.kind === "download" && payload.batchId) {
      const item = { batchId: payload.batchId, id: job.id, userId: job.userId };
      await this.settle(item, "failed", payload.title, UNDELIVERABLE_REASON);
    }
  }

  /** Any other job of the user ended: the place it freed may go to a waiting item. */
  async placeFreed(userId: number): Promise<void> {
    if ((await listWaitingItems(this.deps.kv, userId, 1)).length > 0) await this.pump(userId);
  }

  /** Records how an item ended and frees its place. */
  async settle(
    item: ItemRef,
    outcome: "done" | "failed" | "cancelled",
    title: string,
    reason?: string,
  ): Promise<void> {
    await this.record(item, outcome, title, reason);
    await this.release(item);
  }

  private async record(
    item: ItemRef,
    outcome: "done" | "failed" | "cancelled",
    title: string,
    reason?: string,
  ): Promise<void> {
    await this.deps.reporter.record(item.batchId, item.id, {
      outcome,
      title,
      ...(outcome === "failed" && reason ? { reason } : {}),
    });
  }

  async isStopped(batchId: string): Promise<boolean> {
    return await isBatchStopped(this.deps.kv, batchId);
  }

  /**
   * /cancel: the user's waiting items are dropped and counted as cancelled, and running ones
   * stop at their next step; the caller cancels the running jobs. Returns how many were dropped.
   */
  async cancelForUser(userId: number): Promise<number> {
    const { kv, reporter } = this.deps;
    const running = await listRunningItems(kv, userId);
    const dropped = await dropWaitingItems(kv, userId);
    const batchIds = new Set([...running, ...dropped].map((item) => item.batchId));
    for (const batchId of batchIds) await stopBatchItems(kv, batchId);
    for (const item of dropped) {
      await recordBatchOutcome(kv, item.batchId, item.id, {
        outcome: "cancelled",
        title: item.title ?? item.url,
      });
    }
    await Promise.all([...batchIds].map((batchId) => reporter.refresh(batchId)));
    return dropped.length;
  }

  /** After a restart: every user with items gets a pump, which also repairs what a crash left. */
  async resumeOnce(): Promise<void> {
    if (this.#resumed) return;
    this.#resumed = true;
    for (const userId of await listUsersWithItems(this.deps.kv)) await this.pump(userId);
  }

  /** Pumps whose instance stopped while holding them (their lease ran out) run again here. */
  async resumeLapsed(): Promise<void> {
    for (const userId of await listLapsedPumps(this.deps.kv)) await this.pump(userId);
  }

  /**
   * A listed playlist: one entry starts at once; several are offered, with their count and the
   * plan's cap, on the message that said "reading the playlist".
   */
  async offer(
    job: Job,
    payload: ExpandPayload,
    result: Extract<JobResult, { kind: "playlist_entries" }>,
  ): Promise<void> {
    const { api, users, i18n } = this.deps;
    if (result.entries.length === 1) {
      if (payload.statusMessageId) {
        await api.deleteMessage(job.chatId, payload.statusMessageId).catch(() => {});
      }
      await this.startListing(job, result);
      return;
    }
    const user = await users.getFresh(job.userId) ?? undefined;
    const t = translatorFor(i18n, payload.lang);
    const { text, keyboard } = renderPlaylistOffer(
      t,
      job.id,
      result,
      batchLimitsFor(user).maxItems,
    );
    const options = { reply_markup: keyboard };
    // the "reading the playlist" message becomes the offer; a new one if it is gone
    const edited = payload.statusMessageId !== undefined &&
      await api.editMessageText(job.chatId, payload.statusMessageId, text, options).then(
        () => true,
        () => false,
      );
    if (!edited) await api.sendMessage(job.chatId, text, options);
  }

  /** Starts the batch of a listing (an expand job's result), within the user's plan. */
  async startListing(
    job: Job,
    result: Extract<JobResult, { kind: "playlist_entries" }>,
  ): Promise<Batch> {
    const user = await this.deps.users.getFresh(job.userId) ?? undefined;
    const listed = result.entries.slice(0, batchLimitsFor(user).maxItems);
    const own = await this.checkLinks(listed.map((entry) => entry.url));
    const allowed = new Set(own.entries.map((entry) => entry.url));
    return await this.start({
      userId: job.userId,
      chatId: job.chatId,
      lang: job.payload.lang,
      title: result.title,
      entries: listed.flatMap((entry) => {
        const url = new URL(entry.url).href;
        return allowed.has(url) ? [{ ...entry, url }] : [];
      }),
      refused: own.refused,
    });
  }

  private async release(item: ItemRef): Promise<void> {
    await finishItem(this.deps.kv, item.userId, item.id);
    await this.pump(item.userId);
  }

  /**
   * Takes the user's pump and runs rounds until no other instance asked for one more meanwhile;
   * when another instance holds it, that one runs the round this call asked for.
   */
  private async pumpShared(userId: number): Promise<void> {
    const { kv } = this.deps;
    if (!(await takePump(kv, userId, this.#holder, PUMP_LEASE_MS))) return;
    const renewal = setInterval(
      () => renewPump(kv, userId, this.#holder, PUMP_LEASE_MS).catch(() => {}),
      PUMP_LEASE_MS / 3,
    );
    try {
      do await this.pumpNow(userId); while (!(await releasePump(kv, userId, this.#holder)));
    } catch (error) {
      await releasePump(kv, userId, this.#holder, { force: true }).catch(() => {});
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }

  private async pumpNow(userId: number): Promise<void> {
    const { kv, users } = this.deps;
    const user = await users.getFresh(userId) ?? undefined;
    let running = 0;
    for (const item of await listRunningItems(kv, userId)) {
      if (await this.repair(item)) running++;
    }
    const { parallel } = batchLimitsFor(user);
    const limits = activeJobLimitsFor(user);
    while (running < parallel) {
      const places = await readPlaces(kv, userId);
      // every place is taken: the next of the user's jobs to end pumps again
      if (places.taken >= limits.places) return;
      const [entry] = await listWaitingItems(kv, userId, 1);
      if (!entry) return;
      const item = entry.value;
      const stopped = await isBatchStopped(kv, item.batchId);
      // running first, then queued: a crash in between leaves an item that repair() queues
      if (!(await startItem(kv, entry, (op) => takePlace(op, places, item.id)))) continue;
      if (stopped) {
        // settled here, not through settle(): its pump would wait behind this one for ever
        await this.record(item, "cancelled", item.title ?? item.url);
        await finishItem(kv, userId, item.id);
      } else if (await this.run(item)) {
        running++;
      }
    }
  }

  /**
   * True when the item still holds its place. Repairs what a crash between two steps left: an
   * item without its job gets it; one whose jobs all ended and were reported is freed.
   */
  private async repair(item: BatchItem): Promise<boolean> {
    const { queue, kv } = this.deps;
    const job = await queue.get(item.id) ?? await queue.get(item.probeJobId);
    if (!job) return await this.run(item);
    if (ACTIVE_STATES.includes(job.state)) return true;
    const unreported = (await kv.get(outboxKey(job.id))).versionstamp !== null;
    if (unreported) return true;
    await finishItem(kv, item.userId, item.id);
    return false;
  }

  /**
   * Queues a started item's first job: the probe of a link, or the download of a saved playlist
   * item. False when it ended at once (sent from the cache, over quota, gone).
   */
  private async run(item: BatchItem): Promise<boolean> {
    if (!item.saved) {
      await this.enqueueProbe(item);
      return true;
    }
    const started = await this.deps.downloadSaved(item);
    if (started?.kind === "queued") return true;
    const title = item.title ?? item.url;
    // recorded here, not through settle(): its pump would wait behind this one for ever
    if (started?.kind === "cached") await this.record(item, "done", title);
    else {
      const reason = started?.kind === "refused" ? started.refusal.reason : "unavailable";
      await this.record(item, "failed", title, reason);
    }
    await finishItem(this.deps.kv, item.userId, item.id);
    return false;
  }

  private async enqueueProbe(item: BatchItem): Promise<void> {
    await this.deps.queue.enqueue({
      id: item.probeJobId,
      userId: item.userId,
      chatId: item.chatId,
      priority: BATCH_PRIORITY,
      payload: {
        kind: "probe",
        url: item.url,
        lang: item.lang,
        ...(item.playlistItem ? { playlistItem: item.playlistItem } : {}),
        autoDownload: { jobId: item.id, batchId: item.batchId, title: item.title ?? item.url },
      },
    });
  }
}
