/**
 * Hostile use of the quota and the per-user limits through the whole bot: time zone changes
 * meant to open new quotas, and floods of concurrent requests meant to hold every worker.
 * Escapes are bytes delivered, or jobs admitted, beyond what the plan allows.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import type { FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { startTestSystem } from "../support/system.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { waitUntil } from "../support/wait.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { ACTIVE_JOB_LIMITS, isHeavyJob } from "../../kv/job_limits.ts";

const MB = 1024 * 1024;
/** Telegram's per-chat pace would make this a slow test of the throttle instead */
const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 1_000,
  privatePerSecond: 1_000,
  groupBurst: 3,
  groupPerSecond: 1,
};

/** From UTC-12 to UTC+14, the odd offsets included: each a "new day" under a per-day count. */
const ZONES = [
  ...["Pacific/Kiritimati", "Pacific/Chatham", "Pacific/Auckland", "Pacific/Tongatapu"],
  ...["Asia/Kamchatka", "Australia/Lord_Howe", "Australia/Adelaide", "Asia/Tokyo"],
  ...["Asia/Pyongyang", "Australia/Eucla", "Asia/Shanghai", "Asia/Jakarta"],
  ...["Asia/Yangon", "Asia/Dhaka", "Asia/Kathmandu", "Asia/Kolkata"],
  ...["Asia/Karachi", "Asia/Kabul", "Asia/Dubai", "Asia/Tehran"],
  ...["Europe/Moscow", "Europe/Helsinki", "Europe/Paris", "Europe/London"],
  ...["Atlantic/Azores", "Atlantic/South_Georgia", "America/Noronha", "America/St_Johns"],
  ...["America/Sao_Paulo", "America/Caracas", "America/New_York", "America/Chicago"],
  ...["America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Marquesas"],
  ...["Pacific/Honolulu", "Pacific/Pago_Pago", "Etc/GMT+12", "Etc/GMT-14"],
];
/** zones per user: each user stays under the bot's rate limit of 30 updates in 30 s */
const ZONES_PER_USER = 8;

function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

function deliveredBytes(telegram: FakeTelegram, chatId: number): number {
  return telegram.messages(chatId).reduce((sum, m) => sum + (m.media?.fileSize ?? 0), 0);
}

function crashes(telegram: FakeTelegram, chatIds: number[]): number {
  return chatIds.flatMap((id) => telegram.messages(id))
    .filter((m) => /Something went wrong|Une erreur/.test(m.text ?? "")).length;
}

Deno.test("[security] zone-change quota: no time zone opens a new quota", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ FREE_QUOTA_MB: "0.5" }, { throttle: FAST });
  const { telegram, system } = bed;
  const limit = 0.5 * MB;
  // a first user puts the 720p file in the cache: the others receive it as cache hits
  const seeder = telegram.user(9500, { languageCode: "en" });
  seeder.sendText(lab.urls.page);
  const seeded = await waitForPreview(telegram, seeder.id);
  seeder.pressButton(seeded.message, dataFor(seeded, "720p"));
  await waitForFile(telegram, seeder.id, "video");

  let inputs = 0;
  const users: FakeUser[] = [];
  for (let start = 0; start < ZONES.length; start += ZONES_PER_USER) {
    const user = telegram.user(9501 + users.length, { languageCode: "en" });
    users.push(user);
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    await waitForFile(telegram, user.id, "video");
    for (const zone of ZONES.slice(start, start + ZONES_PER_USER)) {
      await reply(telegram, user, `/settings timezone ${zone}`, literally(zone));
      for (const quality of ["720p", "360p"]) {
        const before = telegram.messages(user.id).length;
        user.pressButton(preview.message, dataFor(preview, quality));
        inputs++;
        await telegram.waitFor(() =>
          telegram.messages(user.id).slice(before).find((m) =>
            m.media !== undefined || /Quota reached/.test(m.text ?? "")
          )
        );
      }
    }
  }
  await system.jobs.settled();
  const quota = new QuotaStore(system.kv);
  let escapes = 0;
  for (const user of users) {
    escapes += Math.max(0, deliveredBytes(telegram, user.id) - limit);
    const usage = await quota.usage(user.id, "UTC", limit);
    assert(usage.usedBytes + usage.heldBytes <= limit, `${user.id} counted within the plan`);
  }
  assertEquals(escapes, 0, "bytes delivered beyond the plan");
  const crashed = crashes(telegram, users.map((u) => u.id));
  assertEquals(crashed, 0);
  await reportHostile({
    name: "zone-change quota",
    inputs,
    escapes,
    wrongFiles: 0,
    crashes: crashed,
  });
});

Deno.test("[security] per-user job floods: concurrent requests never take more than the plan's places", async () => {
  await using lab = await startMediaLab();
  // no worker: every admitted job keeps its place until the end
  await using bed = await startTestSystem({ WORKERS: "0" }, { throttle: FAST });
  const { telegram, system } = bed;
  const live = lab.startLive();
  try {
    const floods = [
      telegram.user(9601, { languageCode: "fr" }),
      telegram.user(9602, { languageCode: "en" }),
    ];
    // within the bot's rate limit of 30 updates in 30 s, all sent at once
    const requests = [
      ...Array.from({ length: 14 }, (_, i) => `${lab.urls.page}?flood=${i}`),
      ...Array.from({ length: 8 }, () => `/record ${live.url} 30`),
      ...Array.from({ length: 6 }, (_, i) => `/subs ${lab.urls.page}?subs=${i} en`),
    ];
    for (const user of floods) for (const text of requests) user.sendText(text);
    const count = (user: FakeUser, pattern: RegExp) =>
      telegram.messages(user.id).filter((m) => !m.deleted && pattern.test(m.text ?? "")).length;
    // a status message goes out just before its job is queued (and is deleted if it lost the race)
    const statuses = /J’analyse|Looking at|En file|Queued|Je cherche|Looking for/;
    // a recording reserves what quota is left: another may be refused by that instead
    const refusals = /Vous avez déjà|You already have|Quota atteint|Quota reached/;
    for (const user of floods) {
      await waitUntil(async () => {
        const started = count(user, statuses);
        return started + count(user, refusals) === requests.length &&
          (await system.queue.listActiveByUser(user.id)).length === started;
      }, `every request of ${user.id} answered`);
    }
    const { places, heavy } = ACTIVE_JOB_LIMITS.free;
    let escapes = 0;
    for (const user of floods) {
      const active = await system.queue.listActiveByUser(user.id);
      const heavyActive = active.filter((job) => isHeavyJob(job.payload)).length;
      escapes += Math.max(0, active.length - places) + Math.max(0, heavyActive - heavy);
      assertEquals(active.length, places, "the places are all taken, no more");
    }
    assertEquals(escapes, 0, "jobs admitted beyond the plan");
    const crashed = crashes(telegram, floods.map((u) => u.id));
    assertEquals(crashed, 0);
    await reportHostile({
      name: "per-user job floods",
      inputs: requests.length * floods.length,
      escapes,
      wrongFiles: 0,
      crashes: crashed,
    });
  } finally {
    live.stop();
  }
});
