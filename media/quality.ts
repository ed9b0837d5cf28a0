/**
 * Which quality a preview recommends: every offered variant gets a score from a small table of
 * weights (quality, how it fits, the user's preferences, what they picked before), and the reason
 * shown is the part of the score that decided. Pure: the caller gathers limits, prefs and history.
 */
import { availableVariants, estimateVariants } from "./formats.ts";
import {
  audioBitrateFor,
  COMPRESSIBLE_SOURCE_FACTOR,
  MIN_ACCEPTABLE_HEIGHT,
  planCompression,
} from "./compression_plan.ts";
import { type ProbeInfo, type QualityVariant, type Variant, VIDEO_HEIGHTS } from "./media_types.ts";

/** How often each variant was picked: on this site, and for media of a similar length. */
export interface ChoiceHistory {
  site: Partial<Record<Variant, number>>;
  length: Partial<Record<Variant, number>>;
}

export interface RecommendationLimits {
  maxUploadBytes: number;
  quotaLeftBytes: number;
}

export interface RecommendationPrefs {
  defaultQuality: Variant | "ask";
  preferAudio: boolean;
  dataSaver: boolean;
  maxHeight?: number;
}

export interface RecommendationInput {
  info: ProbeInfo;
  limits: RecommendationLimits;
  prefs: RecommendationPrefs;
  history: ChoiceHistory;
}

/** Points per component; a variant's score is their sum (see ScoredVariant.parts). */
export const WEIGHTS = {
  /** a video link is usually wanted as a video */
  video: 15,
  /** per quality step: 360p 1, 480p 2, 720p 3, 1080p 4, higher 5 */
  quality: 10,
  /** sent as it is, no re-encoding */
  asIs: 20,
  /** re-encoded to fit: some quality and time lost */
  compressed: -15,
  /** size unknown: it may need re-encoding */
  unknownSize: -5,
  /** the user's default quality in /settings */
  defaultQuality: 60,
  /** audio, for a user who prefers audio */
  preferAudio: 60,
  /** data saver: per quality step above the lowest, so the smallest video wins */
  dataSaver: -15,
  /** times the share of this user's past picks on this site */
  siteHistory: 30,
  /** times the share of this user's past picks for media of a similar length */
  lengthHistory: 15,
} as const;

export type ScoreComponent = keyof typeof WEIGHTS;
const PREFERENCE_COMPONENTS: ScoreComponent[] = ["defaultQuality", "preferAudio", "dataSaver"];
const HISTORY_COMPONENTS: ScoreComponent[] = ["siteHistory", "lengthHistory"];

/** as_is: within the limit; compressed: re-encoded down to it; unknown: no size known */
export type Fit = "as_is" | "compressed" | "unknown";
export type Exclusion = "over_quota" | "over_height" | "cannot_fit";

export interface ScoredVariant {
  variant: QualityVariant;
  /** estimated download size */
  sizeBytes?: number;
  /** what the user would receive: the size, or the limit it is compressed to */
  deliveredBytes?: number;
  height?: number;
  fit: Fit;
  excluded?: Exclusion;
  score: number;
  parts: Partial<Record<ScoreComponent, number>>;
}

export type ReasonCode = "preference" | "history" | "fits" | "compressed" | "size_unknown";

export interface Recommendation {
  variant: QualityVariant;
  reason: { code: ReasonCode; sizeBytes?: number };
  scores: ScoredVariant[];
}

/** Below this much quota left, nothing is worth recommending. */
const MIN_USEFUL_BYTES = 1024 * 1024;

/** The recommended variant and why, or undefined when nothing offered can be delivered. */
export function recommendVariant(input: RecommendationInput): Recommendation | undefined {
  const scores = scoreVariants(input);
  const winner = pickWinner(scores);
  if (!winner) return undefined;
  const without = (components: ScoreComponent[], ignoreHeightCap = false) =>
    pickWinner(
      scores.map((s) => ({
        ...s,
        excluded: ignoreHeightCap && s.excluded === "over_height" ? undefined : s.excluded,
        score: s.score - components.reduce((sum, c) => sum + (s.parts[c] ?? 0), 0),
      })),
    )?.variant;
  const code: ReasonCode = without(PREFERENCE_COMPONENTS, true) !== winner.variant
    ? "preference"
    : without(HISTORY_COMPONENTS) !== winner.variant
    ? "history"
    : winner.fit === "as_is"
    ? "fits"
    : winner.fit === "compressed"
    ? "compressed"
    : "size_unknown";
  return { variant: winner.variant, reason: { code, sizeBytes: winner.deliveredBytes }, scores };
}

/** Every offered variant with its score, its parts, and why it is excluded if it is. */
export function scoreVariants(input: RecommendationInput): ScoredVariant[] {
  const { info, limits, prefs, history } = input;
  const limit = Math.min(limits.maxUploadBytes, limits.quotaLeftBytes);
  const siteShare = shares(history.site);
  const lengthShare = shares(history.length);
  const estimates = estimateVariants(info);
  const videoSteps = estimates.filter((e) => e.variant !== "audio").map((e) =>
    qualitySteps(e.height)
  );
  const lowestSteps = Math.min(...videoSteps);
  return estimates.map(({ variant, sizeBytes, height }) => {
    const audio = variant === "audio";
    const fit: Fit = sizeBytes === undefined
      ? "unknown"
      : sizeBytes <= limit
      ? "as_is"
      : "compressed";
    const steps = audio ? 0 : qualitySteps(height);
    const parts: Partial<Record<ScoreComponent, number>> = {
      video: audio ? 0 : WEIGHTS.video,
      quality: steps * WEIGHTS.quality,
      asIs: fit === "as_is" ? WEIGHTS.asIs : 0,
      compressed: fit === "compressed" ? WEIGHTS.compressed : 0,
      unknownSize: fit === "unknown" ? WEIGHTS.unknownSize : 0,
      defaultQuality: prefs.defaultQuality === variant ? WEIGHTS.defaultQuality : 0,
      preferAudio: prefs.preferAudio && audio ? WEIGHTS.preferAudio : 0,
      dataSaver: prefs.dataSaver && !audio ? (steps - lowestSteps) * WEIGHTS.dataSaver : 0,
      siteHistory: round(WEIGHTS.siteHistory * (siteShare[variant] ?? 0)),
      lengthHistory: round(WEIGHTS.lengthHistory * (lengthShare[variant] ?? 0)),
    };
    const deliveredBytes = sizeBytes === undefined ? undefined : Math.min(sizeBytes, limit);
    const excluded = exclusionOf({
      info,
      limit,
      maxUploadBytes: limits.maxUploadBytes,
      sizeBytes,
      height,
      audio,
      fit,
      prefs,
    });
    const score = Object.values(parts).reduce((sum, points) => sum + (points ?? 0), 0);
    return { variant, sizeBytes, deliveredBytes, height, fit, excluded, score, parts };
  });
}

/**
 * What a download nobody watches gets (a scheduled run, a batch's link, a playlist's item): the
 * quality asked for, or the closest the media has below it; without one, audio for a user who
 * prefers it, else the fallback (what a preview would recommend, or "best").
 */
export function unattendedVariant(
  info: ProbeInfo,
  choice: { asked?: QualityVariant; preferAudio: boolean; fallback: QualityVariant },
): QualityVariant {
  const offered = availableVariants(info);
  const { asked } = choice;
  if (asked && offered.includes(asked)) return asked;
  if (asked) {
    // a height the media lacks: the next one down ("audio" and "best" have none)
    const lower = VIDEO_HEIGHTS.filter((height) => height < Number(asked))
      .map((height) => String(height) as QualityVariant)
      .find((variant) => offered.includes(variant));
    return lower ?? (offered.includes("best") ? "best" : offered[0]);
  }
  if (choice.preferAudio && offered.includes("audio")) return "audio";
  return choice.fallback;
}

export interface MediaOffers {
  /** re-encode with a preset (low/medium/high) */
  compress: boolean;
  /** cut into parts: too long to fit whole at an acceptable quality */
  split: boolean;
}

/** The extra choices a preview offers besides the qualities. */
export function mediaOffers(info: ProbeInfo, maxUploadBytes: number): MediaOffers {
  // "best" is offered exactly when the media has video
  const best = estimateVariants(info).find((e) => e.variant === "best");
  if (info.isLive || !best) return { compress: false, split: false };
  const size = best.sizeBytes;
  if (size !== undefined && size <= maxUploadBytes) return { compress: true, split: false };
  // more than a compression would start from
  if (size !== undefined && size > maxUploadBytes * COMPRESSIBLE_SOURCE_FACTOR) {
    return { compress: true, split: true };
  }
  if (!info.duration) return { compress: true, split: false };
  const plan = planCompression({
    targetBytes: maxUploadBytes,
    durationSeconds: info.duration,
    height: best.height,
  });
  const height = plan ? plan.height ?? best.height ?? Infinity : 0;
  return { compress: true, split: height < MIN_ACCEPTABLE_HEIGHT };
}

function exclusionOf(candidate: {
  info: ProbeInfo;
  limit: number;
  maxUploadBytes: number;
  sizeBytes?: number;
  height?: number;
  audio: boolean;
  fit: Fit;
  prefs: RecommendationPrefs;
}): Exclusion | undefined {
  const { info, limit, sizeBytes, height, audio, fit, prefs } = candidate;
  if (limit < MIN_USEFUL_BYTES && limit < candidate.maxUploadBytes) return "over_quota";
  if (!audio && prefs.maxHeight !== undefined && (height ?? 0) > prefs.maxHeight) {
    return "over_height";
  }
  if (fit !== "compressed") return undefined;
  if (sizeBytes! > limit * COMPRESSIBLE_SOURCE_FACTOR) return "cannot_fit";
  if (!info.duration) return undefined;
  const compressible = audio
    ? audioBitrateFor(limit, info.duration) !== undefined
    : planCompression({ targetBytes: limit, durationSeconds: info.duration, height }) !==
      undefined;
  return compressible ? undefined : "cannot_fit";
}

/** Highest score among the variants not excluded; the earlier (better) one wins a tie. */
function pickWinner(scores: ScoredVariant[]): ScoredVariant | undefined {
  let winner: ScoredVariant | undefined;
  for (const candidate of scores) {
    if (candidate.excluded) continue;
    if (!winner || candidate.score > winner.score) winner = candidate;
  }
  return winner;
}

function qualitySteps(height: number | undefined): number {
  if (height === undefined) return 1;
  if (height <= 360) return 1;
  if (height <= 480) return 2;
  if (height <= 720) return 3;
  if (height <= 1080) return 4;
  return 5;
}

function shares(counts: Partial<Record<Variant, number>>): Partial<Record<Variant, number>> {
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  if (total === 0) return {};
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, (n ?? 0) / total]));
}

function round(points: number): number {
  return Math.round(points * 10) / 10;
}
