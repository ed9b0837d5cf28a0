/** zod schemas for what crosses the worker API: a worker's reports are checked, not trusted. */
import { z } from "zod";

const probeFormat = z.object({
  id: z.string().max(200),
  ext: z.string().max(20),
  protocol: z.string().max(50).optional(),
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  vcodec: z.string().max(100).optional(),
  acodec: z.string().max(100).optional(),
  filesize: z.number().nonnegative().optional(),
  filesizeApprox: z.number().nonnegative().optional(),
  tbr: z.number().nonnegative().optional(),
  abr: z.number().nonnegative().optional(),
  vbr: z.number().nonnegative().optional(),
});

export const probeInfoSchema = z.object({
  id: z.string().min(1).max(500),
  extractor: z.string().min(1).max(100),
  webpageUrl: z.string().max(4096),
  title: z.string().max(2000),
  uploader: z.string().max(500).optional(),
  duration: z.number().nonnegative().optional(),
  thumbnail: z.string().max(4096).optional(),
  isLive: z.boolean(),
  formats: z.array(probeFormat).max(500),
});

const uploadedFile = z.object({
  fileId: z.string().min(1).max(500),
  fileUniqueId: z.string().min(1).max(200),
  kind: z.enum(["video", "audio", "document"]),
  size: z.number().nonnegative(),
  width: z.number().int().nonnegative().optional(),
  height: z.number().int().nonnegative().optional(),
  duration: z.number().nonnegative().optional(),
  chatId: z.number().int(),
  messageId: z.number().int(),
});

export const jobResultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("probe"), info: probeInfoSchema }),
  z.object({ kind: z.literal("download"), file: uploadedFile }),
]);

export const jobProgressSchema = z.object({
  phase: z.enum(["queued", "downloading", "processing", "uploading"]),
  percent: z.number().min(0).max(100).optional(),
  downloadedBytes: z.number().nonnegative().optional(),
  totalBytes: z.number().nonnegative().optional(),
  speed: z.number().nonnegative().optional(),
  eta: z.number().nonnegative().optional(),
});

export const jobFailureSchema = z.object({
  code: z.string().min(1).max(50),
  message: z.string().max(2000),
  retryable: z.boolean(),
});
