/**
 * A/B experiments: their definitions, each user's exposure (recorded once, with the variant the
 * user saw from then on) and conversion (once, only after an exposure), and per-variant counters.
 */
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface ExperimentVariant {
  name: string;
  /** relative: weights 1 and 3 send a quarter of new users to the first variant */
  weight: number;
}

export interface Experiment {
  id: string;
  /** the first is the control the others are compared with */
  variants: ExperimentVariant[];
  status: "running" | "stopped";
  createdAt: number;
  stoppedAt?: number;
}

export interface VariantCounts {
  name: string;
  exposed: number;
  converted: number;
}

const EXPERIMENT_ID_PATTERN = /^[a-z0-9_]{1,32}$/;
const VARIANT_NAME_PATTERN = /^[a-z0-9_]{1,24}$/;

export class ExperimentError extends Error {
  constructor(readonly code: "exists" | "unknown" | "stopped" | "invalid", message: string) {
    super(message);
    this.name = "ExperimentError";
  }
}

function experimentKey(id: string) {
  return ["experiments", id] as const;
}
function exposureKey(id: string, userId: number) {
  return ["exp_exposures", id, userId] as const;
}
function conversionKey(id: string, userId: number) {
  return ["exp_conversions", id, userId] as const;
}
function countKey(id: string, variant: string, counter: "exposed" | "converted") {
  return ["exp_counts", id, variant, counter] as const;
}

function validate(variants: ExperimentVariant[]): void {
  const names = new Set(variants.map((v) => v.name));
  const valid = variants.length >= 2 && names.size === variants.length &&
    variants.every((v) =>
      VARIANT_NAME_PATTERN.test(v.name) && Number.isFinite(v.weight) && v.weight >= 0
    ) &&
    variants.some((v) => v.weight > 0);
  if (!valid) {
    throw new ExperimentError(
      "invalid",
      "an experiment needs 2 or more distinct variants and a positive weight",
    );
  }
}

export async function createExperiment(
  kv: Deno.Kv,
  id: string,
  variants: ExperimentVariant[],
  now = Date.now(),
): Promise<Experiment> {
  if (!EXPERIMENT_ID_PATTERN.test(id)) throw new ExperimentError("invalid", "bad experiment id");
  validate(variants);
  const experiment: Experiment = { id, variants, status: "running", createdAt: now };
  const result = await kv.atomic()
    .check({ key: experimentKey(id), versionstamp: null })
    .set(experimentKey(id), experiment)
    .commit();
  if (!result.ok) throw new ExperimentError("exists", `experiment ${id} exists`);
  return experiment;
}

export async function getExperiment(kv: Deno.Kv, id: string): Promise<Experiment | null> {
  return (await kv.get<Experiment>(experimentKey(id))).value;
}

export async function listExperiments(kv: Deno.Kv): Promise<Experiment[]> {
  const experiments: Experiment[] = [];
  for await (const e of kv.list<Experiment>({ prefix: ["experiments"] })) experiments.push(e.value);
  return experiments;
}

async function changeExperiment(
  kv: Deno.Kv,
  id: string,
  change: (experiment: Experiment) => Experiment,
): Promise<Experiment> {
  return await retryAtomic(kv, async (op) => {
    const entry = await kv.get<Experiment>(experimentKey(id));
    if (!entry.value) throw new ExperimentError("unknown", `no experiment ${id}`);
    const changed = change(entry.value);
    op.check(entry).set(experimentKey(id), changed);
    return commit(changed);
  }, {
    what: `experiment ${id}`,
    attempts: 5,
    onContention: (error) => {
      throw new ExperimentError("invalid", error.message);
    },
  });
}

/** New weights for the same variants; users already exposed keep their variant. */
export function setExperimentWeights(
  kv: Deno.Kv,
  id: string,
  weights: Record<string, number>,
): Promise<Experiment> {
  return changeExperiment(kv, id, (experiment) => {
    if (experiment.status !== "running") throw new ExperimentError("stopped", `${id} is stopped`);
    const names = Object.keys(weights);
    if (
      names.length !== experiment.variants.length ||
      names.some((n) => !experiment.variants.some((v) => v.name === n))
    ) {
      throw new ExperimentError("invalid", "weights must name each variant once");
    }
    const variants = experiment.variants.map((v) => ({ name: v.name, weight: weights[v.name] }));
    validate(variants);
    return { ...experiment, variants };
  });
}

export function stopExperiment(kv: Deno.Kv, id: string, now = Date.now()): Promise<Experiment> {
  return changeExperiment(
    kv,
    id,
    (experiment) => ({ ...experiment, status: "stopped", stoppedAt: now }),
  );
}

/**
 * The variant the user sees: the one recorded at their first exposure, or `assigned`, recorded
 * now with its counter in one atomic, so two concurrent first views count once.
 */
export async function recordExposure(
  kv: Deno.Kv,
  id: string,
  userId: number,
  assigned: string,
): Promise<string> {
  return await retryAtomic(kv, async (op) => {
    const existing = await kv.get<string>(exposureKey(id, userId));
    if (existing.value !== null) return existing.value;
    op.check(existing)
      .set(exposureKey(id, userId), assigned)
      .sum(countKey(id, assigned, "exposed"), 1n);
    return commit(assigned);
  }, { what: `the exposure of user ${userId} to ${id}`, attempts: 5 });
}

/** Counts a conversion once per user, for the variant they were exposed to; false otherwise. */
export async function recordConversion(kv: Deno.Kv, id: string, userId: number): Promise<boolean> {
  const [exposure, conversion] = await kv.getMany<[string, string]>([
    exposureKey(id, userId),
    conversionKey(id, userId),
  ]);
  if (exposure.value === null || conversion.value !== null) return false;
  const result = await kv.atomic()
    .check(exposure, conversion)
    .set(conversionKey(id, userId), exposure.value)
    .sum(countKey(id, exposure.value, "converted"), 1n)
    .commit();
  return result.ok;
}

export async function getVariantCounts(
  kv: Deno.Kv,
  experiment: Experiment,
): Promise<VariantCounts[]> {
  return await Promise.all(experiment.variants.map(async ({ name }) => {
    const [exposed, converted] = await kv.getMany<[Deno.KvU64, Deno.KvU64]>([
      countKey(experiment.id, name, "exposed"),
      countKey(experiment.id, name, "converted"),
    ]);
    return {
      name,
      exposed: Number(exposed.value?.value ?? 0n),
      converted: Number(converted.value?.value ?? 0n),
    };
  }));
}
