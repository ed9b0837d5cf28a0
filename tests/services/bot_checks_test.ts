/** /admin's watch on sign-in and bot checks: counted in 10-minute steps, a spike said in numbers. */
import { assertEquals } from "../support/assert.ts";
import { type AnalyticsEvent, recordEvents } from "../../kv/analytics.ts";
import { collectBotChecks, SPIKE_FACTOR, SPIKE_MIN_PER_HOUR } from "../../services/admin_report.ts";

const NOW = Date.UTC(2026, 11, 2, 12, 34, 56);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function failures(reason: string, count: number, from: number, to: number): AnalyticsEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    name: "download_failed",
    userId: i,
    at: from + Math.floor(((to - from) * i) / count),
    labels: { reason },
    amounts: {},
  }));
}

async function checksWith(events: AnalyticsEvent[]) {
  await using kv = await Deno.openKv(":memory:");
  await recordEvents(kv, events);
  return await collectBotChecks(kv, NOW);
}

Deno.test("[services/admin_report] bot checks spike at 5 in the last hour and over 3 times the previous day's hourly mean", async () => {
  assertEquals([SPIKE_MIN_PER_HOUR, SPIKE_FACTOR], [5, 3]);
  const previousDay = (count: number) =>
    failures("needs_login", count, NOW - 47 * HOUR, NOW - 25 * HOUR);
  const lastHour = (count: number) => failures("needs_login", count, NOW - 50 * MINUTE, NOW);

  assertEquals(await checksWith([...lastHour(5), ...previousDay(24)]), {
    lastHour: 5,
    lastDay: 5,
    previousHourlyMean: 1,
    spiking: true,
  });
  assertEquals((await checksWith(lastHour(4))).spiking, false, "fewer than 5 is no spike");
  // 4 an hour the day before: 12 is not over 3 times that, 13 is
  assertEquals((await checksWith([...lastHour(12), ...previousDay(96)])).spiking, false);
  assertEquals((await checksWith([...lastHour(13), ...previousDay(96)])).spiking, true);
});

Deno.test("[services/admin_report] only sign-in and bot checks count, and only in their windows", async () => {
  const checks = await checksWith([
    ...failures("needs_login", 3, NOW - 50 * MINUTE, NOW),
    ...failures("needs_login", 4, NOW - 20 * HOUR, NOW - 2 * HOUR),
    ...failures("needs_login", 7, NOW - 60 * HOUR, NOW - 49 * HOUR),
    ...failures("unavailable", 9, NOW - 30 * MINUTE, NOW),
  ]);
  assertEquals(checks, { lastHour: 3, lastDay: 7, previousHourlyMean: 0, spiking: false });
});
