/** Scheduled downloads end to end: confirmation, firing on time, /schedules, an app restart. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
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
