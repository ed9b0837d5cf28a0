/** /admin's figures (in the bot and on the web page) and the A/B tests' results. */
import type { Translate } from "../i18n/translations.ts";
import type { Experiment } from "../kv/experiments.ts";
import type { UndeliverableReport } from "../kv/jobs.ts";
import { escapeHtml, formatBytes, formatUtcMoment, truncate } from "../lib/format.ts";
import type { JobState } from "../media/job_types.ts";
import { YTDLP_STALE_DAYS } from "../media/ytdlp_version.ts";

/** Failures that asked to sign in or to prove we are not a bot (reason needs_login). */
export interface BotChecks {
  /** the last hour, in 10-minute steps */
  lastHour: number;
  lastDay: number;
  /** the hourly mean of the 24 hours before the last 24 */
  previousHourlyMean: number;
  spiking: boolean;
}

export interface AdminReport {
  users: number;
  premiumUsers: number;
  dailyActive: number;
  weeklyActive: number;
  today: { downloads: number; bytes: number };
  week: { downloads: number; bytes: number };
  /** cache hits over download requests in the last 7 days; undefined before any request */
  cacheHitRatio?: number;
  cacheHits: number;
  requests: number;
  /** the last 7 days, most frequent first */
  failures: [string, number][];
  botChecks: BotChecks;
  topSites: [string, number][];
  jobs: Record<JobState, number>;
  /** reports given up after their last attempt: how many in all, and the latest few */
  undeliverable: { count: number; latest: UndeliverableReport[] };
  starsRevenue: number;
  experiments: ExperimentResults[];
  ytdlp: YtdlpFleet;
}

/** The yt-dlp versions the workers reported in the last day. */
export interface YtdlpFleet {
  /** oldest release first; ageDays is undefined for a version that is not a date */
  versions: { version: string; workers: string[]; ageDays?: number }[];
  /** the oldest version, when it is more than YTDLP_STALE_DAYS old */
  stale?: { version: string; ageDays: number };
}

export interface VariantResult {
  name: string;
  weight: number;
  exposed: number;
  converted: number;
  rate: number;
  /** relative change of the rate against the control; undefined for the control itself */
  uplift?: number;
  pValue?: number;
}

export interface ExperimentResults {
  experiment: Experiment;
  variants: VariantResult[];
}

function percent(locale: string, ratio: number, signed = false): string {
  return new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: signed ? "exceptZero" : "auto",
  }).format(ratio);
}

function counted(entries: [string, number][], none: string): string {
  return entries.length ? entries.map(([name, n]) => `${escapeHtml(name)} ${n}`).join(" · ") : none;
}

function renderReportLines(t: Translate, locale: string, report: AdminReport): string[] {
  return [
    t("admin-users", { users: report.users, premium: report.premiumUsers }),
    t("admin-actives", { daily: report.dailyActive, weekly: report.weeklyActive }),
    t("admin-today", {
      downloads: report.today.downloads,
      bytes: formatBytes(report.today.bytes, locale),
    }),
    t("admin-week", {
      downloads: report.week.downloads,
      bytes: formatBytes(report.week.bytes, locale),
    }),
    report.cacheHitRatio === undefined ? t("admin-cache-ratio-none") : t("admin-cache-ratio", {
      ratio: percent(locale, report.cacheHitRatio),
      hits: report.cacheHits,
      requests: report.requests,
    }),
    t("admin-failures", { failures: counted(report.failures, t("admin-none")) }),
    ...renderBotCheckLines(t, locale, report.botChecks),
    t("admin-top-sites", { sites: counted(report.topSites, t("admin-none")) }),
    t("admin-revenue", { stars: report.starsRevenue }),
    t("admin-queue", report.jobs),
    ...renderUndeliverableLines(t, locale, report.undeliverable),
    ...renderYtdlpLines(t, report.ytdlp),
  ];
}

/** The fleet's yt-dlp versions, and a warning when the oldest is too old for today's sites. */
function renderYtdlpLines(t: Translate, fleet: YtdlpFleet): string[] {
  if (fleet.versions.length === 0) return [t("admin-ytdlp-none")];
  const versions = fleet.versions.map(({ version, workers }) =>
    t("admin-ytdlp-version", { version: escapeHtml(version), count: workers.length })
  );
  return [
    t("admin-ytdlp", { versions: versions.join(" · ") }),
    ...(fleet.stale
      ? [t("admin-ytdlp-stale", {
        version: escapeHtml(fleet.stale.version),
        days: fleet.stale.ageDays,
        limit: YTDLP_STALE_DAYS,
      })]
      : []),
  ];
}

/** Sign-in and bot checks by the hour and the day, and a warning when they spike. */
export function renderBotChecks(
  t: Translate,
  locale: string,
  checks: BotChecks,
): { summary: string; warning?: string } {
  const mean = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
    .format(checks.previousHourlyMean);
  return {
    summary: t("admin-bot-checks", { hour: checks.lastHour, day: checks.lastDay }),
    warning: checks.spiking
      ? t("admin-bot-checks-spike", { hour: checks.lastHour, mean })
      : undefined,
  };
}

function renderBotCheckLines(t: Translate, locale: string, checks: BotChecks): string[] {
  const { summary, warning } = renderBotChecks(t, locale, checks);
  return warning ? [summary, warning] : [summary];
}

/** Reports given up after their last attempt: the count, then the latest few. */
function renderUndeliverableLines(
  t: Translate,
  locale: string,
  undeliverable: AdminReport["undeliverable"],
): string[] {
  if (undeliverable.count === 0) return [];
  return [
    t("admin-undeliverable", { count: undeliverable.count }),
    ...undeliverable.latest.map((report) =>
      t("admin-undeliverable-item", {
        when: formatUtcMoment(report.movedAt, locale),
        kind: report.kind,
        user: String(report.userId),
        job: report.jobId,
        error: escapeHtml(truncate(report.error, 120)),
      })
    ),
  ];
}

export function renderExperimentLines(
  t: Translate,
  locale: string,
  results: ExperimentResults[],
): string[] {
  if (results.length === 0) return [t("admin-exp-none")];
  return results.flatMap(({ experiment, variants }) => [
    t("admin-exp-title", { id: experiment.id, status: t(`admin-exp-status-${experiment.status}`) }),
    ...variants.map((v) => {
      const line = t("admin-exp-variant", {
        name: v.name,
        weight: v.weight,
        converted: v.converted,
        exposed: v.exposed,
        rate: percent(locale, v.rate),
      });
      if (v.pValue === undefined) return `${line} ${t("admin-exp-control")}`;
      const uplift = v.uplift === undefined ? "—" : percent(locale, v.uplift, true);
      return `${line} · ${t("admin-exp-compare", { uplift, p: v.pValue.toFixed(3) })}`;
    }),
  ]);
}

/** /admin in the bot: the report, the file cache's hits, the A/B tests and the commands. */
export function renderDashboard(
  t: Translate,
  locale: string,
  view: { report: AdminReport; fileCache: { hits: number; total: number }; webUrl?: string },
): string {
  return [
    t("admin-title"),
    "",
    ...renderReportLines(t, locale, view.report),
    t("admin-cache", view.fileCache),
    "",
    ...renderExperimentLines(t, locale, view.report.experiments),
    ...(view.webUrl ? ["", t("admin-web", { url: view.webUrl })] : []),
    "",
    t("admin-commands"),
  ].join("\n");
}
