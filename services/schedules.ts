/**
 * Runs scheduled downloads when they are due. The job service's sweep calls fireDue(): every few
 * seconds in-process, and every minute through Deno.cron (main.ts), which also wakes a sleeping
 * deployment. A run queues a probe that downloads at once (services/auto_download.ts).
 */
import type { Api } from "grammy";
import type { Translations } from "../i18n/translations.ts";
import { ulid } from "../lib/ids.ts";
import { translatorFor } from "../i18n/translations.ts";
import type { Config } from "../config.ts";
import { refusalText } from "../views/refusals.ts";
import { queueUserJob } from "./job_requests.ts";
import { timezoneOf } from "./account.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { QuotaStore } from "../kv/quota.ts";
import { completeRun, leaseRun, listDueSchedules, type Schedule } from "../kv/schedules.ts";
import type { UserStore } from "../kv/users.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import type { Logger } from "../lib/logger.ts";
import { nextOccurrence } from "../lib/when.ts";
import { withPriority } from "../lib/throttle.ts";

export interface ScheduleRunnerDeps {
  config: Config;
  kv: Deno.Kv;
  users: UserStore;
  queue: JobQueue;
  quota: QuotaStore;
  api: Api;
  i18n: Translations;
  logger: Logger;
}

/** long enough to queue a job and send a message; a crashed sweep's run is retried after it */
const RUN_LEASE_MS = 60_000;

export class ScheduleRunner {
  /** one sweep at a time in this process; other processes are kept out by completeRun's check */
  #firing?: Promise<void>;

  constructor(private readonly deps: ScheduleRunnerDeps) {}

  fireDue(now = Date.now()): Promise<void> {
    this.#firing ??= this.fireAll(now).finally(() => {
      this.#firing = undefined;
    });
    return this.#firing;
  }

  private async fireAll(now: number): Promise<void> {
    for (const schedule of await listDueSchedules(this.deps.kv, now)) {
      try {
        await this.fire(schedule, now);
      } catch (error) {
        // left due: the next sweep tries again, and the job's fixed id keeps it queued once
        this.deps.logger.error("scheduled download failed to start", { id: schedule.id, error });
      }
    }
  }

  private async fire(schedule: Schedule, now: number): Promise<void> {
    const { kv, queue, api, i18n, config } = this.deps;
    if (!(await leaseRun(kv, schedule, now, RUN_LEASE_MS))) return;
    const user = await this.deps.users.getFresh(schedule.userId) ?? undefined;
    const queuedBefore = await queue.get(schedule.nextJobId);
    if (!queuedBefore && !user?.blocked) {
      const started = await queueUserJob(this.deps, {
        id: schedule.nextJobId,
        userId: schedule.userId,
        user,
        chatId: schedule.chatId,
        payload: {
          kind: "probe",
          url: schedule.url,
          lang: schedule.lang,
          autoDownload: { jobId: ulid(), scheduleId: schedule.id, variant: schedule.variant },
        },
      });
      const t = translatorFor(i18n, schedule.lang);
      const url = escapeHtml(truncate(schedule.url, 300));
      // a run refused for want of a place is not retried: the next one, if any, comes as planned
      const text = started.kind === "queued" ? t("schedule-starting", { url }) : [
        t("schedule-not-started", { url }),
        refusalText(t, schedule.lang, timezoneOf(config, user), started.refusal),
      ].join("\n");
      // the user is not waiting on it: a notification, behind answers and deliveries
      await api.sendMessage(
        schedule.chatId,
        text,
        withPriority("notification", { link_preview_options: { is_disabled: true } }),
      ).catch((error) => this.deps.logger.warn("schedule notice failed", { error }));
    }
    const next = schedule.repeat
      ? nextOccurrence(
        schedule.runAt,
        schedule.repeat.every,
        schedule.repeat,
        schedule.timezone,
        now,
      )
      : undefined;
    await completeRun(kv, schedule, next);
  }
}
