/** Texts and keyboards of batches of links and listed playlists. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { JobResult } from "../media/job_types.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import type { Translate } from "../i18n/translations.ts";

/** "Download all N?" for a listed playlist; N is what the plan allows. */
export function renderPlaylistOffer(
  t: Translate,
  jobId: string,
  listing: Extract<JobResult, { kind: "playlist_entries" }>,
  maxItems: number,
): { text: string; keyboard: InlineKeyboard } {
  const count = Math.min(listing.entries.length, maxItems);
  const lines = [
    t("batch-playlist-offer", {
      title: escapeHtml(truncate(listing.title, 200)),
      count: listing.count,
    }),
  ];
  if (listing.count > count) lines.push(t("batch-playlist-capped", { count }));
  const keyboard = new InlineKeyboard()
    .text(t("batch-playlist-download", { count }), buildCallback("batchStart", { jobId }))
    .text(t("button-cancel"), buildCallback("batchDecline", { jobId }));
  return { text: lines.join("\n"), keyboard };
}
