/**
 * A media's preview, progress and caption, and the preview's keyboards: shown in answers to
 * updates and in messages sent from job events alike.
 */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { JobProgress } from "../media/job_types.ts";
import {
  type AudioFormat,
  audioFormatOf,
  COMPRESS_PRESETS,
  concreteVariant,
  type GalleryCounts,
  mp3Kbps,
  presetOf,
  type ProbeInfo,
  type Variant,
} from "../media/media_types.ts";
import { availableVariants, estimateVariantSizes } from "../media/formats.ts";
import {
  escapeHtml,
  formatBytes,
  formatCount,
  formatDuration,
  htmlTextLength,
  renderProgressBar,
  truncate,
} from "../lib/format.ts";
import type { Translate } from "../i18n/translations.ts";
import type { MediaOffers, Recommendation } from "../media/quality.ts";
import { contentLanguage } from "../media/detect_language.ts";
import { primaryLanguage } from "../media/translator.ts";
import type { InlineKeyboardButton } from "grammy/types";
import { shareButton } from "./share.ts";

export function variantLabel(t: Translate, variant: Variant): string {
  if (variant === "best") return t("button-best");
  if (variant === "audio") return t("button-audio");
  if (variant === "split") return t("button-split");
  const preset = presetOf(variant);
  if (preset) return t(`button-compress-${preset}`);
  const audioFormat = audioFormatOf(variant);
  if (audioFormat) return `${t("button-audio")} · ${audioFormatLabel(t, audioFormat)}`;
  return `${variant}p`;
}

/** "MP3 192 kbps", "M4A (original)". */
export function audioFormatLabel(t: Translate, format: AudioFormat): string {
  const kbps = mp3Kbps(format);
  return kbps === undefined ? t("audio-format-m4a") : t("audio-format-mp3", { kbps });
}

function resolutionOf(info: ProbeInfo): string | undefined {
  const best = info.formats.filter((f) => f.height)
    .sort((a, b) => (b.height ?? 0) - (a.height ?? 0))[0];
  if (!best) return undefined;
  return best.width ? `${best.width}×${best.height}` : `${best.height}p`;
}

/** What a preview advises one user (services/preview_advice.ts gathers it). */
export interface PreviewAdvice {
  recommendation?: Recommendation;
  offers: MediaOffers;
  /** what "audio" makes for this user: its size is told in that format */
  audioFormat?: AudioFormat;
}

export interface PreviewOptions {
  /** the user prefers audio: its button comes first */
  preferAudio?: boolean;
  /** the recommended quality (marked, and explained in one line) and the extra offers */
  advice?: PreviewAdvice;
  /** the A/B test "preview_buttons" (services/experiments.ts): smallest quality first */
  qualityOrder?: "best_first" | "smallest_first";
  /** a live stream: the recording lengths offered, in minutes, instead of qualities */
  recordMinutes?: readonly number[];
  /** the media's share (services/shares.ts): the preview offers "📤 Share" */
  shareToken?: string;
  /** a translator is at hand: a title in another language than the user's gets "Translate" */
  offerTranslation?: boolean;
  /** shown in a group: no buttons that answer with the user's own things (playlists, batches) */
  inGroup?: boolean;
}

/** Telegram's limit on a photo's caption, counted after its HTML is parsed. */
const CAPTION_MAX_CHARS = 1024;
/** the seed's excerpt: the start of the description, about this long */
const EXCERPT_MAX_CHARS = 200;
/** an excerpt shorter than this says too little to be worth its lines */
const EXCERPT_MIN_CHARS = 40;

export function renderPreview(
  t: Translate,
  locale: string,
  info: ProbeInfo,
  previewId: string,
  options: PreviewOptions = {},
): { caption: string; keyboard: InlineKeyboard } {
  const icon = info.gallery ? "🖼" : "🎬";
  const head = [`${icon} <b>${escapeHtml(truncate(info.title, 200))}</b>`];
  const lines: string[] = [];
  if (info.uploader) {
    lines.push(t("preview-by", { author: escapeHtml(truncate(info.uploader, 80)) }));
  }
  if (info.isLive) lines.push(t("preview-live"));
  else if (info.duration) {
    lines.push(t("preview-duration", { duration: formatDuration(info.duration) }));
  }
  const resolution = resolutionOf(info);
  if (resolution) lines.push(t("preview-resolution", { resolution }));
  const audience = audienceLine(t, locale, info);
  if (audience) lines.push(audience);
  if (info.playlist) {
    const title = escapeHtml(truncate(info.playlist.title, 100));
    lines.push(t("batch-preview-playlist", { title, count: info.playlist.count }));
  }

  const live = info.isLive && options.recordMinutes !== undefined;
  if (info.gallery) lines.push(t("preview-gallery", { ...info.gallery }));
  else if (live) lines.push("", t("preview-record-choose"));
  else lines.push(...sizeLines(t, locale, info, options.advice), "", t("preview-choose"));

  const keyboard = info.gallery
    ? galleryButtons(t, info.gallery, previewId)
    : live
    ? recordButtons(t, previewId, options.recordMinutes!)
    : qualityButtons(t, info, previewId, options);
  if (options.offerTranslation && titleInOtherLanguage(info, locale)) {
    keyboard.text(t("button-translate-title"), buildCallback("translateTitle", { previewId }))
      .row();
  }
  if (!live && availableVariants(info).includes("audio") && !options.preferAudio) {
    keyboard.text(
      qualityLabel(t, info, "audio", options.advice),
      buildCallback("download", { previewId, variant: "audio" }),
    );
  }
  // a playlist holds videos and audio: a gallery does not go in one
  if (!options.inGroup && !info.gallery) {
    keyboard.text(t("playlist-button-add"), buildCallback("playlistAdd", { previewId })).row();
  }
  if (info.playlist && !options.inGroup) {
    keyboard.text(
      t("batch-button-all", { count: info.playlist.count }),
      buildCallback("batchList", { previewId }),
    ).row();
  }
  if (options.shareToken) keyboard.add(shareButton(t, options.shareToken));
  keyboard.text(t("button-cancel"), buildCallback("previewClose", { previewId }));

  // every other part is bounded (title 200, author 80…); the excerpt takes what room is left
  const rest = [...head, ...lines].join("\n");
  const room = CAPTION_MAX_CHARS - htmlTextLength(rest) - 3;
  const excerpt = info.description
    ? descriptionExcerpt(info.description, Math.min(EXCERPT_MAX_CHARS, room))
    : "";
  const caption = excerpt.length >= EXCERPT_MIN_CHARS
    ? [...head, "", escapeHtml(excerpt), "", ...lines].join("\n")
    : [...head, "", ...lines].join("\n");
  return { caption, keyboard };
}

/** "👁 1.2M views · 👍 8.9K likes", with what the site counts. */
function audienceLine(t: Translate, locale: string, info: ProbeInfo): string | undefined {
  const parts = [
    info.viewCount === undefined
      ? undefined
      : t("preview-views", { count: formatCount(info.viewCount, locale) }),
    info.likeCount === undefined
      ? undefined
      : t("preview-likes", { count: formatCount(info.likeCount, locale) }),
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/** The estimated size of each quality, and the recommended one. */
function sizeLines(
  t: Translate,
  locale: string,
  info: ProbeInfo,
  advice: PreviewAdvice | undefined,
): string[] {
  const audioFormat = advice?.audioFormat;
  const sizes = estimateVariantSizes(info, audioFormat);
  const sized = availableVariants(info).filter((v) => sizes[v] !== undefined);
  const lines = ["", t("preview-sizes")];
  if (sized.length === 0) lines.push(`• ${t("size-unknown")}`);
  for (const variant of sized) {
    // "audio" is sized in the user's format, and says which
    const label = variantLabel(t, audioFormat ? concreteVariant(variant, audioFormat) : variant);
    lines.push(`• ${escapeHtml(label)}: ~${formatBytes(sizes[variant]!, locale)}`);
  }
  if (advice) lines.push("", renderRecommendation(t, locale, advice));
  return lines;
}

/** A quality's button label, marked when it is the recommended one. */
function qualityLabel(
  t: Translate,
  info: ProbeInfo,
  variant: Variant,
  advice: PreviewAdvice | undefined,
): string {
  return availableVariants(info).length > 1 && advice?.recommendation?.variant === variant
    ? t("quality-mark", { label: variantLabel(t, variant) })
    : variantLabel(t, variant);
}

/** One button per quality (audio first for users who prefer it), then the extra offers. */
function qualityButtons(
  t: Translate,
  info: ProbeInfo,
  previewId: string,
  options: PreviewOptions,
): InlineKeyboard {
  const variants = availableVariants(info);
  const keyboard = new InlineKeyboard();
  if (variants.includes("audio") && options.preferAudio) {
    keyboard.text(
      qualityLabel(t, info, "audio", options.advice),
      buildCallback("download", { previewId, variant: "audio" }),
    ).row();
  }
  const videoVariants = variants.filter((v) => v !== "audio");
  if (options.qualityOrder === "smallest_first") videoVariants.reverse();
  videoVariants.forEach((variant, i) => {
    keyboard.text(
      qualityLabel(t, info, variant, options.advice),
      buildCallback("download", { previewId, variant }),
    );
    if (i % 3 === 2) keyboard.row();
  });
  if (videoVariants.length % 3 !== 0) keyboard.row();
  addOfferButtons(t, keyboard, previewId, options.advice);
  return keyboard;
}

/** A gallery is sent whole, as albums: one button, in the user's mode (photos or files). */
function galleryButtons(t: Translate, counts: GalleryCounts, previewId: string) {
  const items = counts.photos + counts.videos + counts.others;
  return new InlineKeyboard().text(
    t("button-album", { items }),
    buildCallback("download", { previewId, variant: "best" }),
  ).row();
}

/** "🔴 5 min", "🔴 15 min"…: each starts a recording of that length, like /record. */
function recordButtons(t: Translate, previewId: string, minutes: readonly number[]) {
  const keyboard = new InlineKeyboard();
  minutes.forEach((length, i) => {
    keyboard.text(
      t("button-record-minutes", { minutes: length }),
      buildCallback("recordLive", { previewId, minutes: length }),
    );
    if (i % 3 === 2) keyboard.row();
  });
  if (minutes.length % 3 !== 0) keyboard.row();
  return keyboard;
}

/**
 * What Telegram turns into something to tap in a message: addresses with a scheme (https://,
 * tg://…) or www., host names followed by a path, e-mail addresses and @usernames.
 */
const LINK_LIKE = new RegExp(
  [
    String.raw`\b[a-z][a-z\d+.-]*:\/\/\S+`,
    String.raw`\bwww\.\S+`,
    String.raw`\b[\w-]+(?:\.[\w-]+)+\/\S*`,
    String.raw`\S+@[\w-]+(?:\.[\w-]+)+`,
    String.raw`(?<![\w@])@\w{3,}`,
  ].join("|"),
  "gi",
);

/**
 * The start of a description as plain text: on one line, without its links (Telegram would make
 * them clickable in our message), cut on a word and ended with "…" when longer than `max`
 * (counted as Telegram counts, in UTF-16 units).
 */
export function descriptionExcerpt(description: string, max: number): string {
  const text = description
    .replace(LINK_LIKE, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (text.length <= max) return text;
  let cut = "";
  for (const char of text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  const space = cut.lastIndexOf(" ");
  const words = space > cut.length / 2 ? cut.slice(0, space) : cut;
  return `${words.replace(/[\s,;:.!?-]+$/, "")}…`;
}

/** True when the media is surely in a language other than the user's. */
function titleInOtherLanguage(info: ProbeInfo, locale: string): boolean {
  const language = contentLanguage(info.title, info.description);
  return language !== undefined && language !== primaryLanguage(locale);
}

const REASON_KEYS = {
  preference: "quality-reason-preference",
  history: "quality-reason-history",
  fits: "quality-reason-fits",
  compressed: "quality-reason-compressed",
  size_unknown: "quality-reason-unknown",
} as const;

/** "Recommended: 720p · ~38 MB · fits your quota" */
function renderRecommendation(t: Translate, locale: string, advice: PreviewAdvice): string {
  const recommendation = advice.recommendation;
  if (!recommendation) return t("quality-nothing-fits");
  const { variant, reason } = recommendation;
  const height = recommendation.scores.find((s) => s.variant === variant)?.height;
  const label = variant === "best" && height
    ? `${variantLabel(t, variant)} (${height}p)`
    : variantLabel(t, variant);
  const bytes = reason.sizeBytes === undefined ? undefined : formatBytes(reason.sizeBytes, locale);
  const size = bytes === undefined
    ? t("size-unknown")
    : reason.code === "compressed"
    ? `≤ ${bytes}`
    : `~${bytes}`;
  return t("quality-recommended", {
    label: escapeHtml(label),
    size,
    reason: t(REASON_KEYS[reason.code]),
  });
}

/** "⚙️ Compress…" opens the presets; "✂️ Split" appears for media too long to fit whole. */
function addOfferButtons(
  t: Translate,
  keyboard: InlineKeyboard,
  previewId: string,
  advice: PreviewAdvice | undefined,
) {
  if (!advice?.offers.compress && !advice?.offers.split) return;
  if (advice.offers.compress) {
    keyboard.text(t("button-compress"), buildCallback("compressOpen", { previewId }));
  }
  if (advice.offers.split) {
    keyboard.text(t("button-split"), buildCallback("download", { previewId, variant: "split" }));
  }
  keyboard.row();
}

/** What "⚙️ Compress…" turns into: one button per preset. */
function presetButtons(t: Translate, previewId: string) {
  return COMPRESS_PRESETS.map((preset) =>
    InlineKeyboard.text(
      t(`button-compress-${preset}`),
      buildCallback("download", { previewId, variant: `c_${preset}` }),
    )
  );
}

export function renderProgress(
  t: Translate,
  locale: string,
  title: string,
  progress: JobProgress,
): string {
  const header = `🎬 ${escapeHtml(truncate(title, 120))}`;
  const recording = progress.totalSeconds !== undefined && progress.phase === "downloading";
  const phase = t(recording ? "progress-recording" : `progress-${progress.phase}`);
  if (progress.phase === "queued") return `${header}\n\n${phase}`;
  const lines = [header, "", phase];
  if (progress.percent !== undefined) {
    const percent = new Intl.NumberFormat(locale, {
      maximumFractionDigits: 1,
      minimumFractionDigits: 1,
    })
      .format(progress.percent);
    lines.push(
      t("progress-line", { bar: renderProgressBar(progress.percent), percent: `${percent} %` }),
    );
  }
  if (progress.downloadedBytes !== undefined && progress.phase === "downloading") {
    const done = formatBytes(progress.downloadedBytes, locale);
    const speed = formatBytes(progress.speed ?? 0, locale);
    lines.push(
      progress.totalBytes && progress.eta !== undefined
        ? t("progress-details", {
          done,
          total: formatBytes(progress.totalBytes, locale),
          speed,
          eta: formatDuration(progress.eta),
        })
        : t("progress-details-unknown", { done, speed }),
    );
  }
  if (recording) {
    lines.push(t("progress-recorded", {
      elapsed: formatDuration(progress.elapsedSeconds ?? 0),
      total: formatDuration(progress.totalSeconds!),
    }));
  }
  return lines.join("\n");
}

/** The caption that goes with a delivered file. */
export function renderFileCaption(
  info: Pick<ProbeInfo, "title" | "webpageUrl">,
  botUsername: string,
): string {
  const title = `<b>${escapeHtml(truncate(info.title, 300))}</b>`;
  const link = `<a href="${escapeHtml(info.webpageUrl)}">🔗</a>`;
  return `${title} ${link}\n📥 @${escapeHtml(botUsername)}`;
}

export function cancelKeyboard(label: string) {
  return new InlineKeyboard().text(label, buildCallback("jobCancel"));
}

export function recordKeyboard(t: Translate): InlineKeyboard {
  return new InlineKeyboard().text(t("button-record-stop"), buildCallback("recordStop"))
    .text(t("button-stop"), buildCallback("jobCancel"));
}

/** A preview's keyboard with "⚙️ Compress…" opened into the presets; the other buttons stay. */
export function withPresetsOpened(
  t: Translate,
  rows: InlineKeyboardButton[][],
  data: string,
  previewId: string,
): InlineKeyboardButton[][] {
  return rows.map((row) =>
    row.flatMap((button) =>
      "callback_data" in button && button.callback_data === data
        ? presetButtons(t, previewId)
        : [button]
    )
  );
}

/** A keyboard without the button that carried `data` (and without the rows left empty). */
export function withoutButton(
  rows: InlineKeyboardButton[][],
  data: string,
): InlineKeyboardButton[][] {
  return rows
    .map((row) =>
      row.filter((button) => !("callback_data" in button) || button.callback_data !== data)
    )
    .filter((row) => row.length > 0);
}

/** "Title in <language>:" and the translated title, or the original with a note. */
export function renderTitleTranslation(
  t: Translate,
  language: string,
  outcome: { texts: string[]; translated: boolean },
): string {
  const lines = [
    t("translate-title", { language: escapeHtml(language) }),
    `<b>${escapeHtml(truncate(outcome.texts[0], 500))}</b>`,
  ];
  if (!outcome.translated) lines.push("", t("translate-failed"));
  return lines.join("\n");
}
