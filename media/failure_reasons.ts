/**
 * Why a site refused a link, as a worker reads it from yt-dlp and reports it in a job's error:
 * the app tells the user what they can do about each one and counts them by reason.
 */
export const FAILURE_REASONS = [
  /** the site asks for a sign-in, or to confirm "you're not a bot" */
  "needs_login",
  "age_restricted",
  "private",
  /** not available from where the worker reaches the site (geo or legal block) */
  "geo_blocked",
  /** removed, never existed, or gone */
  "unavailable",
  /** a live event or premiere that has not started */
  "not_live_yet",
  /** nothing yt-dlp can download at this link */
  "unsupported",
  /** the site limits how often we may ask */
  "rate_limited",
  "too_large",
  /** the connection failed or the site failed (5xx) */
  "network",
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Every code a job's failure may carry: a reason above, or the worker's own outcomes (its
 * subprocess ran out of time, the job was cancelled or interrupted by a shutdown, or a failure
 * nothing explains).
 */
export const JOB_FAILURE_CODES = [
  ...FAILURE_REASONS,
  "timeout",
  "cancelled",
  "interrupted",
  "failed",
] as const;

export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];

/** Reasons that pass with time: the queue tries again later; the others are final for the link. */
const PASSING_REASONS: ReadonlySet<FailureReason> = new Set(["network", "rate_limited"]);

export function isPassing(reason: FailureReason): boolean {
  return PASSING_REASONS.has(reason);
}

export function isFailureReason(code: string): code is FailureReason {
  return (FAILURE_REASONS as readonly string[]).includes(code);
}
