/** XP, streaks, leaderboards, referrals and achievements against real KV and the fake Bot API. */
import { createTelegramApi } from "../../lib/telegram.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { loadConfig } from "../../config.ts";
import { createI18n } from "../../i18n/translations.ts";
import { createLogger } from "../../lib/logger.ts";
import { addHistoryEntry } from "../../kv/history.ts";
import { UserStore } from "../../kv/users.ts";
import { EventBus } from "../../services/events.ts";
import { type Gamification, registerGamification } from "../../services/gamification.ts";
import {
  awardXp,
  getXp,
  getXpCounters,
  isoWeekOf,
  levelOf,
  listLeaderboard,
  placeOf,
  xpForLevel,
} from "../../kv/xp.ts";
import { getStreak } from "../../kv/streaks.ts";
import { listEarnedAchievements } from "../../kv/achievements.ts";
import { joinThroughReferral, referralCodeOf } from "../../kv/referrals.ts";
import type { MediaKind } from "../../media/media_types.ts";

const DAY = 86_400_000;
const GiB = 1024 ** 3;

interface Bed {
  kv: Deno.Kv;
  telegram: FakeTelegram;
  events: EventBus;
  users: UserStore;
  gamification: Gamification;
  clock: { now: number };
  player(id: number, options?: { timezone?: string; lang?: string }): Promise<void>;
  deliver(
    userId: number,
    key: string,
    options?: { size?: number; kind?: MediaKind; at?: number; emit?: boolean },
  ): Promise<void>;
  visit(userId: number, at: number): Promise<void>;
  earned(userId: number): Promise<string[]>;
  notices(userId: number, pattern: RegExp): number;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What a delivery records in the history, as the job service would. */
function delivery(userId: number, mediaId: string, kind: MediaKind = "video", size = 1_000_000) {
  return {
    userId,
    title: "Lab clip",
    url: "https://example.com/clip",
    webpageUrl: "https://example.com/clip",
    kind,
    variant: "720" as const,
    size,
    extractor: "generic",
    mediaId,
    fromCache: false,
  };
}

async function startBed(): Promise<Bed> {
  const kv = await Deno.openKv(":memory:");
  const telegram = await FakeTelegram.start();
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
  });
  const logger = createLogger("error");
  const users = new UserStore(kv);
  const events = new EventBus(logger);
  // Tuesday 10 March 2026, noon UTC
  const clock = { now: Date.UTC(2026, 2, 10, 12) };
  const gamification = registerGamification({
    kv,
    api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
    i18n: await createI18n(),
    events,
    users,
    config,
    logger,
    now: () => clock.now,
  });
  let updateId = 0;
  return {
    kv,
    telegram,
    events,
    users,
    gamification,
    clock,
    async player(id, { timezone, lang = "en" } = {}) {
      telegram.user(id, { languageCode: lang });
      await users.touch({ id, first_name: `Player ${id}`, language_code: lang });
      if (timezone) await users.update(id, (user) => ({ ...user!, timezone }));
    },
    async deliver(
      userId,
      key,
      { size = 1_000_000, kind = "video", at = clock.now, emit = true } = {},
    ) {
      const entry = await addHistoryEntry(kv, delivery(userId, key, kind, size), key, at);
      if (entry && emit) {
        events.emit({ type: "download_delivered", userId, key, entry, chatId: userId, lang: "en" });
      }
      await events.settled();
    },
    async visit(userId, at) {
      // as an update carries it: the user's time zone as read with the update
      const timezone = (await users.getFresh(userId))?.timezone;
      events.emit({
        type: "interaction",
        userId,
        key: `update:${++updateId}`,
        chatId: userId,
        lang: "en",
        at,
        timezone,
      });
      await events.settled();
    },
    async earned(userId) {
      return (await listEarnedAchievements(kv, userId)).map((a) => a.id).sort();
    },
    notices(userId, pattern) {
      return telegram.messages(userId).filter((m) => pattern.test(m.text ?? "")).length;
    },
    async [Symbol.asyncDispose]() {
      await events.settled();
      kv.close();
      await telegram.close();
    },
  };
}

Deno.test("[gamification] level = floor(sqrt(xp / 100)), exact at the boundaries", () => {
  const cases: [number, number][] = [
    [0, 0],
    [99, 0],
    [100, 1],
    [399, 1],
    [400, 2],
    [899, 2],
    [900, 3],
    [9_999, 9],
    [10_000, 10],
    [xpForLevel(9_000_000) - 1, 8_999_999],
    [xpForLevel(9_000_000), 9_000_000],
  ];
  for (const [xp, level] of cases) assertEquals(levelOf(xp), level, `level of ${xp} XP`);
  for (let level = 0; level < 2_000; level++) {
    assertEquals(levelOf(xpForLevel(level)), level);
    if (level > 0) assertEquals(levelOf(xpForLevel(level) - 1), level - 1);
  }
});

Deno.test("[gamification] a job or an update delivered twice pays once and notifies once", async () => {
  await using bed = await startBed();
  const { kv, events } = bed;
  await bed.player(1);
  const entry = await addHistoryEntry(kv, delivery(1, "m1"), "job-1", bed.clock.now);
  assert(entry);
  const delivered = {
    type: "download_delivered",
    userId: 1,
    key: "job-1",
    entry,
    chatId: 1,
    lang: "en",
  } as const;
  // reported twice at once, then once more later
  events.emit(delivered);
  events.emit(delivered);
  await events.settled();
  events.emit(delivered);
  const update = {
    type: "interaction",
    userId: 1,
    key: "update:7",
    chatId: 1,
    lang: "en",
    at: bed.clock.now,
  } as const;
  events.emit(update);
  events.emit(update);
  await events.settled();
  assertEquals(
    (await getXp(kv, 1))?.xp,
    10 + 50 + 5,
    "download, First Steps and the daily visit, once each",
  );
  assertEquals(bed.notices(1, /Achievement unlocked: 🎯 First Steps/), 1);
  assertEquals(await bed.earned(1), ["first-download"]);

  // crossing level 1 is announced once, by the award that crossed it
  for (const key of ["job-2", "job-3", "job-4", "job-4"]) await bed.deliver(1, key);
  events.emit({ ...delivered, key: "job-4" });
  await events.settled();
  assertEquals((await getXp(kv, 1))?.xp, 95);
  await bed.deliver(1, "job-5");
  assertEquals((await getXp(kv, 1))?.xp, 105);
  assertEquals(bed.notices(1, /Level 1!/), 1);

  // Premium pays 15 a download, and VIP comes with it, once
  await bed.player(2);
  await bed.users.update(2, (user) => ({ ...user!, premiumUntil: bed.clock.now + 30 * DAY }));
  await bed.deliver(2, "job-p1");
  events.emit({ type: "premium_granted", userId: 2, key: "payment:x" });
  events.emit({ type: "premium_granted", userId: 2, key: "payment:x" });
  await events.settled();
  assertEquals(await bed.earned(2), ["first-download", "vip"]);
  assertEquals((await getXp(kv, 2))?.xp, 15 + 50 + 200);
  assertEquals(bed.notices(2, /VIP/), 1);
});

Deno.test("[gamification] streaks follow each user's local midnight", async () => {
  await using bed = await startBed();
  const { kv } = bed;
  const paris = 11;
  const newYork = 12;
  await bed.player(paris, { timezone: "Europe/Paris" });
  await bed.player(newYork, { timezone: "America/New_York" });
  const at = (iso: string) => Date.parse(iso);

  // 23:30 in Paris, 18:30 in New York, on 10 March
  await bed.visit(paris, at("2026-03-10T22:30:00Z"));
  await bed.visit(newYork, at("2026-03-10T22:30:00Z"));
  assertEquals((await getXp(kv, paris))?.xp, 5);
  assertEquals((await getXp(kv, newYork))?.xp, 5);

  // one hour later it is 11 March in Paris only
  await bed.visit(paris, at("2026-03-10T23:30:00Z"));
  await bed.visit(newYork, at("2026-03-10T23:30:00Z"));
  assertEquals(await getStreak(kv, paris), { day: "2026-03-11", current: 2, best: 2 });
  assertEquals((await getXp(kv, paris))?.xp, 5 + 5 + 20, "the streak continues: daily + bonus");
  assertEquals(await getStreak(kv, newYork), { day: "2026-03-10", current: 1, best: 1 });

  // 23:59 then 00:01 in New York
  await bed.visit(newYork, at("2026-03-11T03:59:00Z"));
  assertEquals((await getXp(kv, newYork))?.xp, 5, "still 10 March there");
  await bed.visit(newYork, at("2026-03-11T04:01:00Z"));
  assertEquals(await getStreak(kv, newYork), { day: "2026-03-11", current: 2, best: 2 });
  assertEquals((await getXp(kv, newYork))?.xp, 30);

  // Paris skips 12 March: the streak starts again, the best is kept, no bonus
  await bed.visit(paris, at("2026-03-12T23:30:00Z"));
  assertEquals(await getStreak(kv, paris), { day: "2026-03-13", current: 1, best: 2 });
  assertEquals((await getXp(kv, paris))?.xp, 35);
  await bed.visit(paris, at("2026-03-13T10:00:00Z"));
  assertEquals((await getXp(kv, paris))?.xp, 35, "one visit a day");
});

Deno.test("[gamification] leaderboards: most XP first, ties to who got there first, a new board each week", async () => {
  await using bed = await startBed();
  const { kv } = bed;
  const monday = Date.UTC(2026, 2, 9, 8);
  const give = (userId: number, xp: number, at: number, action = `test:${at}`) =>
    awardXp(kv, userId, () => Promise.resolve({ action, xp, at }));
  await give(1, 300, monday + 1);
  await give(2, 500, monday + 2);
  await give(3, 300, monday + 3);
  await give(4, 100, monday);
  await give(4, 200, monday + 4);
  const allTime = { kind: "all" } as const;
  const thisWeek = { kind: "week", week: isoWeekOf(monday) } as const;
  const order = async (board: typeof allTime | typeof thisWeek) =>
    (await listLeaderboard(kv, board)).map((row) => [row.userId, row.xp]);
  assertEquals(await order(allTime), [[2, 500], [1, 300], [3, 300], [4, 300]]);
  assertEquals(await placeOf(kv, allTime, 3), 3);
  assertEquals(await placeOf(kv, allTime, 4), 4, "reached 300 last");

  await give(3, 250, monday + 5);
  assertEquals(await order(allTime), [[3, 550], [2, 500], [1, 300], [4, 300]], "one row per user");
  assertEquals(await order(thisWeek), [[3, 550], [2, 500], [1, 300], [4, 300]]);

  const nextMonday = monday + 7 * DAY;
  await give(4, 10, nextMonday);
  const nextWeek = { kind: "week", week: isoWeekOf(nextMonday) } as const;
  assertEquals(isoWeekOf(monday), "2026-W11");
  assertEquals(nextWeek.week, "2026-W12");
  assertEquals(await order(nextWeek), [[4, 10]]);
  assertEquals(await order(allTime), [[3, 550], [2, 500], [4, 310], [1, 300]]);
  assertEquals(await order(thisWeek), [[3, 550], [2, 500], [1, 300], [4, 300]], "last week stays");
  assertEquals(await placeOf(kv, nextWeek, 1), null, "no XP this week");
  assertEquals(await placeOf(kv, nextWeek, 4), 1);
});

Deno.test("[gamification] referrals: credited once, never to oneself, an old user or a second inviter", async () => {
  await using bed = await startBed();
  const { kv, events } = bed;
  const [alice, carol, bob, olga, eve] = [21, 22, 23, 24, 25];
  for (const id of [alice, carol, bob, olga, eve]) await bed.player(id);
  const code = await referralCodeOf(kv, alice);
  assertEquals(await referralCodeOf(kv, alice), code, "one code per user");
  const carolCode = await referralCodeOf(kv, carol);
  const sentAt = bed.clock.now;
  const fresh = sentAt + 50;

  assertEquals(await joinThroughReferral(kv, { id: alice, createdAt: fresh }, code, sentAt), {
    joined: false,
    reason: "self",
  });
  assertEquals(await joinThroughReferral(kv, { id: bob, createdAt: fresh }, "nosuchcode", sentAt), {
    joined: false,
    reason: "unknown_code",
  });
  assertEquals(
    await joinThroughReferral(kv, { id: olga, createdAt: sentAt - 2 * DAY }, code, sentAt),
    { joined: false, reason: "not_new" },
    "someone who already used the bot",
  );
  assertEquals(await joinThroughReferral(kv, { id: bob, createdAt: fresh }, code, sentAt), {
    joined: true,
    inviterId: alice,
  });
  assertEquals(await joinThroughReferral(kv, { id: bob, createdAt: fresh }, code, sentAt), {
    joined: false,
    reason: "already_referred",
  }, "the same /start delivered twice");
  assertEquals(await joinThroughReferral(kv, { id: bob, createdAt: fresh }, carolCode, sentAt), {
    joined: false,
    reason: "already_referred",
  }, "a second inviter");
  await joinThroughReferral(kv, { id: eve, createdAt: fresh }, code, sentAt);

  // Bob's first download is reported twice, and a second one arrives at the same time
  const entry = await addHistoryEntry(kv, delivery(bob, "a"), "bob-1", bed.clock.now);
  assert(entry);
  const delivered = {
    type: "download_delivered",
    userId: bob,
    key: "bob-1",
    entry,
    chatId: bob,
    lang: "en",
  } as const;
  events.emit(delivered);
  events.emit(delivered);
  events.emit({ ...delivered, key: "bob-2" });
  await events.settled();
  await bed.deliver(bob, "bob-3");
  assertEquals((await getXp(kv, alice))?.xp, 100, "Alice is credited once");
  assertEquals(
    (await getXpCounters(kv, alice)).referrals,
    1,
    "Eve has not downloaded anything yet",
  );
  assertEquals(bed.notices(alice, /joined through your invite/), 1);
  assertEquals(await getXp(kv, carol), null);
  assertEquals(await getXp(kv, olga), null);
});

Deno.test("[gamification] achievements fire exactly at their thresholds, once each", async () => {
  await using bed = await startBed();
  const { kv, events } = bed;
  const emit = async (event: Parameters<EventBus["emit"]>[0]) => {
    events.emit(event);
    await events.settled();
  };

  // Power User at the 100th download
  await bed.player(31);
  for (let i = 1; i <= 98; i++) await bed.deliver(31, `p${i}`, { emit: i === 1 });
  await bed.deliver(31, "p99");
  assertEquals(await bed.earned(31), ["first-download"]);
  await bed.deliver(31, "p100");
  assertEquals(await bed.earned(31), ["first-download", "power-user"]);
  assertEquals(bed.notices(31, /Power User/), 1);

  // Collector at 1 GiB, Music Lover at the 25th audio download
  await bed.player(32);
  await bed.deliver(32, "big", { size: GiB - 1 });
  assertEquals(await bed.earned(32), ["first-download"]);
  await bed.deliver(32, "byte", { size: 1 });
  assertEquals(await bed.earned(32), ["collector", "first-download"]);
  for (let i = 1; i <= 24; i++) await bed.deliver(32, `song${i}`, { kind: "audio", size: 1 });
  assert(!(await bed.earned(32)).includes("music-lover"), "24 songs");
  await bed.deliver(32, "song25", { kind: "audio", size: 1 });
  assert((await bed.earned(32)).includes("music-lover"), "25 songs");

  // Night Owl: 04:59 in Tokyo counts, 05:00 does not
  await bed.player(33, { timezone: "Asia/Tokyo" });
  await bed.player(34, { timezone: "Asia/Tokyo" });
  await bed.deliver(33, "late", { at: Date.parse("2026-03-10T19:59:00Z") });
  await bed.deliver(34, "early", { at: Date.parse("2026-03-10T20:00:00Z") });
  assertEquals(await bed.earned(33), ["first-download", "night-owl"]);
  assertEquals(await bed.earned(34), ["first-download"]);

  // 7-day streak on the 7th consecutive day
  await bed.player(35);
  const start = Date.UTC(2026, 2, 1, 9);
  for (let day = 0; day < 6; day++) await bed.visit(35, start + day * DAY);
  assertEquals(await bed.earned(35), []);
  await bed.visit(35, start + 6 * DAY);
  assertEquals(await bed.earned(35), ["streak-7"]);
  assertEquals((await getXp(kv, 35))?.xp, 7 * 5 + 6 * 20 + 100);

  // Curator at 3 playlists (a repeated event counts once)
  await bed.player(36);
  await emit({ type: "playlist_created", userId: 36, key: "pl1" });
  await emit({ type: "playlist_created", userId: 36, key: "pl2" });
  await emit({ type: "playlist_created", userId: 36, key: "pl2" });
  assertEquals(await bed.earned(36), []);
  await emit({ type: "playlist_created", userId: 36, key: "pl3" });
  assertEquals(await bed.earned(36), ["curator"]);
  assertEquals((await getXp(kv, 36))?.xp, 100);

  // Polyglot at the 3rd different language, whatever the case of its code
  await bed.player(37);
  await emit({ type: "subtitles_translated", userId: 37, key: "s1", language: "de" });
  await emit({ type: "subtitles_translated", userId: 37, key: "s2", language: "DE" });
  await emit({ type: "subtitles_translated", userId: 37, key: "s3", language: "es" });
  assertEquals(await bed.earned(37), []);
  await emit({ type: "subtitles_translated", userId: 37, key: "s4", language: "it" });
  assertEquals(await bed.earned(37), ["polyglot"]);

  // Recruiter at the 10th friend who downloads
  await bed.player(38);
  const code = await referralCodeOf(kv, 38);
  for (let friend = 1; friend <= 10; friend++) {
    const id = 3800 + friend;
    await bed.player(id);
    await joinThroughReferral(kv, { id, createdAt: bed.clock.now }, code, bed.clock.now);
    await bed.deliver(id, `friend-${friend}`);
    assertEquals((await bed.earned(38)).includes("recruiter"), friend === 10, `${friend} friends`);
  }
  assertEquals((await getXp(kv, 38))?.xp, 10 * 100 + 1_000);
  assertEquals(bed.notices(38, /Recruiter/), 1);
  assertEquals(bed.notices(38, /Level 4!/), 1, "2000 XP is level 4");
});
