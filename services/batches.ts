/**
 * One progress message for a batch of downloads: "i/N ✅ … ❌ …", edited as entries finish.
 * Jobs join a batch by carrying its id (`batchId` in their payload); the job service calls
 * jobFinished() when it reports one, and callers record entries they settle themselves
 * (e.g. files sent at once from the cache) with record().
 */
import { type Api, GrammyError } from "grammy";
import type { Translations } from "../i18n/translations.ts";
import { type Translate, translatorFor } from "../i18n/translations.ts";
import {
  type Batch,
  type BatchEntry,
  type BatchOutcome,
  createBatch,
  finishedCount,
  getBatchEntry,
  listUnsuccessfulEntries,
  recordBatchOutcome,
} from "../kv/batches.ts";
import { beginEdit, endEdit } from "../kv/message_edits.ts";
import type { Job } from "../media/job_types.ts";
import { escapeHtml, renderProgressBar, truncate } from "../lib/format.ts";
import type { Logger } from "../lib/logger.ts";
import { withPriority } from "../lib/throttle.ts";
import { FAILURE_REASONS } from "../media/failure_reasons.ts";

export interface BatchDeps {
  api: Api;
  kv: Deno.Kv;
  i18n: Translations;
  logger: Logger;
}

type BatchCounts = Pick<Batch, "title" | "total" | "done" | "failed" | "cancelled">;

export function renderBatchProgress(
  t: Translate,
  batch: BatchCounts,
  unsuccessful: BatchEntry[] = [],
): string {
  const finished = batch.done + batch.failed + batch.cancelled;
  const title = escapeHtml(truncate(batch.title, 100));
  const percent = batch.total === 0 ? 100 : (finished / batch.total) * 100;
  const lines = [
    t(finished === batch.total ? "batch-finished" : "batch-running", { title }),
    "",
    renderProgressBar(percent),
    t("batch-counts", { finished, total: batch.total, done: batch.done, failed: batch.failed }),
  ];
  if (batch.cancelled > 0) lines.push(t("batch-cancelled", { count: batch.cancelled }));
  if (unsuccessful.length > 0) {
    lines.push(
      "",
      ...unsuccessful.map((entry) =>
        `❌ ${escapeHtml(truncate(entry.title, 80))}` +
        (entry.reason ? ` — ${t(batchReasonKey(entry.reason))}` : "")
      ),
    );
    const unlisted = batch.failed + batch.cancelled - unsuccessful.length;
    if (unlisted > 0) lines.push(t("batch-more-failures", { count: unlisted }));
  }
  return lines.join("\n");
}

/** the summary's failure lines, each at most ~130 characters: well within a message's 4096 */
const SUMMARY_FAILURES_MAX = 25;

const EXPLAINED_REASONS: ReadonlySet<string> = new Set([
  ...FAILURE_REASONS,
  "timeout",
  "quota",
  "bad_link",
  "undeliverable",
]);

/** The locale key that explains a failed entry in the summary. */
function batchReasonKey(reason: string): string {
  return `batch-reason-${EXPLAINED_REASONS.has(reason) ? reason : "failed"}`;
}

/** how long one edit of a batch's message may hold it; one not sent by then is dropped */
const BATCH_EDIT_LEASE_MS = 15_000;
/** a batch edit still waiting for its turn this close to its lease's end is abandoned */
const EDIT_SEND_MARGIN_MS = 2_000;
/** edits in a row by one holder while the counts keep changing under it */
const MAX_EDIT_ROUNDS = 20;

/** grammY's npm build types its signal with a polyfill's AbortSignal; the runtime one works. */
type ApiSignal = Parameters<Api["editMessageText"]>[4];

export class BatchReporter {
  /** this instance's edits of one batch run one after another */
  readonly #edits = new Map<string, Promise<void>>();

  constructor(private readonly deps: BatchDeps) {}

  /** Sends the progress message and records the batch. */
  async start(
    input: Pick<Batch, "userId" | "chatId" | "lang" | "title" | "total">,
  ): Promise<Batch> {
    const t = translatorFor(this.deps.i18n, input.lang);
    const text = renderBatchProgress(t, { ...input, done: 0, failed: 0, cancelled: 0 });
    const message = await this.deps.api.sendMessage(input.chatId, text);
    return await createBatch(this.deps.kv, { ...input, statusMessageId: message.message_id });
  }

  /** Counts a finished job of a batch, once, and shows the new counts. */
  async jobFinished(job: Job): Promise<void> {
    if (job.payload.kind !== "download" || !job.payload.batchId) return;
    const outcome: BatchOutcome = job.state === "done"
      ? "done"
      : job.state === "cancelled"
      ? "cancelled"
      : "failed";
    await this.record(job.payload.batchId, job.id, {
      outcome,
      title: job.payload.title,
      ...(outcome === "failed" ? { reason: job.error?.code ?? "failed" } : {}),
    });
  }

  /**
   * Counts an entry once and shows the counts; shown again when it was counted before, since a
   * report retried after a crash may have counted it without showing it.
   */
  async record(batchId: string, entryId: string, entry: BatchEntry): Promise<void> {
    await recordBatchOutcome(this.deps.kv, batchId, entryId, entry);
    await this.refresh(batchId);
  }

  /**
   * Shows the batch's counts. One editor at a time across instances (kv/message_edits.ts), each
   * reading the counts once it holds the message, and giving it back only if they did not change
   * meanwhile (else it shows them again): so the message never goes backwards, and the summary,
   * shown last, is never overwritten by older counts.
   */
  refresh(batchId: string): Promise<void> {
    const previous = this.#edits.get(batchId) ?? Promise.resolve();
    const next = previous.then(() => this.show(batchId)).catch((error) =>
      this.deps.logger.warn("batch progress edit failed", { batchId, error })
    );
    this.#edits.set(batchId, next);
    next.then(() => {
      if (this.#edits.get(batchId) === next) this.#edits.delete(batchId);
    });
    return next;
  }

  private async show(batchId: string): Promise<void> {
    const { kv } = this.deps;
    const holder = crypto.randomUUID();
    for (let round = 0; round < MAX_EDIT_ROUNDS; round++) {
      const turn = await beginEdit(kv, `batch:${batchId}`, {
        holder,
        leaseMs: BATCH_EDIT_LEASE_MS,
        now: Date.now(),
      });
      // another instance is editing: giving the message back, it sees these counts and shows them
      if (!turn) return;
      const entry = await getBatchEntry(kv, batchId);
      if (entry.value) await this.edit(entry.value, turn.until);
      if (await endEdit(kv, turn, [entry])) return;
    }
  }

  private async edit(batch: Batch, until: number): Promise<void> {
    const { kv, api, i18n } = this.deps;
    const finished = finishedCount(batch) === batch.total;
    const unsuccessful = finished
      ? await listUnsuccessfulEntries(kv, batch.id, SUMMARY_FAILURES_MAX)
      : [];
    const text = renderBatchProgress(translatorFor(i18n, batch.lang), batch, unsuccessful);
    const deadline = AbortSignal.timeout(Math.max(0, until - Date.now() - EDIT_SEND_MARGIN_MS));
    try {
      await api.editMessageText(
        batch.chatId,
        batch.statusMessageId,
        text,
        // the summary is the batch's outcome, not a progress edit to merge or skip
        finished ? {} : withPriority("progress", {}),
        deadline as ApiSignal,
      );
    } catch (error) {
      if (!(error instanceof GrammyError && /not modified/.test(error.description))) throw error;
    }
  }
}
