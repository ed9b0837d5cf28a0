/** A preview's choices live in KV under a short id; callback data carries the id, never the URL. */
import { ulid } from "../lib/ids.ts";
import type { ProbeInfo } from "../media/media_types.ts";

export interface Preview {
  id: string;
  userId: number;
  chatId: number;
  /** the request the preview answers (a link, a group's /dl): the file answers it too */
  replyToMessageId?: number;
  url: string;
  info: ProbeInfo;
  createdAt: number;
}

const PREVIEW_TTL_MS = 48 * 3600_000;

function previewKey(id: string) {
  return ["previews", id] as const;
}

export async function createPreview(
  kv: Deno.Kv,
  input: Omit<Preview, "id" | "createdAt">,
): Promise<Preview> {
  const preview: Preview = { ...input, id: ulid(), createdAt: Date.now() };
  await kv.set(previewKey(preview.id), preview, { expireIn: PREVIEW_TTL_MS });
  return preview;
}

export async function getPreview(kv: Deno.Kv, id: string): Promise<Preview | null> {
  return (await kv.get<Preview>(previewKey(id))).value;
}
