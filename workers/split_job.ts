/** A split download: the best video in parts within the limit, uploaded in order as "part i/N". */
import type { Api } from "grammy";
import type { JobProgress } from "../media/job_types.ts";
import type { DownloadPayload, UploadedFile } from "../media/job_types.ts";
import { DEFAULT_PART_LABEL, partCaption } from "../media/part_caption.ts";
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
