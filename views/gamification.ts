/** /profile, /top and /achievements as text: levels, boards and progress towards badges. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import { type Achievement, ACHIEVEMENTS, type AchievementStats } from "../kv/achievements.ts";
import { levelOf, XP_ACTIONS, xpForLevel } from "../kv/xp.ts";
import { escapeHtml, formatBytes, renderProgressBar, truncate } from "../lib/format.ts";

const MEDALS = ["🥇", "🥈", "🥉"];

export interface ProfileView {
  firstName: string;
  xp: number;
  /** null when unranked */
  place: number | null;
  weekPlace: number | null;
  players: number;
  streakDays: number;
  bestStreak: number;
  earnedIds: ReadonlySet<string>;
  inviteLink: string;
}

export function renderProfile(
  t: Translate,
  view: ProfileView,
): { text: string; keyboard: InlineKeyboard } {
  const { xp, place, weekPlace } = view;
  const level = levelOf(xp);
  const floor = xpForLevel(level);
  const ceiling = xpForLevel(level + 1);
  const badges = ACHIEVEMENTS.filter((a) => view.earnedIds.has(a.id)).map((a) => a.icon);
  const lines = [
    t("profile-title", { name: escapeHtml(truncate(view.firstName, 40)), level }),
    t("profile-xp", { xp, left: ceiling - xp, next: level + 1 }),
    `<code>${renderProgressBar(((xp - floor) / (ceiling - floor)) * 100, 16)}</code>`,
    place === null ? t("profile-unranked") : t("profile-rank", {
      place,
      players: view.players,
      week: weekPlace === null ? "—" : `#${weekPlace}`,
    }),
    t("profile-streak", { days: view.streakDays, best: view.bestStreak }),
    badges.length > 0 ? t("profile-badges", { badges: badges.join(" ") }) : t("profile-no-badges"),
    "",
    t("profile-invite", { link: view.inviteLink, xp: XP_ACTIONS.invite }),
  ];
  const keyboard = new InlineKeyboard()
    .text(t("button-achievements"), buildCallback("gamificationAchievements"))
    .text(t("button-top"), buildCallback("gamificationTop"));
  return { text: lines.join("\n"), keyboard };
}

export interface BoardView {
  /** the locale key of the board's title */
  title: string;
  rows: { place: number; name: string; xp: number; totalXp: number; isViewer: boolean }[];
  /** the viewer's place and XP on this board, or null when unranked */
  viewer: { place: number; xp: number } | null;
}

function renderBoard(t: Translate, board: BoardView): string[] {
  const lines = [t(board.title)];
  for (const row of board.rows) {
    const line = t("top-row", {
      place: MEDALS[row.place - 1] ?? `${row.place}.`,
      name: escapeHtml(truncate(row.name, 32)),
      level: levelOf(row.totalXp),
      xp: row.xp,
    });
    lines.push(row.isViewer ? `<b>${line}</b>` : line);
  }
  if (board.rows.length === 0) lines.push(t("top-empty"));
  lines.push(board.viewer === null ? t("top-you-unranked") : t("top-you", board.viewer));
  return lines;
}

export function renderTop(t: Translate, allTime: BoardView, thisWeek: BoardView): string {
  return [t("top-title"), "", ...renderBoard(t, allTime), "", ...renderBoard(t, thisWeek)]
    .join("\n");
}

export function renderAchievements(
  t: Translate,
  locale: string,
  earnedIds: ReadonlySet<string>,
  stats: AchievementStats,
): string {
  const describe = (a: Achievement) => ({
    icon: a.icon,
    name: t(`achievement-${a.id}-name`),
    description: t(`achievement-${a.id}-description`),
    xp: a.xp,
  });
  const lines = [t("achievements-title", { earned: earnedIds.size, total: ACHIEVEMENTS.length })];
  for (const achievement of ACHIEVEMENTS.filter((a) => earnedIds.has(a.id))) {
    lines.push("", t("achievements-earned", describe(achievement)));
  }
  for (const achievement of ACHIEVEMENTS.filter((a) => !earnedIds.has(a.id))) {
    lines.push(
      "",
      t("achievements-locked", describe(achievement)),
      renderAchievementProgress(t, locale, achievement, stats),
    );
  }
  return lines.join("\n");
}

function renderAchievementProgress(
  t: Translate,
  locale: string,
  achievement: Achievement,
  stats: AchievementStats,
) {
  const done = Math.min(stats[achievement.stat], achievement.target);
  const show = (value: number) =>
    achievement.stat === "bytes" ? formatBytes(value, locale) : String(value);
  return t("achievements-progress", {
    bar: renderProgressBar((done / achievement.target) * 100, 10),
    done: show(done),
    target: show(achievement.target),
  });
}
