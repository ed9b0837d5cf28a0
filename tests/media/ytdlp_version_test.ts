import { assertEquals } from "../support/assert.ts";
import { ytdlpAgeDays, ytdlpReleaseDate } from "../../media/ytdlp_version.ts";

Deno.test("[media/ytdlp_version] a version is its release date; a nightly adds the time, anything else is no date", () => {
  assertEquals(ytdlpReleaseDate("2026.11.23"), Date.UTC(2026, 10, 23));
  assertEquals(ytdlpReleaseDate("2026.11.23.123456"), Date.UTC(2026, 10, 23));
  for (const version of ["2026.02.31", "2026.13.01", "1.32.21", "2026.11.23-dev", ""]) {
    assertEquals(ytdlpReleaseDate(version), undefined, version);
  }
  const now = Date.UTC(2026, 11, 2, 23, 0);
  assertEquals(ytdlpAgeDays("2026.11.23", now), 9);
  assertEquals(ytdlpAgeDays("2026.12.03", now), 0, "a clock behind the release: not negative");
  assertEquals(ytdlpAgeDays("custom", now), undefined);
});
