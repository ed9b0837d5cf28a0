/** How each part of a split download is captioned, by the worker that uploads it and by a resend. */
import { escapeHtml } from "../lib/format.ts";

export const DEFAULT_PART_LABEL = "part";

/** The file's HTML caption with "🧩 part i/N" under it; the same for uploads and resends. */
export function partCaption(caption: string, label: string, index: number, count: number): string {
  return `${caption}\n🧩 ${escapeHtml(label)} ${index + 1}/${count}`;
}
