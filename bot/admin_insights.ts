/** The analytics part of /admin: the totals as text, and `/admin exp …` to run A/B tests. */
import {
  createExperiment,
  ExperimentError,
  type ExperimentVariant,
  setExperimentWeights,
  stopExperiment,
} from "../kv/experiments.ts";
import { escapeHtml, formatBytes, formatUtcMoment, truncate } from "../lib/format.ts";
import type { AdminReport } from "../services/admin_report.ts";
import {
  allExperimentResults,
  type ExperimentResults,
  PRODUCT_EXPERIMENTS,
} from "../services/experiments.ts";
import type { BotContext } from "./context.ts";
import type { Translate } from "../i18n/translations.ts";

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

export function renderReportLines(t: Translate, locale: string, report: AdminReport): string[] {
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
    t("admin-top-sites", { sites: counted(report.topSites, t("admin-none")) }),
    t("admin-revenue", { stars: report.starsRevenue }),
    t("admin-queue", report.jobs),
    ...renderUndeliverableLines(t, locale, report.undeliverable),
  ];
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

/** "a:1 b:3" → variants; null when a part is not name:weight. */
function parseVariants(parts: string[]): ExperimentVariant[] | null {
  const variants = parts.map((part) => {
    const match = /^([a-z0-9_]{1,24}):(\d{1,4}(?:\.\d{1,3})?)$/.exec(part);
    return match ? { name: match[1], weight: Number(match[2]) } : null;
  });
  return variants.length > 0 && variants.every((v) => v !== null)
    ? variants as ExperimentVariant[]
    : null;
}

/** `/admin exp [create ID v:w… | weights ID v:w… | stop ID]`; without arguments, the results. */
export async function experimentAction(ctx: BotContext, args: string[]): Promise<string> {
  const { kv } = ctx.deps;
  const [command, id, ...rest] = args;
  const locale = ctx.i18n.getLocale();
  const safeId = escapeHtml(id ?? "");
  try {
    if (!command) {
      return renderExperimentLines(ctx.t, locale, await allExperimentResults(kv)).join("\n");
    }
    if (command === "create" && id) {
      const variants = parseVariants(rest);
      if (!variants) return ctx.t("admin-exp-usage");
      const known = PRODUCT_EXPERIMENTS[id as keyof typeof PRODUCT_EXPERIMENTS] as
        | readonly string[]
        | undefined;
      if (known && !variants.every((v) => known.includes(v.name))) {
        return ctx.t("admin-exp-known-variants", { id: safeId, variants: known.join(", ") });
      }
      await createExperiment(kv, id, variants);
      return ctx.t("admin-exp-created", { id: safeId });
    }
    if (command === "weights" && id) {
      const variants = parseVariants(rest);
      if (!variants) return ctx.t("admin-exp-usage");
      await setExperimentWeights(
        kv,
        id,
        Object.fromEntries(variants.map((v) => [v.name, v.weight])),
      );
      return ctx.t("admin-exp-updated", { id: safeId });
    }
    if (command === "stop" && id) {
      await stopExperiment(kv, id);
      return ctx.t("admin-exp-stopped", { id: safeId });
    }
    return ctx.t("admin-exp-usage");
  } catch (error) {
    if (error instanceof ExperimentError) {
      return ctx.t(`admin-exp-error-${error.code}`, { id: safeId });
    }
    throw error;
  }
}
