/**
 * A failed yt-dlp run turned into a reason the app can explain (media/failure_reasons.ts), from
 * the ERROR lines yt-dlp 2026.11.23 prints: its ExtractorError texts (raise_login_required,
 * raise_geo_restricted, UnsupportedError), YouTube's playability reasons, which yt-dlp repeats
 * ("Sign in to confirm you're not a bot", "Private video", "This live event will begin in…"),
 * and its HTTP errors ("HTTP Error 403: Forbidden").
 */
import { EGRESS_REFUSAL } from "./egress_guard.ts";
import { isFailureReason, isPassing } from "../media/failure_reasons.ts";
import { MediaError, type MediaErrorCode } from "../media/media_types.ts";

interface FailureRule {
  pattern: RegExp;
  code: MediaErrorCode;
}

/**
 * First match wins, so a message that names two things goes by its most specific: a private
 * video's or an age gate's "Sign in if…" before any sign-in, "rate-limited … isn't available"
 * before unavailable, "Service Unavailable" (5xx) and "Unavailable For Legal Reasons" (451)
 * before unavailable.
 */
const FAILURE_RULES: readonly FailureRule[] = [
  // the same answer whatever is (or is not) at the address: the user learns nothing about it
  { pattern: new RegExp(EGRESS_REFUSAL, "i"), code: "failed" },
  // YouTube: "This content isn't available, try again later. The current session has been
  // rate-limited by YouTube for up to an hour"
  { pattern: /been rate.limited|rate.limit reached(?! or login)/i, code: "rate_limited" },
  // YouTube: "Sign in to confirm you’re not a bot"; "… requiring a captcha challenge"
  {
    pattern: /confirm you.?re not a (bot|robot)|captcha/i,
    code: "needs_login",
  },
  // YouTube: "Sign in to confirm your age. This video may be inappropriate for some users";
  // "… requiring account age-verification"; X: "NSFW tweet requires authentication"; Instagram:
  // "Restricted Video: You must be 18 years old or over to see this video"
  {
    pattern:
      /confirm your age|age.restricted|age.verification|inappropriate for some users|nsfw|18 years old/i,
    code: "age_restricted",
  },
  // YouTube: "Private video. Sign in if you've been granted access to this video", members-only
  // videos; TikTok: "You do not have permission to view this post"; X: "… this protected tweet";
  // Instagram: "… only available for registered users who follow this account"
  {
    pattern:
      /private video|video is private|(account|profile|post|content|user) is private|members.only|join this channel|do not have permission to view|protected tweet|who follow this account/i,
    code: "private",
  },
  // raise_login_required: "This video is only available for registered users. Use --cookies…";
  // Instagram: "… rate-limit reached or login required", "… redirected to the login page. You
  // have exceeded the rate-limit for accessing posts anonymously": cookies get past both
  {
    pattern:
      /sign in|log ?in|login required|registered users|--cookies|authentication|HTTP Error 40[13]\b/i,
    code: "needs_login",
  },
  // raise_geo_restricted: "This video is not available from your location due to geo
  // restriction"; YouTube: "The uploader has not made this video available in your country"
  // TikTok: "Your IP address is blocked from accessing this post"
  {
    pattern:
      /geo.?restrict|from your location|in your (country|region)|HTTP Error 451|legal reasons|ip address is blocked/i,
    code: "geo_blocked",
  },
  { pattern: /HTTP Error 429|too many requests|try again later/i, code: "rate_limited" },
  // YouTube: "This live event will begin in 3 hours", "Premieres in 2 hours"; UserNotLive: "The
  // channel is not currently live"; others: "This live event will begin at …", "… has not
  // yet started", "This event has not started yet"
  {
    pattern:
      /live event will begin|premieres? (in|will begin)|has not (yet )?started|not currently live|is_upcoming/i,
    code: "not_live_yet",
  },
  {
    pattern:
      /HTTP Error 5\d\d|connection (reset|refused|aborted)|name resolution|name or service not known|network is unreachable|remote end closed|incompleteread|timed out|tunnel connection failed|ssl:|eof occurred/i,
    code: "network",
  },
  {
    pattern:
      /unsupported url|no video formats|not a valid url|drm protected|urls are explicitly disabled/i,
    code: "unsupported",
  },
  { pattern: /larger than max-filesize/i, code: "too_large" },
  { pattern: /requested format is not available/i, code: "failed" },
  {
    pattern:
      /HTTP Error (404|410)|unavailable|not available|been removed|no longer available|does not exist|been deleted|terminated/i,
    code: "unavailable",
  },
];

const URL_PATTERN = /\b[a-z][\w+.-]*:\/\/\S+/gi;

/** Turns yt-dlp's stderr into a MediaError whose code the app explains to the user. */
export function classifyYtdlpFailure(stderr: string): MediaError {
  const errorLines = stderr.split("\n").filter((line) => line.startsWith("ERROR:"));
  // words inside a URL ("/login", "/unavailable") say nothing about the failure
  const text = (errorLines.length > 0 ? errorLines.join("\n") : stderr).replace(
    URL_PATTERN,
    "<url>",
  );
  const message = cleanMessage(errorLines.at(-1) ?? stderr.trim().split("\n").at(-1) ?? "");
  const code = FAILURE_RULES.find(({ pattern }) => pattern.test(text))?.code ?? "failed";
  return new MediaError(code, message || "yt-dlp failed", passesWithTime(code));
}

function passesWithTime(code: MediaErrorCode): boolean {
  return isFailureReason(code) && isPassing(code);
}

/** "ERROR: [generic] None: Unable to … (caused by …); please report …" → "Unable to …" */
function cleanMessage(line: string): string {
  return line
    .replace(/^ERROR:\s*/, "")
    .replace(/^\[[\w:]+\]\s*[^:\s]*:\s*/, "")
    .replace(/;\s*please report this issue.*$/i, "")
    .replace(/\s*\(caused by .*\)$/, "")
    .slice(0, 300);
}
