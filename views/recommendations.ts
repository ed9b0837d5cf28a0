/** /recommend's list: each media with the reason that weighed most, and a button to get it. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import type { CatalogItem } from "../kv/recommendation_index.ts";
import { escapeHtml, truncate } from "../lib/format.ts";

export type RecommendationReason =
  | { kind: "creator"; creator: string; because: string }
  | { kind: "label"; label: string; because: string }
  | { kind: "co_downloaded"; because: string };

export interface RecommendationView {
  item: Pick<CatalogItem, "url" | "title">;
  reason: RecommendationReason;
}

export function renderRecommendations(
  t: Translate,
  listId: string,
  recommendations: readonly RecommendationView[],
): { text: string; keyboard: InlineKeyboard } {
  const lines = [t("recommend-title"), ""];
  const keyboard = new InlineKeyboard();
  recommendations.forEach((recommendation, i) => {
    const { item } = recommendation;
    lines.push(
      `${i + 1}. <a href="${escapeHtml(item.url)}">${escapeHtml(truncate(item.title, 70))}</a>`,
      `    ${renderReason(t, recommendation)}`,
      "",
    );
    keyboard.text(
      t("recommend-button-download", { number: i + 1, title: truncate(item.title, 28) }),
      buildCallback("recommendationSend", { listId, index: i }),
    ).row();
  });
  return { text: lines.join("\n").trimEnd(), keyboard };
}

function renderReason(t: Translate, recommendation: RecommendationView): string {
  const { reason } = recommendation;
  const because = escapeHtml(truncate(reason.because, 60));
  if (reason.kind === "creator") {
    return t("recommend-reason-creator", {
      creator: escapeHtml(truncate(reason.creator, 60)),
      because,
    });
  }
  if (reason.kind === "label") {
    const label = reason.label.replace(/^(tag|cat):/, "");
    return t("recommend-reason-label", { label: escapeHtml(truncate(label, 40)), because });
  }
  return t("recommend-reason-co-downloaded", { because });
}
