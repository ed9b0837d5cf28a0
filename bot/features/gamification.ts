/** /profile, /top, /achievements, and invite links (/start ref_<code>). */
import { listEarnedAchievements } from "../../kv/achievements.ts";
import { joinThroughReferral, REFERRAL_PAYLOAD, referralCodeOf } from "../../kv/referrals.ts";
import { getStreak, liveStreak } from "../../kv/streaks.ts";
import { planOf } from "../../kv/users.ts";
import {
  type Board,
  countPlayers,
  getXp,
  isoWeekOf,
  listLeaderboard,
  placeOf,
} from "../../kv/xp.ts";
import { escapeHtml, truncate } from "../../lib/format.ts";
import { localDay } from "../../lib/time.ts";
import { Gamification } from "../../services/gamification.ts";
import { timezoneOf } from "../../services/account.ts";
import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import {
  type BoardView,
  renderAchievements,
  renderProfile,
  renderTop,
} from "../../views/gamification.ts";

export const gamificationFeature = new FeatureComposer<BotContext>();

const LEADERBOARD_SIZE = 10;

function gamificationFor(ctx: BotContext): Gamification {
  const { kv, i18n, users, config, logger } = ctx.deps;
  return new Gamification({ kv, api: ctx.api, i18n, users, config, logger });
}

/** Counts today's visit and a Premium plan first, so what is shown is up to date. */
async function catchUp(ctx: BotContext, gamification: Gamification, now: number): Promise<void> {
  if (!ctx.user) return;
  await gamification.recordVisit(ctx.user, now);
  if (planOf(ctx.user, now) === "premium") {
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
  const { text, keyboard } = renderProfile(ctx.t, {
    firstName: ctx.user.firstName,
    xp: record?.xp ?? 0,
    place,
    weekPlace,
    players,
    streakDays: liveStreak(streak, localDay(now, timezoneOf(config, ctx.user))),
    bestStreak: streak?.best ?? 0,
    earnedIds: new Set(earned.map((e) => e.id)),
    inviteLink: `https://t.me/${ctx.me.username}?start=ref_${code}`,
  });
  await ctx.reply(text, {
    reply_markup: keyboard,
    link_preview_options: { is_disabled: true },
  });
}

async function loadBoard(ctx: BotContext, title: string, board: Board): Promise<BoardView> {
  const { kv, users } = ctx.deps;
  const userId = ctx.from!.id;
  const [rows, place, record] = await Promise.all([
    listLeaderboard(kv, board, LEADERBOARD_SIZE),
    placeOf(kv, board, userId),
    getXp(kv, userId),
  ]);
  const shown = [];
  for (const row of rows) {
    const [player, totalXp] = await Promise.all([
      users.get(row.userId),
      board.kind === "all" ? row.xp : getXp(kv, row.userId).then((r) => r?.xp ?? row.xp),
    ]);
    shown.push({
      place: row.place,
      name: player?.firstName ?? "?",
      xp: row.xp,
      totalXp,
      isViewer: row.userId === userId,
    });
  }
  const viewer = place === null || !record
    ? null
    : { place, xp: board.kind === "all" ? record.xp : record.weekXp };
  return { title, rows: shown, viewer };
}

async function replyWithTop(ctx: BotContext) {
  if (!ctx.from) return;
  const now = Date.now();
  const allTime = await loadBoard(ctx, "top-all-time", { kind: "all" });
  const thisWeek = await loadBoard(ctx, "top-this-week", { kind: "week", week: isoWeekOf(now) });
  await ctx.reply(renderTop(ctx.t, allTime, thisWeek));
}

async function replyWithAchievements(ctx: BotContext) {
  if (!ctx.from) return;
  const gamification = gamificationFor(ctx);
  await catchUp(ctx, gamification, Date.now());
  const [stats, earned] = await Promise.all([
    gamification.statsOf(ctx.from.id),
    listEarnedAchievements(ctx.deps.kv, ctx.from.id),
  ]);
  const earnedIds = new Set(earned.map((e) => e.id));
  await ctx.reply(renderAchievements(ctx.t, ctx.i18n.getLocale(), earnedIds, stats));
}

gamificationFeature.command("start", async (ctx, next) => {
  const code = REFERRAL_PAYLOAD.exec(ctx.match.trim())?.[1];
  if (code && ctx.user) {
    const outcome = await joinThroughReferral(ctx.deps.kv, ctx.user, code, ctx.msg.date * 1000);
    if (outcome.joined) {
      const inviter = await ctx.deps.users.get(outcome.inviterId);
      await ctx.reply(
        ctx.t("referral-welcome", { name: escapeHtml(truncate(inviter?.firstName ?? "?", 40)) }),
      );
    }
  }
  await next();
});

gamificationFeature.command("profile", replyWithProfile);
gamificationFeature.command("top", replyWithTop);
gamificationFeature.command("achievements", replyWithAchievements);
onCallback(gamificationFeature, "menuProfile", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithProfile(ctx);
});
onCallback(gamificationFeature, "gamificationTop", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithTop(ctx);
});
onCallback(gamificationFeature, "gamificationAchievements", async (ctx) => {
  await ctx.answerCallbackQuery();
  await replyWithAchievements(ctx);
});
