/** /schedule's "when": French and English, time zones, DST changes, repetitions, refusals. */
import { assert, assertEquals } from "../support/assert.ts";
import {
  formatWhen,
  loadWhenParser,
  localTimeOf,
  nextOccurrence,
  parseWhen,
  type WhenOptions,
} from "../../lib/when.ts";
import { zonedAt } from "../../lib/time.ts";

const DAY = 86_400_000;
await loadWhenParser();

function when(text: string, options: Partial<WhenOptions> & { now: number }): string {
  const parsed = parseWhen(text, {
    locale: "en",
    timezone: "Europe/Paris",
    horizonMs: 30 * DAY,
    ...options,
  });
  if (!parsed.ok) throw new Error(`"${text}" refused: ${parsed.reason}`);
  return new Date(parsed.at).toISOString();
}

function refusal(text: string, options: Partial<WhenOptions> & { now: number }): string {
  const parsed = parseWhen(text, {
    locale: "en",
    timezone: "Europe/Paris",
    horizonMs: 30 * DAY,
    ...options,
  });
  return parsed.ok ? `accepted ${new Date(parsed.at).toISOString()}` : parsed.reason;
}

/** Tuesday 2026-11-24, 15:00 in Paris (UTC+1). */
const NOV_24 = Date.parse("2026-11-24T14:00:00Z");

Deno.test("[when] French: demain 8h, 20:00, dans 2 heures, a date", () => {
  const fr = { locale: "fr", now: NOV_24 };
  assertEquals(when("demain 8h", fr), "2026-11-25T07:00:00.000Z");
  assertEquals(when("demain à 20h30", fr), "2026-11-25T19:30:00.000Z");
  assertEquals(when("20:00", fr), "2026-11-24T19:00:00.000Z");
  assertEquals(when("dans 2 heures", fr), "2026-11-24T16:00:00.000Z");
  assertEquals(when("dans 10 secondes", fr), "2026-11-24T14:00:10.000Z");
  assertEquals(when("le 3 décembre à 18h", fr), "2026-12-03T17:00:00.000Z");
  assertEquals(when("lundi prochain à 9h", fr), "2026-11-30T08:00:00.000Z");
});

Deno.test("[when] English: tomorrow at 7pm, in 2 hours, 20:00, a date", () => {
  const en = { locale: "en", now: NOV_24 };
  assertEquals(when("tomorrow at 7pm", en), "2026-11-25T18:00:00.000Z");
  assertEquals(when("in 2 hours", en), "2026-11-24T16:00:00.000Z");
  assertEquals(when("in 5 seconds", en), "2026-11-24T14:00:05.000Z");
  assertEquals(when("20:00", en), "2026-11-24T19:00:00.000Z");
  assertEquals(when("2026-12-01 18:30", en), "2026-12-01T17:30:00.000Z");
  assertEquals(when("December 3 at 6pm", en), "2026-12-03T17:00:00.000Z");
  // an offset written by the user wins over the user's zone
  assertEquals(when("8pm UTC", en), "2026-11-24T20:00:00.000Z");
});

Deno.test("[when] a time already past today is tomorrow's; the user's other language is understood", () => {
  const evening = Date.parse("2026-11-24T20:30:00Z"); // 21:30 in Paris
  assertEquals(when("20:00", { now: evening }), "2026-11-25T19:00:00.000Z");
  // an English speaker writing French, and the other way round
  assertEquals(when("demain 8h", { locale: "en", now: NOV_24 }), "2026-11-25T07:00:00.000Z");
  assertEquals(when("tomorrow at 7pm", { locale: "fr", now: NOV_24 }), "2026-11-25T18:00:00.000Z");
});

Deno.test("[when] the same words name the wall clock of the user's zone", () => {
  const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Asia/Kolkata"];
  for (const timezone of zones) {
    const at = Date.parse(when("tomorrow at 8am", { timezone, now: NOV_24 }));
    const wall = zonedAt(at, timezone);
    assertEquals([wall.hour, wall.minute], [8, 0], `8:00 in ${timezone}`);
    assert(at > NOV_24 && at - NOV_24 < 2 * DAY, `${timezone}: tomorrow, not later`);
  }
  assertEquals(
    when("tomorrow at 8am", { timezone: "America/New_York", now: NOV_24 }),
    "2026-11-25T13:00:00.000Z",
  );
  // already 23:00 on the 24th in Tokyo: tomorrow 8:00 there is 23:00 UTC the same day
  assertEquals(
    when("demain 8h", { timezone: "Asia/Tokyo", now: NOV_24 }),
    "2026-11-24T23:00:00.000Z",
  );
});

Deno.test("[when] autumn DST change in Paris (2026-10-25): wall times keep their hour, durations their length", () => {
  // Saturday 2026-10-24 20:00 in Paris, UTC+2; Sunday is UTC+1
  const now = Date.parse("2026-10-24T18:00:00Z");
  assertEquals(zonedAt(now, "Europe/Paris").offset, "+02:00");
  // chrono alone applies today's +2 and would say 06:00Z (07:00 on Sunday's clocks)
  assertEquals(when("demain 8h", { locale: "fr", now }), "2026-10-25T07:00:00.000Z");
  assertEquals(when("tomorrow at 8pm", { now }), "2026-10-25T19:00:00.000Z");
  // "in 24 hours" is 24 real hours, 19:00 on Sunday's clocks
  assertEquals(when("in 24 hours", { now }), "2026-10-25T18:00:00.000Z");
  // 02:30 happens twice that night: the first one
  assertEquals(when("demain 2h30", { locale: "fr", now }), "2026-10-25T00:30:00.000Z");
});

Deno.test("[when] spring DST change in Paris (2027-03-28): the skipped hour moves forward", () => {
  const now = Date.parse("2027-03-27T12:00:00Z"); // Saturday 13:00, UTC+1
  assertEquals(when("demain 8h", { locale: "fr", now }), "2027-03-28T06:00:00.000Z");
  // 02:30 does not exist that night: 03:30 summer time
  assertEquals(when("tomorrow at 2:30am", { now }), "2027-03-28T01:30:00.000Z");
  assertEquals(zonedAt(Date.parse("2027-03-28T01:30:00Z"), "Europe/Paris").hour, 3);
});

Deno.test("[when] New York's DST change (2026-11-01) too", () => {
  const now = Date.parse("2026-10-31T16:00:00Z"); // Saturday noon EDT (UTC-4)
  assertEquals(
    when("tomorrow at 9am", { timezone: "America/New_York", now }),
    "2026-11-01T14:00:00.000Z",
  );
  assertEquals(
    when("tomorrow at 1:30am", { timezone: "America/New_York", now }),
    "2026-11-01T05:30:00.000Z",
    "01:30 happens twice: the first (EDT)",
  );
});

Deno.test("[when] refusals: the past, beyond the horizon, words that are no time", () => {
  const fr = { locale: "fr", now: NOV_24 };
  assertEquals(refusal("hier 20h", fr), "past");
  assertEquals(refusal("yesterday at 8pm", { now: NOV_24 }), "past");
  assertEquals(refusal("1 janvier 2020", fr), "past");
  assertEquals(refusal("2027-06-01 10:00", { now: NOV_24 }), "too_far");
  assertEquals(refusal("dans 2 mois", fr), "too_far");
  assertEquals(refusal("n'importe quoi", fr), "unparsed");
  assertEquals(refusal("whenever you like", { now: NOV_24 }), "unparsed");
});

Deno.test("[when] repetitions: every day, every week, in both languages", () => {
  const daily = parseWhen("every day at 8am", {
    locale: "en",
    timezone: "Europe/Paris",
    now: NOV_24,
    horizonMs: 30 * DAY,
  });
  assert(daily.ok && daily.repeat === "daily", JSON.stringify(daily));
  assertEquals(new Date(daily.at).toISOString(), "2026-11-25T07:00:00.000Z");
  const weekly = parseWhen("tous les lundis à 9h", {
    locale: "fr",
    timezone: "Europe/Paris",
    now: NOV_24,
    horizonMs: 30 * DAY,
  });
  assert(weekly.ok && weekly.repeat === "weekly", JSON.stringify(weekly));
  assertEquals(new Date(weekly.at).toISOString(), "2026-11-30T08:00:00.000Z");
  for (const text of ["chaque jour à 7h", "daily 7:00", "tous les jours à 7h"]) {
    const parsed = parseWhen(text, {
      locale: "fr",
      timezone: "UTC",
      now: NOV_24,
      horizonMs: DAY * 30,
    });
    assert(parsed.ok && parsed.repeat === "daily", `${text}: ${JSON.stringify(parsed)}`);
  }
});

Deno.test("[when] a daily 08:00 stays 08:00 across the DST change, and missed runs are skipped", () => {
  const timezone = "Europe/Paris";
  const saturday8 = Date.parse("2026-10-24T06:00:00Z"); // 08:00 summer time
  const time = localTimeOf(saturday8, timezone);
  assertEquals(time, { hour: 8, minute: 0 });
  const sunday8 = nextOccurrence(saturday8, "daily", time, timezone, saturday8);
  assertEquals(new Date(sunday8).toISOString(), "2026-10-25T07:00:00.000Z", "08:00 winter time");
  const weekLater = nextOccurrence(saturday8, "weekly", time, timezone, saturday8);
  assertEquals(new Date(weekLater).toISOString(), "2026-10-31T07:00:00.000Z");
  // the app was down until Tuesday 07:00: the next run is Tuesday's, not Sunday's or Monday's
  const afterOutage = nextOccurrence(saturday8, "daily", time, timezone, saturday8 + 3 * DAY);
  assertEquals(new Date(afterOutage).toISOString(), "2026-10-27T07:00:00.000Z");
});

Deno.test("[when] a daily 02:30 is 03:30 on the night that skips it, and 02:30 again after", () => {
  const timezone = "Europe/Paris";
  const friday = Date.parse("2027-03-26T01:30:00Z"); // 02:30 winter time
  const time = localTimeOf(friday, timezone);
  const saturday = nextOccurrence(friday, "daily", time, timezone, friday);
  assertEquals(new Date(saturday).toISOString(), "2027-03-27T01:30:00.000Z");
  const sunday = nextOccurrence(saturday, "daily", time, timezone, saturday);
  assertEquals(new Date(sunday).toISOString(), "2027-03-28T01:30:00.000Z", "03:30 summer time");
  const monday = nextOccurrence(sunday, "daily", time, timezone, sunday);
  assertEquals(new Date(monday).toISOString(), "2027-03-29T00:30:00.000Z", "02:30 summer time");
});

Deno.test("[when] the confirmation shows the local time in the user's language", () => {
  const at = Date.parse("2026-11-25T19:00:00Z");
  assertEquals(formatWhen(at, "fr", "Europe/Paris"), "mercredi 25 novembre 2026 à 20:00");
  assert(/November 25, 2026.*8:00\sPM/.test(formatWhen(at, "en", "Europe/Paris")));
  assert(/2:00\sPM/.test(formatWhen(at, "en", "America/New_York")));
});
