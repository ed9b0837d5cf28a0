import { assert, assertEquals } from "../support/assert.ts";
import type { HistoryEntry } from "../../kv/history.ts";
import type { MediaKind } from "../../media/media_types.ts";
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  type ChartLabels,
  lastLocalDays,
  renderActivitySvg,
  renderPng,
  summarizeActivity,
} from "../../views/stats_chart.ts";

const NOW = Date.UTC(2026, 10, 24, 23, 30);

function entry(at: number, kind: MediaKind, extractor: string): HistoryEntry {
  return {
    id: String(at),
    userId: 1,
    title: "t",
    url: "https://example.com",
    kind,
    variant: "720",
    size: 1_000,
    extractor,
    mediaId: String(at),
    fromCache: false,
    at,
  };
}

const LABELS: ChartLabels = {
  title: "Your activity <30 days> & more",
  perDay: "Downloads per day",
  topSites: "Top sites",
  noDownloads: "No downloads",
  kinds: { video: "Videos", audio: "Audio", photo: "Images", document: "Files" },
  formatDay: (day) => day.slice(5),
};

/** Width and height from the IHDR chunk, after checking the PNG signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  assertEquals(
    [...png.subarray(0, 8)],
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    "PNG signature",
  );
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assertEquals(view.getUint32(8), 13, "IHDR length");
  assertEquals(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

Deno.test("[views/stats_chart] days are the user's local days, counted by kind, with top sites", () => {
  const day = 86_400_000;
  const entries = [
    entry(NOW, "video", "youtube"),
    entry(NOW - 1000, "audio", "youtube"),
    entry(NOW - 2 * day, "document", "vimeo"),
    entry(NOW - 3 * day, "photo", "gallery-dl:instagram"),
    entry(NOW - 40 * day, "video", "youtube"),
  ];
  const paris = summarizeActivity(entries, NOW, "Europe/Paris");
  assertEquals(paris.days.length, 30);
  // 23:30 UTC is already the 25th in Paris (UTC+1)
  assertEquals(paris.days.at(-1)?.day, "2026-11-25");
  assertEquals(paris.days.at(-1)?.counts, { video: 1, audio: 1, document: 0, photo: 0 });
  assertEquals(paris.downloads, 4, "the 40-day-old one is outside the chart");
  assertEquals(paris.byKind, { video: 1, audio: 1, document: 1, photo: 1 });
  assertEquals(paris.sites, [["youtube", 2], ["gallery-dl:instagram", 1], ["vimeo", 1]]);
  assertEquals(paris.busiest?.day, "2026-11-25");
  assertEquals(summarizeActivity(entries, NOW, "UTC").days.at(-1)?.day, "2026-11-24");
  assertEquals(lastLocalDays(Date.UTC(2026, 2, 2, 12), "UTC", 3), [
    "2026-02-28",
    "2026-03-01",
    "2026-03-02",
  ]);
});

Deno.test("[views/stats_chart] the chart is a valid PNG of the expected size, text escaped", async () => {
  const entries = Array.from(
    { length: 60 },
    (_, i) =>
      entry(
        NOW - (i % 30) * 86_400_000,
        (["video", "audio", "document", "photo"] as const)[i % 4],
        `site${i % 7}`,
      ),
  );
  const svg = renderActivitySvg(summarizeActivity(entries, NOW, "UTC"), LABELS);
  assert(svg.includes("Your activity &lt;30 days&gt; &amp; more"), "labels are escaped in the SVG");
  const png = await renderPng(svg);
  assertEquals(pngSize(png), { width: CHART_WIDTH, height: CHART_HEIGHT });

  const empty = await renderPng(renderActivitySvg(summarizeActivity([], NOW, "UTC"), LABELS));
  assertEquals(pngSize(empty), { width: CHART_WIDTH, height: CHART_HEIGHT });
  assert(png.length > empty.length, "bars and labels add pixels");
});

Deno.test("[views/stats_chart] the chart renders with its text where no file can be read (the font ships with the code)", async () => {
  const chart = new URL("../../views/stats_chart.ts", import.meta.url).href;
  const script = `
    import { renderActivitySvg, renderPng, summarizeActivity } from ${JSON.stringify(chart)};
    const labels = { title: "Activity", perDay: "Per day", topSites: "Top sites",
      noDownloads: "No downloads", kinds: { video: "Videos", audio: "Audio", document: "Files" },
      formatDay: (day: string) => day };
    const blank = await renderPng(renderActivitySvg(summarizeActivity([], 0, "UTC"), labels));
    const worded = await renderPng(renderActivitySvg(summarizeActivity([], 0, "UTC"),
      { ...labels, title: "Activity of the last thirty days, every word drawn" }));
    console.log(JSON.stringify({ blank: blank.length, worded: worded.length }));
  `;
  const dir = await Deno.makeTempDir({ prefix: "chart-no-files-" });
  await Deno.writeTextFile(`${dir}/chart.ts`, script);
  // no permission at all: not even reading a file
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--config", "deno.json", `${dir}/chart.ts`],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert(run.success, new TextDecoder().decode(run.stderr));
  const sizes = JSON.parse(new TextDecoder().decode(run.stdout));
  assert(sizes.worded > sizes.blank, "a longer title draws more glyphs: the font was loaded");
});
