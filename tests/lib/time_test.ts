import { assert, assertEquals } from "../support/assert.ts";
import { isValidTimezone, localDay, utcDay } from "../../lib/time.ts";

Deno.test("[lib/time] a local day turns at the zone's midnight, DST nights included", () => {
  const lateUtc = Date.parse("2026-11-24T23:30:00Z");
  assertEquals(localDay(lateUtc, "UTC"), "2026-11-24");
  assertEquals(localDay(lateUtc, "Europe/Paris"), "2026-11-25");
  assertEquals(localDay(lateUtc, "America/Los_Angeles"), "2026-11-24");
  assertEquals(localDay(Date.parse("2026-11-24T14:59:00Z"), "Asia/Tokyo"), "2026-11-24");
  assertEquals(localDay(Date.parse("2026-11-24T15:00:00Z"), "Asia/Tokyo"), "2026-11-25");
  // Paris goes from +2 to +1 on 2026-10-25: midnight of the 26th is 23:00 UTC
  assertEquals(localDay(Date.parse("2026-10-25T22:59:00Z"), "Europe/Paris"), "2026-10-25");
  assertEquals(localDay(Date.parse("2026-10-25T23:00:00Z"), "Europe/Paris"), "2026-10-26");
});

Deno.test("[lib/time] an unknown zone counts in UTC; zones are checked by name", () => {
  const at = Date.parse("2026-11-24T23:30:00Z");
  assertEquals(localDay(at, "Mars/Olympus_Mons"), utcDay(at));
  assert(isValidTimezone("Europe/Paris"));
  assert(isValidTimezone("UTC"));
  assert(!isValidTimezone("Mars/Olympus_Mons"));
  assert(!isValidTimezone("../../etc/passwd"));
  assert(!isValidTimezone(""));
});
