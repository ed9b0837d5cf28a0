/** XP, achievements, /profile, /top and invite links, end to end through the fake Bot API. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { waitUntil } from "../support/wait.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import { middayTimezone, startTestSystem } from "../support/system.ts";
import type { FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { getXp } from "../../kv/xp.ts";
import { outboxKey } from "../../kv/jobs.ts";
import { type Job } from "../../media/job_types.ts";

function count(telegram: FakeTelegram, user: FakeUser, pattern: RegExp): number {
  return telegram.messages(user.id).filter((m) => pattern.test(m.text ?? "")).length;
}

Deno.test("[e2e/gamification] first download, /profile, /top and an invite link, each counted once", async (t) => {
  await using lab = await startMediaLab();
  // at midday, so that no night owl joins the first download's achievements
  await using bed = await startTestSystem({ DEFAULT_TIMEZONE: middayTimezone() });
  const { telegram, system } = bed;
  const amelie = telegram.user(8001, { firstName: "Amélie", languageCode: "fr" });
  let invite = "";

  await t.step(
    "a first download gives Premier Pas and its notice once, though its job is reported twice",
    async () => {
      amelie.sendText(lab.urls.page);
      const preview = await waitForPreview(telegram, amelie.id);
      amelie.pressButton(preview.message, dataFor(preview, /360p$/));
      await waitForFile(telegram, amelie.id, "video");
      const notice = await telegram.waitFor(() =>
        telegram.messages(amelie.id).find((m) =>
          /Succès débloqué : 🎯 Premier Pas/.test(m.text ?? "")
        )
      );
      assertMatch(notice.text ?? "", /premier téléchargement · \+50 XP/);

      // an instance died after delivering and before clearing the job's outbox entry: once its
      // lease ran out, another instance reports the job again
      const jobs: Job[] = [];
      for await (const { value: job } of system.kv.list<Job>({ prefix: ["jobs"] })) {
        if (job.userId === amelie.id && job.payload.kind === "download") jobs.push(job);
      }
      assertEquals(jobs.length, 1);
      await system.kv.set(outboxKey(jobs[0].id), { jobId: jobs[0].id, attempts: 1 });
      await system.jobs.report(jobs[0]);
      await system.jobs.settled();
      await system.events.settled();
      assertEquals(count(telegram, amelie, /Premier Pas/), 1);
      assertEquals(telegram.messages(amelie.id).filter((m) => m.media?.kind === "video").length, 1);
      assertEquals(
        (await getXp(system.kv, amelie.id))?.xp,
        10 + 50 + 5,
        "download, Premier Pas, today's visit",
      );
    },
  );

  await t.step("/profile, its menu button and /top render", async () => {
    const profile = await reply(telegram, amelie, "/profile", /niveau 0/);
    const text = profile.text ?? "";
    assertMatch(text, /Amélie · niveau 0/);
    assertMatch(text, /65 XP · encore 35 XP pour le niveau 1/);
    assertMatch(text, /[█▏▎▍▌▋▊▉░]{16}/);
    assertMatch(text, /Rang : #1 sur 1 · cette semaine : #1/);
    assertMatch(text, /Série : 1 jour \(record : 1\)/);
    assertMatch(text, /Badges : 🎯/);
    invite = /t\.me\/\w+\?start=(ref_[\w-]+)/.exec(text)?.[1] ?? "";
    assert(invite, `an invite link in ${text}`);
    assertEquals(buttons(profile).map((b) => b.data), ["gm:achievements", "gm:top"]);

    const menu = await reply(telegram, amelie, "/start", /Votre compte/);
    const before = count(telegram, amelie, /niveau 0/);
    amelie.pressButton(menu.message, dataFor(menu, "🏆 Profil"));
    await telegram.waitFor(() => count(telegram, amelie, /niveau 0/) > before || undefined);

    const top = await reply(telegram, amelie, "/top", /Classement/);
    assertMatch(top.text ?? "", /Depuis toujours\n🥇 Amélie · niveau 0 · 65 XP\nVous : #1 · 65 XP/);
    assertMatch(top.text ?? "", /Cette semaine.*\n🥇 Amélie · niveau 0 · 65 XP/);

    const achievements = await reply(telegram, amelie, "/achievements", /Succès · 1\/12/);
    assertMatch(achievements.text ?? "", /✅ 🎯 Premier Pas/);
    assertMatch(
      achievements.text ?? "",
      /🔒 💪 Power User — 100 téléchargements · \+500 XP\n\S+ 1\/100/,
    );
  });

  await t.step(
    "an invite link credits the inviter once; oneself and a repeated /start do nothing",
    async () => {
      await reply(telegram, amelie, `/start ${invite}`, /Votre compte/);
      const bruno = telegram.user(8002, { firstName: "Bruno", languageCode: "en" });
      const start = bruno.sendText(`/start ${invite}`);
      await telegram.waitFor(() =>
        telegram.messages(bruno.id).find((m) => /Your account/.test(m.text ?? ""))
      );
      assertEquals(count(telegram, bruno, /Welcome! You came through Amélie’s invite/), 1);
      bruno.sendUpdate({ message: start.message });
      await telegram.waitFor(() => count(telegram, bruno, /Your account/) === 2 || undefined);
      assertEquals(
        count(telegram, bruno, /Welcome!/),
        1,
        "the repeated /start is not a second referral",
      );

      // Bruno's first download: a cache hit of Amélie's file
      for (let i = 0; i < 2; i++) {
        const before = telegram.messages(bruno.id).length;
        bruno.sendText(lab.urls.page);
        const preview = await waitForPreview(
          telegram,
          bruno.id,
          telegram.messages(bruno.id)[before - 1].messageId,
        );
        bruno.pressButton(preview.message, dataFor(preview, /360p$/));
        await waitForFile(telegram, bruno.id, "video", preview.messageId);
      }
      const credit = await telegram.waitFor(() =>
        telegram.messages(amelie.id).find((m) =>
          /Bruno est arrivé grâce à votre invitation/.test(m.text ?? "")
        )
      );
      assertMatch(credit.text ?? "", /\+100 XP/);
      await system.events.settled();
      assertEquals(count(telegram, amelie, /arrivé grâce à votre invitation/), 1);
      assertEquals(count(telegram, amelie, /Niveau 1 !/), 1, "65 + 100 XP is level 1");
      assertEquals((await getXp(system.kv, amelie.id))?.xp, 165);
      // two downloads, Premier Pas and today's visit; a file can be out before its event
      await waitUntil(
        async () => (await getXp(system.kv, bruno.id))?.xp === 2 * 10 + 50 + 5,
        "Bruno's XP",
        5_000,
      );
    },
  );
});
