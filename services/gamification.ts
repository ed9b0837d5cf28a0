/**
 * XP, daily streaks, achievements and referral credits, driven by product events. Every award
 * is keyed by its action's id, so an update or a job delivered twice pays once and notifies once.
 */
import type { Api } from "grammy";
import type { Translations } from "../i18n/translations.ts";
import type { Config } from "../config.ts";
import { pickLocale, type Translate, translatorFor } from "../i18n/translations.ts";
import { timezoneOf } from "./account.ts";
import { getHistoryTotals, type HistoryEntry } from "../kv/history.ts";
import { planOf, type UserProfile, type UserStore } from "../kv/users.ts";
import {
  type AwardOutcome,
  awardXp,
  getXpCounters,
  translationLanguageKey,
  XP_ACTIONS,
  type XpAward,
  type XpCounter,
} from "../kv/xp.ts";
import { continueStreak, getStreak, streakKey, type StreakRecord } from "../kv/streaks.ts";
import {
  type AchievementStats,
  grantAchievement,
  listEarnedAchievements,
  newlyReached,
} from "../kv/achievements.ts";
import { creditReferral } from "../kv/referrals.ts";
import { escapeHtml } from "../lib/format.ts";
import { Lru } from "../lib/lru.ts";
import { localDay } from "../lib/time.ts";
import { withPriority } from "../lib/throttle.ts";
import type { Logger } from "../lib/logger.ts";
import type { EventBus } from "./events.ts";

export interface GamificationDeps {
  kv: Deno.Kv;
  api: Api;
  i18n: Translations;
  users: UserStore;
  config: Config;
  logger: Logger;
  now?: () => number;
}

/** Downloads delivered from local midnight until this hour count for the night owl. */
const NIGHT_END_HOUR = 5;

export class Gamification {
  /** the local day each user's visit was last counted: most updates then cost no KV access */
  readonly #visited = new Lru<number, string>({ max: 50_000 });
  readonly #now: () => number;

  constructor(private readonly deps: GamificationDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** 10 XP a download (15 on Premium), then achievements and the inviter's credit. */
  async recordDownload(userId: number, key: string, entry: HistoryEntry): Promise<void> {
    const user = await this.deps.users.get(userId);
    const at = this.#now();
    const night =
      localHour(entry.at, timezoneOf(this.deps.config, user ?? undefined)) < NIGHT_END_HOUR;
    const premium = user !== null && planOf(user, at) === "premium";
    await this.#award(userId, {
      action: `download:${key}`,
      xp: premium ? XP_ACTIONS.premium_download : XP_ACTIONS.download,
      at,
      counters: night ? { night_downloads: 1 } : {},
    });
    // both are idempotent, so they also run for a repeat (it may follow a crash between steps)
    await this.checkAchievements(userId);
    const credit = await creditReferral(this.deps.kv, userId, at);
    if (!credit) return;
    const name = escapeHtml(user?.firstName ?? String(userId));
    await this.#notify(
      credit.inviterId,
      (t) => t("referral-credited", { name, xp: XP_ACTIONS.invite }),
    );
    await this.#notifyLevel(credit.inviterId, credit.outcome);
    await this.checkAchievements(credit.inviterId);
  }

  /**
   * The first interaction of a local day: 5 XP, plus 20 when it continues yesterday's streak. The
   * user's time zone comes with the update (no read of the user on every update).
   */
  async recordVisit(user: Pick<UserProfile, "id" | "timezone">, at: number): Promise<void> {
    const userId = user.id;
    const today = localDay(at, user.timezone ?? this.deps.config.defaultTimezone);
    if (this.#visited.get(userId) === today) return;
    const { kv } = this.deps;
    const outcome = await awardXp(kv, userId, async () => {
      const entry = await kv.get<StreakRecord>(streakKey(userId));
      const streak = continueStreak(entry.value, today);
      if (!streak) return null;
      return {
        action: `daily:${today}`,
        xp: XP_ACTIONS.daily_login + (streak.current > 1 ? XP_ACTIONS.streak_bonus : 0),
        at,
        checks: [entry],
        sets: [{ key: streakKey(userId), value: streak }],
      };
    });
    this.#visited.set(userId, today);
    if (!outcome) return;
    await this.#notifyLevel(userId, outcome);
    await this.checkAchievements(userId);
  }

  async recordPremium(userId: number): Promise<void> {
    await this.checkAchievements(userId, { premium: 1 });
  }

  async recordShare(userId: number, key: string): Promise<void> {
    await this.#award(userId, { action: `share:${key}`, xp: XP_ACTIONS.share, at: this.#now() });
  }

  async recordPlaylist(userId: number, key: string): Promise<void> {
    await this.#count(userId, `playlist:${key}`, "playlists");
  }

  async recordRecording(userId: number, key: string): Promise<void> {
    await this.#count(userId, `recording:${key}`, "recordings");
  }

  /** Counts each target language once, for the polyglot. */
  async recordTranslation(userId: number, key: string, language: string): Promise<void> {
    const { kv } = this.deps;
    const at = this.#now();
    const marker = translationLanguageKey(userId, language.toLowerCase());
    await awardXp(kv, userId, async () => {
      const seen = await kv.get(marker);
      const fresh = seen.versionstamp === null;
      return {
        action: `translation:${key}`,
        xp: 0,
        at,
        counters: fresh ? { translation_languages: 1 } : {},
        checks: [seen],
        sets: fresh ? [{ key: marker, value: at }] : [],
      };
    });
    await this.checkAchievements(userId);
  }

  /** Grants, with their XP and a notice each, the achievements the user has just reached. */
  async checkAchievements(userId: number, known: Partial<AchievementStats> = {}): Promise<void> {
    const [stats, earned] = await Promise.all([
      this.statsOf(userId),
      listEarnedAchievements(this.deps.kv, userId),
    ]);
    const reached = newlyReached({ ...stats, ...known }, new Set(earned.map((e) => e.id)));
    for (const achievement of reached) {
      const outcome = await grantAchievement(this.deps.kv, userId, achievement, this.#now());
      if (!outcome) continue;
      await this.#notify(userId, (t) =>
        t("achievement-unlocked", {
          icon: achievement.icon,
          name: t(`achievement-${achievement.id}-name`),
          description: t(`achievement-${achievement.id}-description`),
          xp: achievement.xp,
        }));
      await this.#notifyLevel(userId, outcome);
    }
  }

  async statsOf(userId: number): Promise<AchievementStats> {
    const { kv, users } = this.deps;
    const [totals, counters, streak, user] = await Promise.all([
      getHistoryTotals(kv, userId),
      getXpCounters(kv, userId),
      getStreak(kv, userId),
      users.get(userId),
    ]);
    return {
      downloads: totals.downloads,
      bytes: totals.bytes,
      audioDownloads: totals.byKind.audio,
      referrals: counters.referrals,
      playlists: counters.playlists,
      recordings: counters.recordings,
      translationLanguages: counters.translation_languages,
      nightDownloads: counters.night_downloads,
      bestStreak: streak?.best ?? 0,
      premium: user && planOf(user, this.#now()) === "premium" ? 1 : 0,
    };
  }

  async #award(userId: number, award: XpAward): Promise<void> {
    const outcome = await awardXp(this.deps.kv, userId, () => Promise.resolve(award));
    if (outcome) await this.#notifyLevel(userId, outcome);
  }

  /** A tally behind an achievement, counted once per action. */
  async #count(userId: number, action: string, counter: XpCounter): Promise<void> {
    const award = { action, xp: 0, at: this.#now(), counters: { [counter]: 1 } };
    await awardXp(this.deps.kv, userId, () => Promise.resolve(award));
    await this.checkAchievements(userId);
  }

  async #notifyLevel(userId: number, outcome: AwardOutcome): Promise<void> {
    if (outcome.level <= outcome.levelBefore) return;
    await this.#notify(userId, (t) => t("xp-level-up", { level: outcome.level, xp: outcome.xp }));
  }

  /** A message in the user's private chat and language, unless they turned notifications off. */
  async #notify(userId: number, render: (t: Translate) => string): Promise<void> {
    const user = await this.deps.users.get(userId);
    if (!user || user.blocked || !user.prefs.notifications) return;
    const t = translatorFor(this.deps.i18n, user.language ?? pickLocale(user.languageCode));
    const text = render(t);
    await this.deps.api.sendMessage(userId, text, withPriority("notification", {})).catch((error) =>
      this.deps.logger.warn("gamification notice not sent", { userId, error })
    );
  }
}

/** Subscribes the XP system to the product's events. */
export function registerGamification(deps: GamificationDeps & { events: EventBus }): Gamification {
  const gamification = new Gamification(deps);
  const { events } = deps;
  events.on("download_delivered", (e) => gamification.recordDownload(e.userId, e.key, e.entry));
  events.on(
    "interaction",
    (e) => gamification.recordVisit({ id: e.userId, timezone: e.timezone }, e.at),
  );
  events.on("premium_granted", (e) => gamification.recordPremium(e.userId));
  events.on("content_shared", (e) => gamification.recordShare(e.userId, e.key));
  events.on("playlist_created", (e) => gamification.recordPlaylist(e.userId, e.key));
  events.on("recording_delivered", (e) => gamification.recordRecording(e.userId, e.key));
  events.on(
    "subtitles_translated",
    (e) => gamification.recordTranslation(e.userId, e.key, e.language),
  );
  return gamification;
}

function localHour(at: number, timezone: string): number {
  const format = (timeZone: string) =>
    Number(
      new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" }).format(at),
    );
  try {
    return format(timezone);
  } catch {
    return format("UTC");
  }
}
