/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c]);
}
const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
};

/** How long an HTML text of ours is once Telegram has parsed it (tags gone, entities one character). */
export function htmlTextLength(html: string): number {
  return html.replace(/<[^>]*>/g, "").replace(/&(?:amp|lt|gt|quot);/g, "&").length;
}

/** Cuts text to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

const PARTIAL_BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** The seed's animated bar: full blocks, one partial block (eighths), then light shade. */
export function renderProgressBar(percent: number, width = 20): string {
  const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
  const eighths = Math.round((clamped / 100) * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = PARTIAL_BLOCKS[eighths % 8];
  const empty = width - full - (partial ? 1 : 0);
  return "█".repeat(full) + partial + "░".repeat(empty);
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];
// French counts octets
const FRENCH_UNITS = ["o", "Ko", "Mo", "Go", "To"];

const numberFormats = new Map<string, Intl.NumberFormat>();

/** Cached: building an Intl formatter costs far more than using one. */
function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}:${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    });
    if (numberFormats.size < 100) numberFormats.set(key, format);
  }
  return format;
}

const compactFormats = new Map<string, Intl.NumberFormat>();

/** 1234567 → "1.2M" in English, "1,2 M" in French: counts of views and likes. */
export function formatCount(count: number, locale = "en"): string {
  let format = compactFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
    if (compactFormats.size < 100) compactFormats.set(locale, format);
  }
  return format.format(count);
}

/** 1536 → "1.5 KB", in the locale's number format. */
export function formatBytes(bytes: number, locale = "en"): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = numberFormat(locale, digits).format(value);
  return `${number} ${(locale.startsWith("fr") ? FRENCH_UNITS : UNITS)[unit]}`;
}

/** 3725 → "1:02:05", 65 → "1:05". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** A moment in UTC, short, in the locale's format: "11/24/26, 12:00 PM UTC". */
export function formatUtcMoment(at: number, locale = "en"): string {
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: "UTC",
  });
  return `${format.format(at)} UTC`;
}
