/** A split download: the best video in parts within the limit, uploaded in order as "part i/N". */
import type { Api } from "grammy";
import type { JobProgress } from "../kv/jobs.ts";
import type { DownloadPayload, UploadedFile } from "../kv/job_types.ts";
import { escapeHtml } from "../lib/format.ts";
import { downloadParts, type PartsOptions } from "./fit.ts";
import { uploadMedia } from "./upload.ts";

export async function runSplitDownload(
  api: Api,
  payload: DownloadPayload,
  options: PartsOptions,
  onProgress: (progress: JobProgress) => void,
): Promise<UploadedFile[]> {
  const parts = await downloadParts(payload.url, options);
  const label = payload.partLabel ?? DEFAULT_PART_LABEL;
  const files: UploadedFile[] = [];
  for (const [index, media] of parts.entries()) {
    onProgress({ phase: "uploading", percent: Math.round((index / parts.length) * 100) });
    files.push(
      await uploadMedia(
        api,
        {
          ...payload,
          caption: partCaption(payload.caption, label, index, parts.length),
          title: `${payload.title} (${label} ${index + 1}/${parts.length})`,
        },
        media,
        options.signal,
      ),
    );
  }
  return files;
}

export const DEFAULT_PART_LABEL = "part";

/** The file's HTML caption with "🧩 part i/N" under it; the same for uploads and resends. */
export function partCaption(caption: string, label: string, index: number, count: number): string {
  return `${caption}\n🧩 ${escapeHtml(label)} ${index + 1}/${count}`;
}
