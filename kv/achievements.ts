/** Achievements: what each one asks for, and the ones a user earned (each once, with its XP). */
import { type AwardOutcome, awardXp } from "./xp.ts";

/** What achievements measure; every figure only grows. */
export interface AchievementStats {
  downloads: number;
  bytes: number;
  audioDownloads: number;
  referrals: number;
  playlists: number;
  recordings: number;
  translationLanguages: number;
  nightDownloads: number;
  bestStreak: number;
  premium: number;
}

export interface Achievement {
  /** also the suffix of its locale keys: achievement-<id>-name, achievement-<id>-description */
  id: string;
  icon: string;
  xp: number;
  stat: keyof AchievementStats;
  target: number;
}

export const ACHIEVEMENTS: readonly Achievement[] = [
  { id: "first-download", icon: "🎯", xp: 50, stat: "downloads", target: 1 },
  { id: "power-user", icon: "💪", xp: 500, stat: "downloads", target: 100 },
  { id: "vip", icon: "👑", xp: 200, stat: "premium", target: 1 },
  { id: "recruiter", icon: "🤝", xp: 1000, stat: "referrals", target: 10 },
  { id: "curator", icon: "📁", xp: 100, stat: "playlists", target: 3 },
  { id: "live-recorder", icon: "🔴", xp: 100, stat: "recordings", target: 1 },
  { id: "polyglot", icon: "🌍", xp: 150, stat: "translationLanguages", target: 3 },
  { id: "night-owl", icon: "🦉", xp: 50, stat: "nightDownloads", target: 1 },
  { id: "collector", icon: "💾", xp: 200, stat: "bytes", target: 1024 ** 3 },
  { id: "music-lover", icon: "🎧", xp: 150, stat: "audioDownloads", target: 25 },
  { id: "streak-7", icon: "🔥", xp: 100, stat: "bestStreak", target: 7 },
  { id: "streak-30", icon: "🏆", xp: 500, stat: "bestStreak", target: 30 },
];

export interface EarnedAchievement {
  id: string;
  at: number;
}

function achievementKey(userId: number, id: string) {
  return ["achievements", userId, id] as const;
}

/** Achievements the stats reach that are not earned yet. */
export function newlyReached(stats: AchievementStats, earned: ReadonlySet<string>): Achievement[] {
  return ACHIEVEMENTS.filter((a) => !earned.has(a.id) && stats[a.stat] >= a.target);
}

export async function listEarnedAchievements(
  kv: Deno.Kv,
  userId: number,
): Promise<EarnedAchievement[]> {
  const earned: EarnedAchievement[] = [];
  for await (const entry of kv.list<number>({ prefix: ["achievements", userId] })) {
    earned.push({ id: entry.key[2] as string, at: entry.value });
  }
  return earned;
}

/** Records the achievement with its XP in one atomic; null when it was already earned. */
export async function grantAchievement(
  kv: Deno.Kv,
  userId: number,
  achievement: Achievement,
  at: number,
): Promise<AwardOutcome | null> {
  return await awardXp(kv, userId, () =>
    Promise.resolve({
      action: `achievement:${achievement.id}`,
      xp: achievement.xp,
      at,
      permanent: true,
      sets: [{ key: achievementKey(userId, achievement.id), value: at }],
    }));
}
