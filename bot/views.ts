/** Texts and keyboards shown both in answers to updates and in messages sent from job events. */
import { InlineKeyboard } from "grammy";
import type { JobProgress } from "../kv/jobs.ts";
import type { ProbeInfo, Variant } from "../workers/media_types.ts";
import { availableVariants, estimateVariantSizes } from "../workers/formats.ts";
import {
  escapeHtml,
  formatBytes,
  formatDuration,
  renderProgressBar,
  truncate,
} from "../lib/format.ts";
import type { Translate } from "./i18n.ts";

export function variantLabel(t: Translate, variant: Variant): string {
  if (variant === "best") return t("button-best");
  if (variant === "audio") return t("button-audio");
  return `${variant}p`;
}

function resolutionOf(info: ProbeInfo): string | undefined {
  const best = info.formats.filter((f) => f.height)
    .sort((a, b) => (b.height ?? 0) - (a.height ?? 0))[0];
  if (!best) return undefined;
  return best.width ? `${best.width}×${best.height}` : `${best.height}p`;
}

export function renderPreview(
  t: Translate,
  locale: string,
  info: ProbeInfo,
  previewId: string,
): { caption: string; keyboard: InlineKeyboard } {
  const lines = [`🎬 <b>${escapeHtml(truncate(info.title, 200))}</b>`, ""];
  if (info.uploader) {
    lines.push(t("preview-by", { author: escapeHtml(truncate(info.uploader, 80)) }));
  }
  if (info.isLive) lines.push(t("preview-live"));
  else if (info.duration) {
    lines.push(t("preview-duration", { duration: formatDuration(info.duration) }));
  }
  const resolution = resolutionOf(info);
  if (resolution) lines.push(t("preview-resolution", { resolution }));

  const variants = availableVariants(info);
  const sizes = estimateVariantSizes(info);
  const sized = variants.filter((v) => sizes[v] !== undefined);
  lines.push("", t("preview-sizes"));
  if (sized.length === 0) lines.push(`• ${t("size-unknown")}`);
  for (const variant of sized) {
    lines.push(
      `• ${escapeHtml(variantLabel(t, variant))}: ~${formatBytes(sizes[variant]!, locale)}`,
    );
  }
  lines.push("", t("preview-choose"));

  const keyboard = new InlineKeyboard();
  const videoVariants = variants.filter((v) => v !== "audio");
  videoVariants.forEach((variant, i) => {
    keyboard.text(variantLabel(t, variant), `dl:${previewId}:${variant}`);
    if (i % 3 === 2) keyboard.row();
  });
  if (videoVariants.length % 3 !== 0) keyboard.row();
  if (variants.includes("audio")) keyboard.text(t("button-audio"), `dl:${previewId}:audio`);
  keyboard.text(t("button-cancel"), `pv:${previewId}:close`);
  // every part is bounded (title 200, author 80), so the caption stays under Telegram's 1024
  return { caption: lines.join("\n"), keyboard };
}

export function renderProgress(
  t: Translate,
  locale: string,
  title: string,
  progress: JobProgress,
): string {
  const header = `🎬 ${escapeHtml(truncate(title, 120))}`;
  const phase = t(`progress-${progress.phase}`);
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
  return lines.join("\n");
}

/** The caption that goes with a delivered file. */
export function renderFileCaption(info: ProbeInfo, botUsername: string): string {
  const title = `<b>${escapeHtml(truncate(info.title, 300))}</b>`;
  const link = `<a href="${escapeHtml(info.webpageUrl)}">🔗</a>`;
  return `${title} ${link}\n📥 @${escapeHtml(botUsername)}`;
}
