/** /profile, /top, /achievements, and invite links (/start ref_<code>). */
import { InlineKeyboard } from "grammy";
import {
  type Achievement,
  ACHIEVEMENTS,
  type AchievementStats,
  listEarnedAchievements,
} from "../../kv/achievements.ts";
import { joinThroughReferral, REFERRAL_PAYLOAD, referralCodeOf } from "../../kv/referrals.ts";
import { getStreak, liveStreak } from "../../kv/streaks.ts";
import { planOf } from "../../kv/users.ts";
import {
  type Board,
  countPlayers,
  getXp,
  isoWeekOf,
  levelOf,
  listLeaderboard,
  placeOf,
  XP_ACTIONS,
  xpForLevel,
} from "../../kv/xp.ts";
import { escapeHtml, formatBytes, renderProgressBar, truncate } from "../../lib/format.ts";
import { localDay } from "../../lib/time.ts";
import { Gamification } from "../../services/gamification.ts";
import { timezoneOf } from "../../services/account.ts";
import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";

export const gamificationFeature = new FeatureComposer<BotContext>();

const MEDALS = ["🥇", "🥈", "🥉"];
const LEADERBOARD_SIZE = 10;

function gamificationFor(ctx: BotContext): Gamification {
  const { kv, i18n, users, config, logger } = ctx.deps;
  return new Gamification({ kv, api: ctx.api, i18n, users, config, logger });
}

/** Counts today's visit and a Premium plan first, so what is shown is up to date. */
async function catchUp(ctx: BotContext, gamification: Gamification, now: number): Promise<void> {
  await gamification.recordVisit(ctx.from!.id, now);
  if (ctx.user && planOf(ctx.user, now) === "premium") {
    await gamification.recordPremium(ctx.from!.id);
  }
}

async function replyWithProfile(ctx: BotContext) {
  if (!ctx.from || !ctx.user) return;
  const { kv, config } = ctx.deps;
  const userId = ctx.from.id;
  const now = Date.now();
  await catchUp(ctx, gamificationFor(ctx), now);
  const week: Board = { kind: "week", week: isoWeekOf(now) };
  const [record, place, weekPlace, players, streak, earned, code] = await Promise.all([
    getXp(kv, userId),
    placeOf(kv, { kind: "all" }, userId),
    placeOf(kv, week, userId),
    countPlayers(kv),
    getStreak(kv, userId),
    listEarnedAchievements(kv, userId),
    referralCodeOf(kv, userId),
  ]);
  const xp = record?.xp ?? 0;
  const level = levelOf(xp);
  const floor = xpForLevel(level);
  const ceiling = xpForLevel(level + 1);
  const earnedIds = new Set(earned.map((e) => e.id));
  const badges = ACHIEVEMENTS.filter((a) => earnedIds.has(a.id)).map((a) => a.icon);
  const today = localDay(now, timezoneOf(config, ctx.user));
  const lines = [
    ctx.t("profile-title", { name: escapeHtml(truncate(ctx.user.firstName, 40)), level }),
    ctx.t("profile-xp", { xp, left: ceiling - xp, next: level + 1 }),
    `<code>${renderProgressBar(((xp - floor) / (ceiling - floor)) * 100, 16)}</code>`,
    place === null
      ? ctx.t("profile-unranked")
      : ctx.t("profile-rank", { place, players, week: weekPlace === null ? "—" : `#${weekPlace}` }),
    ctx.t("profile-streak", { days: liveStreak(streak, today), best: streak?.best ?? 0 }),
    badges.length > 0
      ? ctx.t("profile-badges", { badges: badges.join(" ") })
      : ctx.t("profile-no-badges"),
    "",
    ctx.t("profile-invite", {
      link: `https://t.me/${ctx.me.username}?start=ref_${code}`,
      xp: XP_ACTIONS.invite,
    }),
  ];
  const keyboard = new InlineKeyboard()
    .text(ctx.t("button-achievements"), "gm:achievements")
    .text(ctx.t("button-top"), "gm:top");
  await ctx.reply(lines.join("\n"), {
    parse_mode: "HTML",
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

async function renderBoard(ctx: BotContext, title: string, board: Board): Promise<string[]> {
  const { kv, users } = ctx.deps;
  const userId = ctx.from!.id;
  const [rows, place, record] = await Promise.all([
    listLeaderboard(kv, board, LEADERBOARD_SIZE),
    placeOf(kv, board, userId),
    getXp(kv, userId),
  ]);
  const lines = [ctx.t(title)];
  for (const row of rows) {
    const [player, total] = await Promise.all([
      users.get(row.userId),
      board.kind === "all" ? row.xp : getXp(kv, row.userId).then((r) => r?.xp ?? row.xp),
    ]);
    const line = ctx.t("top-row", {
      place: MEDALS[row.place - 1] ?? `${row.place}.`,
      name: escapeHtml(truncate(player?.firstName ?? "?", 32)),
      level: levelOf(total),
      xp: row.xp,
    });
    lines.push(row.userId === userId ? `<b>${line}</b>` : line);
  }
  if (rows.length === 0) lines.push(ctx.t("top-empty"));
  if (place === null || !record) lines.push(ctx.t("top-you-unranked"));
  else {lines.push(
      ctx.t("top-you", { place, xp: board.kind === "all" ? record.xp : record.weekXp }),
    );}
  return lines;
}

async function replyWithTop(ctx: BotContext) {
  if (!ctx.from) return;
  const now = Date.now();
  const allTime = await renderBoard(ctx, "top-all-time", { kind: "all" });
  const thisWeek = await renderBoard(ctx, "top-this-week", { kind: "week", week: isoWeekOf(now) });
  await ctx.reply([ctx.t("top-title"), "", ...allTime, "", ...thisWeek].join("\n"), {
    parse_mode: "HTML",
  });
}

function renderProgress(
  ctx: BotContext,
  locale: string,
  achievement: Achievement,
  stats: AchievementStats,
) {
  const done = Math.min(stats[achievement.stat], achievement.target);
  const show = (value: number) =>
    achievement.stat === "bytes" ? formatBytes(value, locale) : String(value);
  return ctx.t("achievements-progress", {
    bar: renderProgressBar((done / achievement.target) * 100, 10),
    done: show(done),
    target: show(achievement.target),
  });
}

async function replyWithAchievements(ctx: BotContext) {
  if (!ctx.from) return;
  const gamification = gamificationFor(ctx);
  await catchUp(ctx, gamification, Date.now());
  const [stats, earned] = await Promise.all([
    gamification.statsOf(ctx.from.id),
    listEarnedAchievements(ctx.deps.kv, ctx.from.id),
  ]);
  const locale = ctx.i18n.getLocale();
  const earnedIds = new Set(earned.map((e) => e.id));
  const describe = (a: Achievement) => ({
    icon: a.icon,
    name: ctx.t(`achievement-${a.id}-name`),
    description: ctx.t(`achievement-${a.id}-description`),
    xp: a.xp,
  });
  const lines = [
    ctx.t("achievements-title", { earned: earnedIds.size, total: ACHIEVEMENTS.length }),
  ];
  for (const achievement of ACHIEVEMENTS.filter((a) => earnedIds.has(a.id))) {
    lines.push("", ctx.t("achievements-earned", describe(achievement)));
  }
  for (const achievement of ACHIEVEMENTS.filter((a) => !earnedIds.has(a.id))) {
    lines.push(
      "",
      ctx.t("achievements-locked", describe(achievement)),
      renderProgress(ctx, locale, achievement, stats),
    );
  }
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
}

gamificationFeature.command("start", async (ctx, next) => {
  const code = REFERRAL_PAYLOAD.exec(ctx.match.trim())?.[1];
  if (code && ctx.user) {
    const outcome = await joinThroughReferral(ctx.deps.kv, ctx.user, code, ctx.msg.date * 1000);
    if (outcome.joined) {
      const inviter = await ctx.deps.users.get(outcome.inviterId);
      await ctx.reply(
        ctx.t("referral-welcome", { name: escapeHtml(truncate(inviter?.firstName ?? "?", 40)) }),
        { parse_mode: "HTML" },
      );
    }
  }
  await next();
});

gamificationFeature.command("profile", replyWithProfile);
gamificationFeature.command("top", replyWithTop);
gamificationFeature.command("achievements", replyWithAchievements);
gamificationFeature.callbackQuery("menu:profile", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithProfile(ctx);
});
gamificationFeature.callbackQuery("gm:top", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithTop(ctx);
});
gamificationFeature.callbackQuery("gm:achievements", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithAchievements(ctx);
});
