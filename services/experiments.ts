/**
 * A/B tests in the product: stable assignment by hashing the user with the experiment, exposure
 * logged the first time a user sees a variant, conversions from product events, and results
 * with rates, uplift over the control and a two-proportion z-test.
 */
import {
  type Experiment,
  getExperiment,
  getVariantCounts,
  listExperiments,
  recordConversion,
  recordExposure,
} from "../kv/experiments.ts";
import type { EventBus } from "./events.ts";
import type { ExperimentResults, VariantResult } from "../views/admin.ts";

/** Experiments the code knows how to show; an admin starts, weighs and stops them. */
export const PRODUCT_EXPERIMENTS = {
  /** the order of a preview's quality buttons; converts when a download is asked from a preview */
  preview_buttons: ["best_first", "smallest_first"],
} as const satisfies Record<string, readonly string[]>;

export type PreviewQualityOrder = (typeof PRODUCT_EXPERIMENTS)["preview_buttons"][number];

/** FNV-1a, 32 bits: fast, and the same bucket for the same user and experiment everywhere. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The variant a user falls in by the current weights (exposure then makes it permanent). */
export function assignVariant(
  experiment: Pick<Experiment, "id" | "variants">,
  userId: number,
): string {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  let point = (fnv1a(`${experiment.id}:${userId}`) / 2 ** 32) * total;
  for (const variant of experiment.variants) {
    if (point < variant.weight) return variant.name;
    point -= variant.weight;
  }
  return experiment.variants.findLast((v) => v.weight > 0)!.name;
}

/**
 * The variant to show, logged as an exposure the first time; undefined when the experiment is
 * not running (the product then shows its default).
 */
export async function exposeVariant(
  kv: Deno.Kv,
  experimentId: string,
  userId: number,
): Promise<string | undefined> {
  const experiment = await getExperiment(kv, experimentId);
  if (experiment?.status !== "running") return undefined;
  return await recordExposure(kv, experiment.id, userId, assignVariant(experiment, userId));
}

export async function previewQualityOrder(
  kv: Deno.Kv,
  userId: number,
): Promise<PreviewQualityOrder | undefined> {
  const variant = await exposeVariant(kv, "preview_buttons", userId);
  return PRODUCT_EXPERIMENTS.preview_buttons.find((name) => name === variant);
}

/** Conversions: a download asked from a preview counts for the preview experiments. */
export function trackConversions(events: EventBus, kv: Deno.Kv): void {
  events.on("download_requested", async (event) => {
    if ((event.source ?? "preview") !== "preview") return;
    const experiment = await getExperiment(kv, "preview_buttons");
    if (experiment?.status === "running") await recordConversion(kv, experiment.id, event.userId);
  });
}

/** erfc with fractional error below 1.2e-7 (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? r : 2 - r;
}

/** Pooled two-proportion z-test of B against A; two-sided p-value. */
export function twoProportionZTest(
  a: { converted: number; exposed: number },
  b: { converted: number; exposed: number },
): { z: number; pValue: number } {
  if (a.exposed === 0 || b.exposed === 0) return { z: 0, pValue: 1 };
  const pooled = (a.converted + b.converted) / (a.exposed + b.exposed);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.exposed + 1 / b.exposed));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (b.converted / b.exposed - a.converted / a.exposed) / se;
  return { z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

export async function experimentResults(
  kv: Deno.Kv,
  experiment: Experiment,
): Promise<ExperimentResults> {
  const counts = await getVariantCounts(kv, experiment);
  const rate = (c: { converted: number; exposed: number }) =>
    c.exposed ? c.converted / c.exposed : 0;
  const control = counts[0];
  return {
    experiment,
    variants: counts.map((c, i) => {
      const result: VariantResult = {
        ...c,
        weight: experiment.variants[i].weight,
        rate: rate(c),
      };
      if (i > 0) {
        result.uplift = rate(control) > 0 ? rate(c) / rate(control) - 1 : undefined;
        result.pValue = twoProportionZTest(control, c).pValue;
      }
      return result;
    }),
  };
}

export async function allExperimentResults(kv: Deno.Kv): Promise<ExperimentResults[]> {
  return await Promise.all((await listExperiments(kv)).map((e) => experimentResults(kv, e)));
}
