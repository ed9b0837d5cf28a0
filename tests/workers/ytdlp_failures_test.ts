/**
 * yt-dlp's failures read into reasons: today's messages (yt-dlp 2026.11.23's own texts and the
 * sites' it repeats), a fake yt-dlp printing each one, and the real yt-dlp refused by the media lab.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeYtdlp } from "../support/fake_ytdlp.ts";
import { LAB_REFUSALS, type LabRefusalStatus, startMediaLab } from "../support/media_lab.ts";
import { MediaError } from "../../media/media_types.ts";
import { FAILURE_REASONS } from "../../media/failure_reasons.ts";
import { classifyYtdlpFailure } from "../../workers/ytdlp_failures.ts";
import { runYtdlp } from "../../workers/ytdlp_run.ts";

const COOKIES_HINT = "Use --cookies-from-browser or --cookies for the authentication. See  " +
  "https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually " +
  "pass cookies. Also see  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#exporting-youtube-cookies" +
  "  for tips on effectively exporting YouTube cookies";
const ANY_LOGIN_HINT = "Use --cookies, --cookies-from-browser, --username and --password, " +
  "--netrc-cmd, or --netrc (instagram) to provide account credentials. See  " +
  "https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually " +
  "pass cookies";
const REPORT = "; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , " +
  "filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U";

/** ERROR lines as yt-dlp 2026.11.23 prints them (extractor prefix, id, message). */
const TODAYS_FAILURES: { stderr: string; code: string; retryable: boolean }[] = [
  // needs_login: YouTube's bot check and captcha, raise_login_required, sites' own words
  {
    stderr: `ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you’re not a bot. ${COOKIES_HINT}`,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you're not a bot. This helps protect " +
      `our community. ${COOKIES_HINT}`,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr: "ERROR: [youtube] abc: Please confirm you are human. YouTube is requiring a captcha " +
      "challenge before playback",
    code: "needs_login",
    retryable: false,
  },
  {
    stderr:
      `ERROR: [vimeo] 123: This video is only available for registered users. ${ANY_LOGIN_HINT}`,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr: "ERROR: [instagram] Cx1: Requested content is not available, rate-limit reached or " +
      `login required. ${ANY_LOGIN_HINT}`,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [instagram] Cx1: The webpage request was redirected to the login page. You have " +
      `exceeded the rate-limit for accessing posts anonymously. ${ANY_LOGIN_HINT}`,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr: "ERROR: [TikTok] 73: TikTok is requiring login for access to this content. " +
      ANY_LOGIN_HINT,
    code: "needs_login",
    retryable: false,
  },
  {
    stderr: "ERROR: [generic] 403: Unable to download webpage: HTTP Error 403: Forbidden " +
      "(caused by <HTTPError 403: Forbidden>)",
    code: "needs_login",
    retryable: false,
  },
  {
    stderr: "ERROR: [generic] 401: Unable to download webpage: HTTP Error 401: Unauthorized " +
      "(caused by <HTTPError 401: Unauthorized>)",
    code: "needs_login",
    retryable: false,
  },
  // age_restricted
  {
    stderr: "ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate " +
      `for some users. ${COOKIES_HINT}`,
    code: "age_restricted",
    retryable: false,
  },
  {
    stderr: `ERROR: [twitter] 17: NSFW tweet requires authentication. ${ANY_LOGIN_HINT}`,
    code: "age_restricted",
    retryable: false,
  },
  // private
  {
    stderr: "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this " +
      `video. ${COOKIES_HINT}`,
    code: "private",
    retryable: false,
  },
  {
    stderr: "ERROR: [youtube] abc: Join this channel to get access to members-only content like " +
      "this video, and other exclusive perks.",
    code: "private",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [TikTok] 73: You do not have permission to view this post. Log into an account " +
      `that has access. ${ANY_LOGIN_HINT}`,
    code: "private",
    retryable: false,
  },
  {
    stderr:
      `ERROR: [twitter] 17: You are not authorized to view this protected tweet. ${ANY_LOGIN_HINT}`,
    code: "private",
    retryable: false,
  },
  // geo_blocked
  {
    stderr: "ERROR: [youtube] abc: The uploader has not made this video available in your country.",
    code: "geo_blocked",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [arte] abc: This video is not available from your location due to geo restriction",
    code: "geo_blocked",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [generic] 451: Unable to download webpage: HTTP Error 451: Unavailable For Legal " +
      "Reasons (caused by <HTTPError 451: Unavailable For Legal Reasons>)",
    code: "geo_blocked",
    retryable: false,
  },
  {
    stderr: "ERROR: [TikTok] 73: Your IP address is blocked from accessing this post",
    code: "geo_blocked",
    retryable: false,
  },
  // unavailable
  {
    stderr: "ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
    code: "unavailable",
    retryable: false,
  },
  {
    stderr:
      "ERROR: [youtube] abc: Video unavailable. This video is no longer available because the " +
      "YouTube account associated with this video has been terminated.",
    code: "unavailable",
    retryable: false,
  },
  {
    stderr: "ERROR: [generic] 404: Unable to download webpage: HTTP Error 404: Not Found " +
      "(caused by <HTTPError 404: Not Found>)",
    code: "unavailable",
    retryable: false,
  },
  {
    stderr: "ERROR: [generic] 410: Unable to download webpage: HTTP Error 410: Gone " +
      "(caused by <HTTPError 410: Gone>)",
    code: "unavailable",
    retryable: false,
  },
  {
    stderr: "ERROR: [twitter:broadcast] 1y: This broadcast is no longer available",
    code: "unavailable",
    retryable: false,
  },
  // not_live_yet
  {
    stderr: "ERROR: [youtube] abc: This live event will begin in 3 hours.",
    code: "not_live_yet",
    retryable: false,
  },
  { stderr: "ERROR: [youtube] abc: Premieres in 2 hours", code: "not_live_yet", retryable: false },
  {
    stderr: "ERROR: [eplus] abc: This live event will begin at 2026-12-24 20:00:00 JST",
    code: "not_live_yet",
    retryable: false,
  },
  {
    stderr: "ERROR: [twitch:stream] someone: The channel is not currently live",
    code: "not_live_yet",
    retryable: false,
  },
  // unsupported
  {
    stderr: "ERROR: Unsupported URL: https://example.com/login/unavailable-page",
    code: "unsupported",
    retryable: false,
  },
  {
    stderr: "ERROR: [generic] abc: No video formats found!" + REPORT,
    code: "unsupported",
    retryable: false,
  },
  {
    stderr: "ERROR: [netflix] abc: This video is DRM protected",
    code: "unsupported",
    retryable: false,
  },
  // rate_limited
  {
    stderr: "ERROR: [generic] 429: Unable to download webpage: HTTP Error 429: Too Many Requests " +
      "(caused by <HTTPError 429: Too Many Requests>)",
    code: "rate_limited",
    retryable: true,
  },
  {
    stderr: "ERROR: [youtube] abc: This content isn't available, try again later. The current " +
      "session has been rate-limited by YouTube for up to an hour. It is recommended to use `-t " +
      "sleep` to add a delay between video requests to avoid exceeding the rate limit. For more " +
      "information, refer to  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#this-content-isnt-available-try-again-later",
    code: "rate_limited",
    retryable: true,
  },
  // too_large
  {
    stderr: "ERROR: File is larger than max-filesize (92837465 bytes > 52428800 bytes). Aborting.",
    code: "too_large",
    retryable: false,
  },
  // network
  {
    stderr:
      "ERROR: [generic] 503: Unable to download webpage: HTTP Error 503: Service Unavailable " +
      "(caused by <HTTPError 503: Service Unavailable>)",
    code: "network",
    retryable: true,
  },
  {
    stderr: "ERROR: [generic] None: Unable to download webpage: [Errno 111] Connection refused " +
      "(caused by TransportError('[Errno 111] Connection refused'))",
    code: "network",
    retryable: true,
  },
  {
    stderr: "ERROR: [generic] None: Unable to download webpage: The read operation timed out " +
      "(caused by TransportError('The read operation timed out'))",
    code: "network",
    retryable: true,
  },
  {
    stderr: "ERROR: [download] Got error: ('Connection aborted.', ConnectionResetError(104, " +
      "'Connection reset by peer'))",
    code: "network",
    retryable: true,
  },
  {
    stderr: "ERROR: [generic] None: Unable to download webpage: [Errno -3] Temporary failure in " +
      "name resolution (caused by TransportError('[Errno -3] Temporary failure in name resolution'))",
    code: "network",
    retryable: true,
  },
  // nothing that says what the user can do
  {
    stderr: "ERROR: [youtube] abc: Requested format is not available. Use --list-formats for a " +
      "list of available formats",
    code: "failed",
    retryable: false,
  },
  {
    stderr: "ERROR: Postprocessing: audio conversion failed: Unknown encoder 'aac'",
    code: "failed",
    retryable: false,
  },
  { stderr: "Traceback (most recent call last):\nKeyError: 'x'", code: "failed", retryable: false },
];

Deno.test("[workers/ytdlp_failures] today's yt-dlp messages are read into their reasons; only network and rate limits are retried", () => {
  for (const { stderr, code, retryable } of TODAYS_FAILURES) {
    const error = classifyYtdlpFailure(`[youtube] Extracting URL\n${stderr}\n`);
    assertEquals({ code: error.code, retryable: error.retryable }, { code, retryable }, stderr);
  }
  const covered = new Set(TODAYS_FAILURES.map((failure) => failure.code));
  assertEquals(FAILURE_REASONS.filter((reason) => !covered.has(reason)), [], "every reason met");
});

Deno.test("[workers/ytdlp_failures] the message kept is the error's own words, without yt-dlp's prefix, cause or report plea", () => {
  const error = classifyYtdlpFailure(
    "ERROR: [generic] abc: No video formats found!" + REPORT + "\n",
  );
  assertEquals(error.message, "No video formats found!");
  const forbidden = classifyYtdlpFailure(TODAYS_FAILURES[7].stderr);
  assertEquals(forbidden.message, "Unable to download webpage: HTTP Error 403: Forbidden");
});

Deno.test("[workers/ytdlp_failures] the egress guard's refusals are a generic failure, whatever was behind them", () => {
  const refused = classifyYtdlpFailure(
    "ERROR: unable to download video data: HTTP Error 403: Refused by the egress guard\n" +
      "ERROR: fragment 2 not found, unable to continue",
  );
  assertEquals([refused.code, refused.retryable], ["failed", false]);
});

Deno.test("[workers/ytdlp_failures] a fake yt-dlp printing each message fails its run with that reason", async () => {
  await using ytdlp = await FakeYtdlp.create();
  const options = { ytdlpPath: ytdlp.path, timeoutMs: 30_000 };
  for (const { stderr, code, retryable } of TODAYS_FAILURES) {
    await ytdlp.answerWith({ stderr: `[youtube] Extracting URL\n${stderr}\n`, exitCode: 1 });
    const error = await runYtdlp({ mode: "json", url: "https://example.test/v" }, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert(error instanceof MediaError, `${stderr}: ${error}`);
    assertEquals({ code: error.code, retryable: error.retryable }, { code, retryable }, stderr);
  }
});

Deno.test("[workers/ytdlp_failures] the real yt-dlp refused by a site (401, 403, 404, 410, 429, 451) fails with the reason each means", async () => {
  await using lab = await startMediaLab();
  const expected: Record<LabRefusalStatus, string> = {
    401: "needs_login",
    403: "needs_login",
    404: "unavailable",
    410: "unavailable",
    429: "rate_limited",
    451: "geo_blocked",
  };
  for (const status of LAB_REFUSALS) {
    const error = await runYtdlp({ mode: "json", url: lab.refusal(status) }, { timeoutMs: 60_000 })
      .then(() => undefined, (e: unknown) => e);
    assert(error instanceof MediaError, `${status}: ${error}`);
    assertEquals(error.code, expected[status], `${status}: ${error.message}`);
  }
});
