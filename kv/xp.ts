/**
 * Experience points: each action is paid once (its award key is checked in the same atomic that
 * adds the XP), levels, counters behind achievements, and the leaderboards kept in step.
 */
import { boundedKeyPart } from "../lib/kv_key.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

/** The seed's XP table. */
export const XP_ACTIONS = {
  download: 10,
  premium_download: 15,
  share: 5,
  invite: 100,
  daily_login: 5,
  streak_bonus: 20,
} as const;

/** XP needed to reach `level`: the inverse of levelOf. */
export function xpForLevel(level: number): number {
  return 100 * level * level;
}

/** level = floor(sqrt(xp / 100)), corrected in integers so the boundaries 100·n² are exact. */
export function levelOf(xp: number): number {
  let level = Math.floor(Math.sqrt(Math.max(0, xp) / 100));
  while (xpForLevel(level + 1) <= xp) level++;
  while (level > 0 && xpForLevel(level) > xp) level--;
  return level;
}

export interface XpRecord {
  xp: number;
  /** when `xp` was reached: of two equal scores, the earlier ranks first */
  reachedAt: number;
  /** ISO week (UTC) that weekXp counts */
  week: string;
  weekXp: number;
  weekReachedAt: number;
}

/** Tallies that achievements read; downloads, bytes and kinds come from the history's own. */
export type XpCounter =
  | "referrals"
  | "playlists"
  | "recordings"
  | "translation_languages"
  | "night_downloads";

export interface XpAward {
  /** the action's id ("download:<job>", "daily:2026-03-10"…): it is paid once */
  action: string;
  xp: number;
  at: number;
  /** kept for ever (achievements, referrals) instead of for the redelivery window */
  permanent?: boolean;
  counters?: Partial<Record<XpCounter, number>>;
  /** other entries read to plan the award, checked in its atomic */
  checks?: Deno.AtomicCheck[];
  /** other writes that happen with the award or not at all */
  sets?: { key: Deno.KvKey; value: unknown }[];
}

export interface AwardOutcome {
  xp: number;
  gained: number;
  levelBefore: number;
  level: number;
}

export type Board = { kind: "all" } | { kind: "week"; week: string };

export interface LeaderboardRow {
  userId: number;
  xp: number;
  place: number;
}

// a job can be reported again, and Telegram redelivers updates, well within history's 30 days
const AWARD_TTL_MS = 30 * 86_400_000;
const WEEK_INDEX_TTL_MS = 8 * 7 * 86_400_000;
const MAX_ATTEMPTS = 30;
const MAX_XP = 999_999_999_999_999;
const XP_DIGITS = String(MAX_XP).length;

function xpKey(userId: number) {
  return ["xp", userId] as const;
}
function awardKey(userId: number, action: string) {
  return ["xp_awards", userId, boundedKeyPart(action)] as const;
}
function xpCounterKey(userId: number, counter: XpCounter) {
  return ["xp_counters", userId, counter] as const;
}
/** Marks a language the user already had subtitles translated into (counted once). */
export function translationLanguageKey(userId: number, language: string) {
  return ["xp_translation_languages", userId, boundedKeyPart(language)] as const;
}
const PLAYERS_KEY = ["xp_players"] as const;

function boardPrefix(board: Board): Deno.KvKey {
  return board.kind === "all" ? ["leaderboard", "all"] : ["leaderboard", "week", board.week];
}
/** KV lists keys in ascending order, so the XP is stored inverted and zero-padded. */
function invertedXp(xp: number): string {
  return String(MAX_XP - xp).padStart(XP_DIGITS, "0");
}
function boardKey(board: Board, xp: number, reachedAt: number, userId: number): Deno.KvKey {
  return [...boardPrefix(board), invertedXp(xp), reachedAt, userId];
}
function allTimeKey(record: XpRecord, userId: number): Deno.KvKey {
  return boardKey({ kind: "all" }, record.xp, record.reachedAt, userId);
}
function weekKey(record: XpRecord, userId: number): Deno.KvKey {
  return boardKey({ kind: "week", week: record.week }, record.weekXp, record.weekReachedAt, userId);
}

/** "2026-W11": the ISO week of `at` in UTC, so everyone shares one weekly board. */
export function isoWeekOf(at: number): string {
  const date = new Date(at);
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  // the week belongs to the year of its Thursday
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function addXp(before: XpRecord | null, gained: number, at: number): XpRecord {
  const week = isoWeekOf(at);
  const weekXp = before?.week === week ? before.weekXp : 0;
  return {
    xp: (before?.xp ?? 0) + gained,
    reachedAt: at,
    week,
    weekXp: weekXp + gained,
    weekReachedAt: at,
  };
}

/**
 * Pays an action once: the award key (checked empty), the XP, both leaderboard entries, counters
 * and the caller's own writes go in one atomic. `plan` is called again after a conflict, so it
 * re-reads what it depends on; it returns null when there is nothing to pay. Returns null for an
 * action already paid.
 */
export async function awardXp(
  kv: Deno.Kv,
  userId: number,
  plan: () => Promise<XpAward | null>,
): Promise<AwardOutcome | null> {
  return await retryAtomic(kv, async (op) => {
    const award = await plan();
    if (!award) return null;
    const [record, paid] = await kv.getMany<[XpRecord, unknown]>([
      xpKey(userId),
      awardKey(userId, award.action),
    ]);
    if (paid.versionstamp) return null;
    op.check(paid).check(record);
    for (const check of award.checks ?? []) op.check(check);
    op.set(
      awardKey(userId, award.action),
      { xp: award.xp, at: award.at },
      award.permanent ? {} : { expireIn: AWARD_TTL_MS },
    );
    for (const [counter, amount] of Object.entries(award.counters ?? {})) {
      op.sum(xpCounterKey(userId, counter as XpCounter), BigInt(amount));
    }
    for (const { key, value } of award.sets ?? []) op.set(key, value);
    const before = record.value;
    const after = award.xp > 0 ? addXp(before, award.xp, award.at) : before;
    if (after && after !== before) {
      if (before) {
        op.delete(allTimeKey(before, userId));
        if (before.week === after.week) op.delete(weekKey(before, userId));
      } else op.sum(PLAYERS_KEY, 1n);
      op.set(xpKey(userId), after);
      op.set(allTimeKey(after, userId), userId);
      op.set(weekKey(after, userId), userId, { expireIn: WEEK_INDEX_TTL_MS });
    }
    const xp = after?.xp ?? 0;
    return commit({
      xp,
      gained: award.xp,
      levelBefore: levelOf(before?.xp ?? 0),
      level: levelOf(xp),
    });
  }, { what: `the XP of user ${userId}`, attempts: MAX_ATTEMPTS });
}

export async function getXp(kv: Deno.Kv, userId: number): Promise<XpRecord | null> {
  return (await kv.get<XpRecord>(xpKey(userId))).value;
}

export async function getXpCounters(
  kv: Deno.Kv,
  userId: number,
): Promise<Record<XpCounter, number>> {
  const names: XpCounter[] = [
    "referrals",
    "playlists",
    "recordings",
    "translation_languages",
    "night_downloads",
  ];
  const entries = await kv.getMany<Deno.KvU64[]>(names.map((name) => xpCounterKey(userId, name)));
  return Object.fromEntries(
    names.map((name, i) => [name, Number(entries[i].value?.value ?? 0n)]),
  ) as Record<XpCounter, number>;
}

/** Everyone who ever earned XP. */
export async function countPlayers(kv: Deno.Kv): Promise<number> {
  return Number((await kv.get<Deno.KvU64>(PLAYERS_KEY)).value?.value ?? 0n);
}

/** The first `limit` places: most XP first, ties to whoever reached it first. */
export async function listLeaderboard(
  kv: Deno.Kv,
  board: Board,
  limit = 10,
): Promise<LeaderboardRow[]> {
  const rows: LeaderboardRow[] = [];
  for await (const entry of kv.list<number>({ prefix: boardPrefix(board) }, { limit })) {
    const inverted = entry.key[entry.key.length - 3] as string;
    rows.push({ userId: entry.value, xp: MAX_XP - Number(inverted), place: rows.length + 1 });
  }
  return rows;
}

/** The user's place on a board, null when they are not on it (no XP, or none this week). */
export async function placeOf(kv: Deno.Kv, board: Board, userId: number): Promise<number | null> {
  const record = await getXp(kv, userId);
  if (!record) return null;
  if (board.kind === "week" && record.week !== board.week) return null;
  const own = board.kind === "all" ? allTimeKey(record, userId) : weekKey(record, userId);
  let ahead = 0;
  for await (const _ of kv.list({ start: boardPrefix(board), end: own })) ahead++;
  return ahead + 1;
}
