/** Documents users send: their text, fetched from the Bot API's file storage (getFile). */
import type { BotContext } from "./context.ts";

const DOCUMENT_TIMEOUT_MS = 15_000;

/** The document's text, or undefined when it is larger than maxBytes. */
export async function downloadDocumentText(
  ctx: BotContext,
  maxBytes: number,
): Promise<string | undefined> {
  const { config } = ctx.deps;
  const file = await ctx.getFile();
  const response = await fetch(
    `${config.telegramApiRoot}/file/bot${config.botToken}/${file.file_path}`,
    { signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS) },
  );
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`could not download a document: HTTP ${response.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}
