/**
 * A user's last 30 days as a chart: downloads per day stacked by kind, and the top sites. Drawn
 * as SVG, rendered to PNG by resvg (WebAssembly, no native code) with DejaVu Sans from npm's
 * `dejavu-fonts-ttf` (Bitstream Vera licence, in the package), imported as bytes with the code:
 * the same picture on every machine, and no font file to find (Deno Deploy has none).
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import type { HistoryEntry } from "../kv/history.ts";
import type { Translate } from "../i18n/translations.ts";
import { escapeHtml, formatBytes } from "../lib/format.ts";
import { localDay } from "../lib/time.ts";
import type { MediaKind } from "../media/media_types.ts";

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 640;
export const CHART_DAYS = 30;
const TOP_SITES = 5;

const KINDS: readonly MediaKind[] = ["video", "audio", "photo", "document"];
const COLORS: Record<MediaKind, string> = {
  video: "#3b82f6",
  audio: "#f59e0b",
  photo: "#ec4899",
  document: "#10b981",
};

export interface DayActivity {
  /** YYYY-MM-DD in the user's time zone */
  day: string;
  counts: Record<MediaKind, number>;
}

export interface ActivitySummary {
  /** oldest first, one per day, today last */
  days: DayActivity[];
  sites: [string, number][];
  downloads: number;
  bytes: number;
  byKind: Record<MediaKind, number>;
  busiest?: DayActivity;
}

/** The last `dayCount` local days ending today, oldest first. */
export function lastLocalDays(now: number, timezone: string, dayCount = CHART_DAYS): string[] {
  const [year, month, day] = localDay(now, timezone).split("-").map(Number);
  return Array.from(
    { length: dayCount },
    (_, i) =>
      new Date(Date.UTC(year, month - 1, day - (dayCount - 1 - i))).toISOString().slice(0, 10),
  );
}

export function summarizeActivity(
  entries: HistoryEntry[],
  now: number,
  timezone: string,
  dayCount = CHART_DAYS,
): ActivitySummary {
  const days = lastLocalDays(now, timezone, dayCount).map((day): DayActivity => ({
    day,
    counts: { video: 0, audio: 0, document: 0, photo: 0 },
  }));
  const byDay = new Map(days.map((d) => [d.day, d]));
  const sites = new Map<string, number>();
  const summary: ActivitySummary = {
    days,
    sites: [],
    downloads: 0,
    bytes: 0,
    byKind: { video: 0, audio: 0, document: 0, photo: 0 },
  };
  for (const entry of entries) {
    const day = byDay.get(localDay(entry.at, timezone));
    if (!day) continue;
    day.counts[entry.kind]++;
    summary.downloads++;
    summary.bytes += entry.size;
    summary.byKind[entry.kind]++;
    sites.set(entry.extractor, (sites.get(entry.extractor) ?? 0) + 1);
  }
  summary.sites = [...sites].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP_SITES);
  const total = (d: DayActivity) => d.counts.video + d.counts.audio + d.counts.document;
  const busiest = days.reduce((best, d) => (total(d) > total(best) ? d : best), days[0]);
  if (busiest && total(busiest) > 0) summary.busiest = busiest;
  return summary;
}

/** "3 Nov": a local day (YYYY-MM-DD) in the user's language. */
function dayFormatter(locale: string): (day: string) => string {
  const dayFormat = new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  return (day) => dayFormat.format(new Date(`${day}T00:00:00Z`));
}

/** The chart with its words in the user's language. */
export function renderStatsChart(t: Translate, locale: string, summary: ActivitySummary): string {
  return renderActivitySvg(summary, {
    title: t("stats-chart-title"),
    perDay: t("stats-chart-per-day"),
    topSites: t("stats-chart-top-sites"),
    noDownloads: t("stats-chart-empty"),
    kinds: {
      video: t("stats-kind-video"),
      audio: t("stats-kind-audio"),
      photo: t("stats-kind-photo"),
      document: t("stats-kind-document"),
    },
    formatDay: dayFormatter(locale),
  });
}

/** The photo's caption: the month's totals, the busiest day and the top site. */
export function renderStatsCaption(t: Translate, locale: string, summary: ActivitySummary): string {
  const formatDay = dayFormatter(locale);
  const lines = [
    t("stats-title"),
    t("stats-summary", {
      downloads: summary.downloads,
      bytes: formatBytes(summary.bytes, locale),
      videos: summary.byKind.video,
      audio: summary.byKind.audio,
      images: summary.byKind.photo,
      files: summary.byKind.document,
    }),
  ];
  if (summary.busiest) {
    const count = Object.values(summary.busiest.counts).reduce((a, b) => a + b, 0);
    lines.push(t("stats-busiest", { day: formatDay(summary.busiest.day), count }));
  }
  if (summary.sites.length > 0) {
    lines.push(
      t("stats-top-site", {
        site: escapeHtml(summary.sites[0][0]),
        count: summary.sites[0][1],
      }),
    );
  }
  return lines.join("\n");
}

export interface ChartLabels {
  title: string;
  perDay: string;
  topSites: string;
  noDownloads: string;
  kinds: Record<MediaKind, string>;
  /** "5 Nov": the short date under the axis */
  formatDay: (day: string) => string;
}

/** Rounds the axis maximum up to 1, 2 or 5 × 10ⁿ, so gridlines fall on whole numbers. */
function niceMax(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * magnitude) return step * magnitude;
  }
  return 10 * magnitude;
}

function text(x: number, y: number, content: string, attributes = ""): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escapeHtml(content)}</text>`;
}

export function renderActivitySvg(summary: ActivitySummary, labels: ChartLabels): string {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" ` +
    `viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="DejaVu Sans" font-size="14" fill="#1f2937">`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`,
    text(40, 44, labels.title, 'font-size="26" font-weight="bold"'),
    text(40, 80, labels.perDay, 'font-size="16" fill="#4b5563"'),
  ];

  // downloads per day, stacked by kind
  const left = 70, right = CHART_WIDTH - 40, top = 100, bottom = 360;
  const totals = summary.days.map((d) => KINDS.reduce((sum, k) => sum + d.counts[k], 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (value: number) => bottom - (value / max) * (bottom - top);
  for (let i = 0; i <= 5; i++) {
    const value = (max / 5) * i;
    parts.push(
      `<line x1="${left}" x2="${right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/>`,
      text(left - 10, y(value) + 5, String(Math.round(value)), 'text-anchor="end" fill="#6b7280"'),
    );
  }
  const slot = (right - left) / summary.days.length;
  const barWidth = Math.max(2, slot * 0.7);
  summary.days.forEach((day, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    for (const kind of KINDS) {
      const count = day.counts[kind];
      if (count === 0) continue;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(base + count).toFixed(1)}" width="${
          barWidth.toFixed(1)
        }" ` +
          `height="${(y(base) - y(base + count)).toFixed(1)}" fill="${COLORS[kind]}"/>`,
      );
      base += count;
    }
    if (i % 5 === 0 || i === summary.days.length - 1) {
      parts.push(
        text(
          x + barWidth / 2,
          bottom + 22,
          labels.formatDay(day.day),
          'text-anchor="middle" fill="#6b7280" font-size="12"',
        ),
      );
    }
  });
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#9ca3af"/>`);
  if (summary.downloads === 0) {
    parts.push(
      text(
        (left + right) / 2,
        (top + bottom) / 2,
        labels.noDownloads,
        'text-anchor="middle" font-size="18" fill="#6b7280"',
      ),
    );
  }

  // legend
  let legendX = left;
  for (const kind of KINDS) {
    const label = `${labels.kinds[kind]} (${summary.byKind[kind]})`;
    parts.push(
      `<rect x="${legendX}" y="${bottom + 40}" width="14" height="14" fill="${COLORS[kind]}"/>`,
      text(legendX + 20, bottom + 52, label),
    );
    legendX += 40 + label.length * 9;
  }

  // top sites, as horizontal bars
  const sitesTop = 460;
  parts.push(text(40, sitesTop, labels.topSites, 'font-size="16" fill="#4b5563"'));
  const topCount = summary.sites[0]?.[1] ?? 1;
  const barLeft = 240, barRight = CHART_WIDTH - 100;
  summary.sites.forEach(([site, count], i) => {
    const rowY = sitesTop + 18 + i * 30;
    const width = Math.max(2, ((barRight - barLeft) * count) / topCount);
    parts.push(
      text(
        barLeft - 12,
        rowY + 16,
        site.length > 24 ? `${site.slice(0, 23)}…` : site,
        'text-anchor="end"',
      ),
      `<rect x="${barLeft}" y="${rowY}" width="${
        width.toFixed(1)
      }" height="22" rx="3" fill="#6366f1"/>`,
      text(barLeft + width + 8, rowY + 16, String(count), 'fill="#4b5563"'),
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

let renderer: Promise<Uint8Array[]> | undefined;

/**
 * Loads the WebAssembly module and the fonts once, on the first chart: both are imported as
 * bytes, part of the module graph (no file system), and left out of a cold start.
 */
function loadRenderer(): Promise<Uint8Array[]> {
  renderer ??= (async () => {
    const [wasm, regular, bold] = await Promise.all([
      import("@resvg/resvg-wasm/index_bg.wasm", { with: { type: "bytes" } }),
      import("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", { with: { type: "bytes" } }),
      import("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", { with: { type: "bytes" } }),
    ]);
    await initWasm(wasm.default);
    return [regular.default, bold.default];
  })();
  renderer.catch(() => renderer = undefined);
  return renderer;
}

export async function renderPng(svg: string): Promise<Uint8Array> {
  const fontBuffers = await loadRenderer();
  const resvg = new Resvg(svg, {
    font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
