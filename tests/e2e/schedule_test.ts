/** Scheduled downloads end to end: confirmation, firing on time, /schedules, an app restart. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { probeFile, startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { FakeTelegram, type FakeUser } from "../support/fake_telegram.ts";
import { serveApp } from "../support/fleet.ts";

async function reply(telegram: FakeTelegram, user: FakeUser, text: string, pattern: RegExp) {
  const before = telegram.messages(user.id).length;
  user.sendText(text);
  return await telegram.waitFor(() =>
    telegram.messages(user.id).slice(before).find((m) => pattern.test(m.text ?? ""))
  );
}

Deno.test("[e2e/schedule] a download a few seconds ahead starts on time and delivers; cancelled ones do not run", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ DEFAULT_TIMEZONE: "Europe/Paris" });
  const { telegram } = bed;
  const user = telegram.user(6101, { languageCode: "en" });

  const usage = await reply(telegram, user, "/schedule 20:00", /Download a link later/);
  assertMatch(usage.text ?? "", /tomorrow 8am/);
  await reply(telegram, user, `/schedule ${lab.urls.page} whenever`, /did not understand/);
  await reply(telegram, user, `/schedule ${lab.urls.page} yesterday at 8pm`, /already past/);
  await reply(telegram, user, `/schedule ${lab.urls.page} in 3 months`, /too far ahead/);
  // the link is checked now, not when it runs
  await reply(
    telegram,
    user,
    "/schedule https://me:secret@example.com/v in 2 hours",
    /not a link I can open/,
  );

  const tomorrow = await reply(
    telegram,
    user,
    `/schedule ${lab.urls.audioPage} tomorrow 8am`,
    /Scheduled/,
  );
  assertMatch(tomorrow.text ?? "", /at 8:00\sAM \(Europe\/Paris\)/);
  const requestedAt = Date.now();
  const confirmation = await reply(
    telegram,
    user,
    `/schedule ${lab.urls.page} in 3 seconds`,
    /Scheduled/,
  );
  assertMatch(confirmation.text ?? "", /\d{1,2}:\d{2}\s[AP]M \(Europe\/Paris\)/);
  assert(buttons(confirmation).some((b) => b.data.startsWith("sc:x:")), "a cancel button");
  const cancelled = await reply(
    telegram,
    user,
    `/schedule ${lab.urls.song} in 5 seconds`,
    /Scheduled/,
  );
  user.pressButton(cancelled.message, dataFor(cancelled, "✖️ Cancel this download"));
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Scheduled download cancelled/.test(m.text ?? ""))
  );

  const notice = await telegram.waitFor(
    () =>
      telegram.messages(user.id).find((m) =>
        /Starting the download you scheduled/.test(m.text ?? "")
      ),
    { timeoutMs: 30_000 },
  );
  const startedAfterMs = notice.message.date * 1000 - requestedAt;
  assert(startedAfterMs >= 2_000, `not before its time (${startedAfterMs} ms)`);
  await waitForFile(telegram, user.id, "video");
  assert(
    !telegram.messages(user.id).some((m) => m.media?.kind === "audio"),
    "the cancelled one did not run",
  );
  assertEquals(
    telegram.messages(user.id).filter((m) => /Starting the download/.test(m.text ?? "")).length,
    1,
  );

  const list = await reply(telegram, user, "/schedules", /Your scheduled downloads/);
  assertMatch(list.text ?? "", /1\. .*\/listen\/song/);
  assert(!/watch\/clip|media\/song/.test(list.text ?? ""), "run and cancelled ones leave the list");
  user.pressButton(list.message, dataFor(list, "✖️ 1"));
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === list.messageId && /Nothing scheduled/.test(m.text ?? "")
    )
  );
});

Deno.test("[e2e/schedule] a schedule survives an app restart and runs once the app is back", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-schedule-" });
  try {
    const env = { WORKERS: "1", DEFAULT_TIMEZONE: "Europe/Paris" };
    const first = await serveApp(telegram, dataDir, { env });
    const user = telegram.user(6201, { languageCode: "fr" });
    await reply(telegram, user, `/schedule ${lab.urls.page} dans 3 secondes`, /C’est programmé/);
    await first.stop();
    // the app is down when the time comes
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    assert(
      !telegram.messages(user.id).some((m) => /Je lance le téléchargement/.test(m.text ?? "")),
      "nothing ran while the app was down",
    );
    const second = await serveApp(telegram, dataDir, { env });
    try {
      await waitForFile(telegram, user.id, "video");
      const notices = telegram.messages(user.id).filter((m) =>
        /Je lance le téléchargement que vous avez programmé/.test(m.text ?? "")
      );
      assertEquals(notices.length, 1);
    } finally {
      await second.stop();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("[e2e/schedule] audio or a quality after the time: shown in the confirmation and downloaded; without one, audio for a user who prefers it", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const en = telegram.user(6301, { languageCode: "en" });
  const fr = telegram.user(6302, { languageCode: "fr" });
  const prefersAudio = telegram.user(6303, { languageCode: "en" });

  const audio = await reply(telegram, en, `/schedule ${lab.urls.page} in 3 seconds audio`, /Sched/);
  assertMatch(audio.text ?? "", /🎞 Quality: 🎵 Audio only/);
  const later = await reply(telegram, en, `/schedule ${lab.urls.page} 720p tomorrow 8am`, /Sched/);
  assertMatch(later.text ?? "", /🎞 Quality: 720p/);
  const list = await reply(telegram, en, "/schedules", /Your scheduled downloads/);
  assertMatch(list.text ?? "", /· 🎵 Audio only\n/);
  assertMatch(list.text ?? "", /· 720p$/);

  const small = await reply(
    telegram,
    fr,
    `/schedule ${lab.urls.page}?copy=1 dans 3 secondes 360P`,
    /programmé/,
  );
  assertMatch(small.text ?? "", /🎞 Qualité : 360p/);

  await reply(telegram, prefersAudio, "/start", /Your account/);
  await system.users.update(prefersAudio.id, (profile) => ({
    ...profile!,
    prefs: { ...profile!.prefs, preferAudio: true, defaultQuality: "720" },
  }));
  const plain = await reply(
    telegram,
    prefersAudio,
    `/schedule ${lab.urls.page}?copy=2 in 3 seconds`,
    /Scheduled/,
  );
  assert(!/Quality/.test(plain.text ?? ""), "nothing asked, nothing shown");

  await waitForFile(telegram, en.id, "audio");
  const video = await waitForFile(telegram, fr.id, "video");
  assertEquals((await probeFile(telegram.filePath(video.media!.fileId))).height, 360);
  await waitForFile(telegram, prefersAudio.id, "audio");
  assert(
    ![en, fr, prefersAudio].some((user) =>
      telegram.messages(user.id).some((m) =>
        m.media && m.media.kind !== (user === fr ? "video" : "audio")
      )
    ),
    "each got only what was asked",
  );
});

Deno.test("[e2e/schedule] a run keeps to the user's places: with every place taken it does not start, and says why", async () => {
  await using lab = await startMediaLab({ throttleBytesPerSecond: 20_000 });
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const user = telegram.user(6401, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  // the free plan's four places, taken by slow downloads
  for (const label of ["⭐ Best", "720p", "360p", "🎵 Audio only"]) {
    user.pressButton(preview.message, dataFor(preview, new RegExp(`^(👍 )?${label}$`)));
  }
  await waitUntil(
    async () => (await system.queue.listActiveByUser(user.id)).length === 4,
    "four downloads running",
  );
  await reply(telegram, user, `/schedule ${lab.urls.audioPage} in 2 seconds`, /Scheduled/);
  const refused = await telegram.waitFor(
    () =>
      telegram.messages(user.id).find((m) =>
        /could not start/.test(m.text ?? "") && /already have 4 requests/.test(m.text ?? "")
      ),
    { timeoutMs: 30_000 },
  );
  assertMatch(refused.text ?? "", /listen\/song/);
  assertEquals((await system.queue.listActiveByUser(user.id)).length, 4, "nothing more queued");
  user.sendText("/cancel");
  await waitUntil(
    async () => (await system.queue.listActiveByUser(user.id)).length === 0,
    "the downloads cancelled",
  );
});
