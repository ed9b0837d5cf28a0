/** The variants each user picked, counted by site and by media length: what recommendations learn from. */
import { boundedKeyPart } from "../lib/kv_key.ts";
import type { Variant } from "../media/media_types.ts";
import type { ChoiceHistory } from "../media/quality.ts";

export type LengthBucket = "short" | "medium" | "long" | "very_long" | "unknown";

export interface Choice {
  userId: number;
  extractor: string;
  durationSeconds?: number;
  variant: Variant;
}

/** Clips, episodes, films, streams' replays: lengths people tend to treat alike. */
function lengthBucket(durationSeconds: number | undefined): LengthBucket {
  if (!durationSeconds) return "unknown";
  if (durationSeconds < 4 * 60) return "short";
  if (durationSeconds < 20 * 60) return "medium";
  if (durationSeconds < 60 * 60) return "long";
  return "very_long";
}

function siteChoiceKey(userId: number, extractor: string, variant?: Variant) {
  const site = boundedKeyPart(extractor);
  return variant === undefined
    ? ["choices_by_site", userId, site] as const
    : ["choices_by_site", userId, site, variant] as const;
}
function lengthChoiceKey(userId: number, bucket: LengthBucket, variant?: Variant) {
  return variant === undefined
    ? ["choices_by_length", userId, bucket] as const
    : ["choices_by_length", userId, bucket, variant] as const;
}

/** Counts one pick under its site and its length, in one atomic. */
export async function recordChoice(kv: Deno.Kv, choice: Choice): Promise<void> {
  const { userId, extractor, variant } = choice;
  const bucket = lengthBucket(choice.durationSeconds);
  await kv.atomic()
    .sum(siteChoiceKey(userId, extractor, variant), 1n)
    .sum(lengthChoiceKey(userId, bucket, variant), 1n)
    .commit();
}

export async function getChoiceHistory(
  kv: Deno.Kv,
  userId: number,
  extractor: string,
  durationSeconds: number | undefined,
): Promise<ChoiceHistory> {
  const [site, length] = await Promise.all([
    countsUnder(kv, siteChoiceKey(userId, extractor)),
    countsUnder(kv, lengthChoiceKey(userId, lengthBucket(durationSeconds))),
  ]);
  return { site, length };
}

async function countsUnder(
  kv: Deno.Kv,
  prefix: readonly Deno.KvKeyPart[],
): Promise<Partial<Record<Variant, number>>> {
  const counts: Partial<Record<Variant, number>> = {};
  for await (const entry of kv.list<Deno.KvU64>({ prefix: [...prefix] })) {
    counts[entry.key.at(-1) as Variant] = Number(entry.value.value);
  }
  return counts;
}
