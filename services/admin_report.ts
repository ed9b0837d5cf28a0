/** The admin's totals, gathered once for /admin in the chat and for the admin web page alike. */
import { countActiveUsers, getEventCounts, getLabelCounts, lastDays } from "../kv/analytics.ts";
import { getDailyTotals } from "../kv/history.ts";
import type { JobQueue } from "../kv/jobs.ts";
import { starsRevenue } from "../kv/payments.ts";
import { planOf, type UserStore } from "../kv/users.ts";
import { allExperimentResults } from "./experiments.ts";
import type { AdminReport } from "../views/admin.ts";
import { readYtdlpFleet } from "./ytdlp_fleet.ts";

export interface AdminReportDeps {
  kv: Deno.Kv;
  queue: JobQueue;
  users: UserStore;
}

const TOP_SITES = 5;
const LATEST_UNDELIVERABLE = 3;

async function countPremium(users: UserStore, now: number): Promise<number> {
  let premium = 0;
  for await (const user of users.list()) if (planOf(user, now) === "premium") premium++;
  return premium;
}

export async function collectAdminReport(
  deps: AdminReportDeps,
  now = Date.now(),
): Promise<AdminReport> {
  const { kv, queue, users } = deps;
  const week = lastDays(7, now);
  const today = week.slice(-1);
  const [
    userCount,
    premiumUsers,
    dailyActive,
    weeklyActive,
    totals,
    events,
    failures,
    sites,
    jobs,
    undeliverable,
    revenue,
    experiments,
    ytdlp,
  ] = await Promise.all([
    users.count(),
    countPremium(users, now),
    countActiveUsers(kv, today),
    countActiveUsers(kv, week),
    Promise.all(week.map((day) => getDailyTotals(kv, day))),
    getEventCounts(kv, week),
    getLabelCounts(kv, week, "download_failed", "reason"),
    getLabelCounts(kv, week, "download_delivered", "site"),
    queue.countByState(),
    queue.listUndeliverable(LATEST_UNDELIVERABLE),
    starsRevenue(kv),
    allExperimentResults(kv),
    readYtdlpFleet(kv, now),
  ]);
  const cacheHits = events.get("cache_hit") ?? 0;
  const requests = events.get("download_requested") ?? 0;
  return {
    users: userCount,
    premiumUsers,
    dailyActive,
    weeklyActive,
    today: totals[totals.length - 1],
    week: totals.reduce(
      (sum, t) => ({ downloads: sum.downloads + t.downloads, bytes: sum.bytes + t.bytes }),
      {
        downloads: 0,
        bytes: 0,
      },
    ),
    cacheHitRatio: requests > 0 ? cacheHits / requests : undefined,
    cacheHits,
    requests,
    failures,
    topSites: sites.slice(0, TOP_SITES),
    jobs,
    undeliverable,
    starsRevenue: revenue,
    experiments,
    ytdlp,
  };
}
