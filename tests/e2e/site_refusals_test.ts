/**
 * Failures users understand, end to end: sites refusing the real yt-dlp (401, 403, 404, 410, 429,
 * 451), and a fake yt-dlp printing today's messages, each told to the user as what they can do,
 * in their language, counted by reason (batch items too), and bot checks watched in /admin.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { type LabRefusalStatus, startMediaLab } from "../support/media_lab.ts";
import { FakeYtdlp } from "../support/fake_ytdlp.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import type { FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { createI18n, type Translate, translatorFor } from "../../i18n/translations.ts";
import { getLabelCounts, lastDays } from "../../kv/analytics.ts";
import type { Job } from "../../media/job_types.ts";

const i18n = await createI18n();

function waitForText(telegram: FakeTelegram, user: FakeUser, text: string, timeoutMs = 60_000) {
  return telegram.waitFor(
    () => telegram.messages(user.id).find((m) => m.text === text),
    { timeoutMs },
  );
}

/** The failures counted by reason once `total` are (analytics writes in batches, each second). */
function failureCounts(kv: Deno.Kv, total: number): Promise<Record<string, number>> {
  return waitUntil(async () => {
    const counts = await getLabelCounts(kv, lastDays(1), "download_failed", "reason");
    const counted = counts.reduce((sum, [, n]) => sum + n, 0);
    return counted >= total && Object.fromEntries(counts);
  }, `${total} failures counted`);
}

Deno.test("[e2e] sites refusing the link (401, 403, 404, 410, 451) are told as what the user can do, in their language, and counted by reason", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const cases: [LabRefusalStatus, string, string][] = [
    [401, "en", "error-needs-login"],
    [403, "fr", "error-needs-login"],
    [404, "en", "error-unavailable"],
    [410, "fr", "error-unavailable"],
    [451, "en", "error-geo-blocked"],
  ];
  await Promise.all(cases.map(async ([status, lang, key], i) => {
    const user = telegram.user(2000 + i, { languageCode: lang });
    user.sendText(lab.refusal(status));
    await waitForText(telegram, user, translatorFor(i18n, lang)(key));
  }));
  assertEquals(await failureCounts(system.kv, cases.length), {
    needs_login: 2,
    unavailable: 2,
    geo_blocked: 1,
  });
});

Deno.test("[e2e] a site that keeps answering 429 is tried again later, then the user hears that it limits us", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const user = telegram.user(2100, { languageCode: "en" });
  user.sendText(lab.refusal(429));
  await waitForText(telegram, user, translatorFor(i18n, "en")("error-site-rate-limited"), 120_000);
  const jobs: Job[] = [];
  for await (const entry of system.kv.list<Job>({ prefix: ["jobs"] })) jobs.push(entry.value);
  assertEquals(jobs.map((job) => [job.state, job.error?.code]), [["dead", "rate_limited"]]);
  assertEquals(jobs[0].attempts, jobs[0].maxAttempts, "tried again later, up to its last attempt");
  assertEquals(await failureCounts(system.kv, 1), { rate_limited: 1 });
});

/** yt-dlp 2026.11.23's words for each reason, as a site's refusal reaches its stderr. */
const MESSAGES: [stderr: string, key: string][] = [
  [
    "ERROR: [youtube] dQw4w9WgXcQ: Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies for the authentication.",
    "error-needs-login",
  ],
  [
    "ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate for some users.",
    "error-age-restricted",
  ],
  [
    "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this video",
    "error-private",
  ],
  [
    "ERROR: [youtube] abc: The uploader has not made this video available in your country.",
    "error-geo-blocked",
  ],
  [
    "ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
    "error-unavailable",
  ],
  ["ERROR: [youtube] abc: This live event will begin in 3 hours.", "error-not-live-yet"],
  ["ERROR: Unsupported URL: http://127.0.0.1:9/nothing", "error-unsupported"],
];

Deno.test("[e2e] a fake yt-dlp printing today's messages: each one's message, batch items counted too, and /admin warns of a spike of bot checks", async () => {
  await using ytdlp = await FakeYtdlp.create();
  await using bed = await startTestSystem({ YTDLP_PATH: ytdlp.path, ADMIN_IDS: "2999" });
  const { telegram, system } = bed;
  const en: Translate = translatorFor(i18n, "en");
  for (const [i, [stderr, key]] of MESSAGES.entries()) {
    await ytdlp.answerWith({ stderr: `${stderr}\n`, exitCode: 1 });
    const user = telegram.user(2200 + i, { languageCode: "en" });
    user.sendText(`http://127.0.0.1:9/watch?v=${i}`);
    await waitForText(telegram, user, en(key));
  }

  // more bot checks within the hour, two of them as items of a batch
  await ytdlp.answerWith({ stderr: `${MESSAGES[0][0]}\n`, exitCode: 1 });
  for (let i = 0; i < 3; i++) {
    const user = telegram.user(2300 + i, { languageCode: "en" });
    user.sendText(`http://127.0.0.1:9/watch?v=bot${i}`);
    await waitForText(telegram, user, en("error-needs-login"));
  }
  const batcher = telegram.user(2400, { languageCode: "en" });
  batcher.sendText("/batch http://127.0.0.1:9/watch?v=b1 http://127.0.0.1:9/watch?v=b2");
  const summary = await telegram.waitFor(() =>
    telegram.messages(batcher.id).find((m) =>
      /— finished/.test(m.text ?? "") && m.text?.includes(en("batch-reason-needs_login"))
    )
  );
  assert(summary.text?.includes("❌ 2"), summary.text);
  const counts = await failureCounts(system.kv, MESSAGES.length + 5);
  assertEquals(counts.needs_login, 6, JSON.stringify(counts));
  for (const reason of ["age_restricted", "private", "geo_blocked", "unavailable"]) {
    assertEquals(counts[reason], 1, reason);
  }
  assertEquals([counts.not_live_yet, counts.unsupported], [1, 1]);

  const admin = telegram.user(2999, { languageCode: "en" });
  admin.sendText("/admin");
  const dashboard = await telegram.waitFor(() =>
    telegram.messages(admin.id).find((m) => m.text?.includes("🤖"))
  );
  assert(dashboard.text?.includes(en("admin-bot-checks", { hour: 6, day: 6 })), dashboard.text);
  assert(dashboard.text?.includes(en("admin-bot-checks-spike", { hour: 6, mean: "0" })));
});
