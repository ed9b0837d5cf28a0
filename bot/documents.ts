/**
 * Documents users send: their text, fetched from the Bot API's file storage (getFile), or read
 * from a local Bot API server's folder (TELEGRAM_LOCAL_DIR), which that server does not serve.
 */
import type { BotContext } from "./context.ts";

const DOCUMENT_TIMEOUT_MS = 15_000;

/** The document's text, or undefined when it is larger than maxBytes. */
export async function downloadDocumentText(
  ctx: BotContext,
  maxBytes: number,
): Promise<string | undefined> {
  const { config } = ctx.deps;
  const file = await ctx.getFile();
  const path = file.file_path ?? "";
  // a local server's answer: an absolute path on its own (Linux) file system
  if (path.startsWith("/")) {
    if (!config.telegramLocalDir) {
      throw new Error(
        "the Bot API server answered a local file path: set TELEGRAM_LOCAL_DIR to its folder",
      );
    }
    return await readLocalDocument(config.telegramLocalDir, path, maxBytes);
  }
  const response = await fetch(
    `${config.telegramApiRoot}/file/bot${config.botToken}/${path}`,
    { signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS) },
  );
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`could not download a document: HTTP ${response.status}`);
  }
  return await readAtMost(response.body, maxBytes);
}

/** A file of the local Bot API server's folder; any path that leads elsewhere is refused. */
async function readLocalDocument(
  folder: string,
  path: string,
  maxBytes: number,
): Promise<string | undefined> {
  // node:path would load Node's compatibility layer at every cold start: loaded here, when needed
  const { isAbsolute, relative, resolve } = await import("node:path");
  const isInside = (folder: string, path: string) => {
    const rest = relative(folder, path);
    return rest !== "" && !rest.startsWith("..") && !isAbsolute(rest);
  };
  // checked as written, then once symbolic links are followed
  if (!isInside(resolve(folder), resolve(path))) throw outsideFolder(path);
  const real = await Deno.realPath(path);
  if (!isInside(await Deno.realPath(folder), real)) throw outsideFolder(path);
  // a fifo or a device would block or never end: regular files only, checked before opening
  if (!(await Deno.stat(real)).isFile) throw new Error(`not a regular file: ${path}`);
  using handle = await Deno.open(real, { read: true });
  const info = await handle.stat();
  if (!info.isFile) throw new Error(`not a regular file: ${path}`);
  if (info.size > maxBytes) return undefined;
  // the file may grow after stat: read one byte past the limit at most
  const bytes = new Uint8Array(maxBytes + 1);
  let size = 0;
  while (size < bytes.length) {
    const read = await handle.read(bytes.subarray(size));
    if (read === null) break;
    size += read;
  }
  return size > maxBytes ? undefined : new TextDecoder().decode(bytes.subarray(0, size));
}

function outsideFolder(path: string): Error {
  return new Error(`refused a document path outside TELEGRAM_LOCAL_DIR: ${path}`);
}

/** The stream's text, or undefined once it passes maxBytes. */
async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
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
