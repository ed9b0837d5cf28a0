/**
 * Files a local-mode Bot API server (`--local`) reads itself: a DiskFile inside a folder the
 * server also sees, mounted at the same path, is sent as a `file://` URI instead of being
 * uploaded, so a 1 GiB video crosses no HTTP connection. Anything else is uploaded as usual.
 */
import type { Transformer } from "grammy";
import { DiskFile } from "./curl_upload.ts";

/**
 * A grammY transformer that sends the DiskFiles of a call found in `sharedDir` by path: the call's
 * own fields, and the `media` and `thumbnail` of an album's items. Install it after
 * uploadsThroughCurl, so it runs first. A file named otherwise than on disk gets a hard link of
 * that name (the server names a document after its path), removed once the server has answered.
 * A call by path answered 400 (whatever its wording) is made again as an upload: when that
 * succeeds, the path was what the server refused, and `onRefused` is told.
 */
export function sendsSharedFilesByPath(
  sharedDir: string,
  onRefused?: (description: string) => void,
): Transformer {
  let sharedRoot: Promise<string | undefined> | undefined;
  /** the server took a file by path: a 400 since is about something else */
  let pathsTaken = false;
  /** the server refused paths and took the upload: every file is uploaded from then on */
  let pathsRefused = false;
  return async (prev, method, payload, signal) => {
    if (pathsRefused || !hasDiskFile(payload)) return prev(method, payload, signal);
    // resolved at the first file, again while it fails (a volume mounted late)
    sharedRoot ??= Deno.realPath(sharedDir).catch(() => (sharedRoot = undefined));
    const root = await sharedRoot;
    if (root === undefined) return prev(method, payload, signal);
    const links: string[] = [];
    try {
      let sentByPath = 0;
      const toUri = async (file: DiskFile, field: string) => {
        // a thumbnail's name is seen by nobody: no link for it
        const named = field !== "thumbnail";
        const sent = await sharedFileUri(file, { sharedDir, sharedRoot: root, named }, links);
        if (typeof sent === "string") sentByPath++;
        return sent;
      };
      const byPath = await replaceDiskFiles(payload, toUri) as typeof payload;
      const result = await prev(method, byPath, signal);
      pathsTaken ||= sentByPath > 0 && result.ok;
      if (sentByPath === 0 || result.ok || result.error_code !== 400 || pathsTaken) return result;
      // a 400 sent nothing; servers word a refused path differently (not in local mode, a folder
      // they do not see, a file they cannot read), so the upload tells whether the path was it
      const uploaded = await prev(method, payload, signal);
      if (uploaded.ok) {
        pathsRefused = true;
        onRefused?.(result.description);
      }
      return uploaded;
    } finally {
      for (const link of links) await Deno.remove(link, { recursive: true }).catch(() => {});
    }
  };
}

type Payload = Record<string, unknown>;

function hasDiskFile(payload: Payload | undefined): boolean {
  return Object.values(payload ?? {}).some((value) =>
    value instanceof DiskFile ||
    (Array.isArray(value) && value.some((item) => isRecord(item) && hasDiskFile(item)))
  );
}

async function replaceDiskFiles(
  payload: Payload,
  toUri: (file: DiskFile, field: string) => Promise<DiskFile | string>,
): Promise<Payload> {
  const replaced: Payload = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value instanceof DiskFile) replaced[name] = await toUri(value, name);
    else if (Array.isArray(value) && value.some(isRecord)) {
      replaced[name] = await Promise.all(
        value.map((item) => isRecord(item) ? replaceDiskFiles(item, toUri) : item),
      );
    } else replaced[name] = value;
  }
  return replaced;
}

const isRecord = (value: unknown): value is Payload =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The file's URI when its real path (symbolic links followed) is inside the shared folder, else
 * the file itself. The path sent is the one under `sharedDir` as configured, which the server
 * sees at the same place.
 */
async function sharedFileUri(
  file: DiskFile,
  { sharedDir, sharedRoot, named }: { sharedDir: string; sharedRoot: string; named: boolean },
  links: string[],
): Promise<DiskFile | string> {
  const real = await Deno.realPath(file.path).catch(() => undefined);
  if (real === undefined || !real.startsWith(`${sharedRoot}/`)) return file;
  // node:path loads Node's compatibility layer: kept off the app's cold start, read when a file goes
  const { basename, dirname, join, relative } = await import("node:path");
  const path = join(sharedDir, relative(sharedRoot, real));
  try {
    const keepsName = !named || basename(path) === file.filename || !isPlainName(file.filename);
    if (keepsName) return fileUri(path);
    const folder = await Deno.makeTempDir({ dir: dirname(path), prefix: ".named-" });
    links.push(folder);
    // makeTempDir's folder is the owner's only; the server runs as its own user
    await Deno.chmod(folder, 0o755);
    await Deno.link(path, join(folder, file.filename));
    return fileUri(join(folder, file.filename));
  } catch {
    // a name no URI can carry (a lone surrogate), or no link made: uploaded as usual
    return file;
  }
}

/** A name that stays one path segment. */
const isPlainName = (name: string) =>
  name !== "" && name !== "." && name !== ".." && !/[/\0]/.test(name);

/**
 * A `file://` URI with every segment percent-encoded: the server percent-decodes the path (and
 * leaves `+` alone), so spaces, `%`, `#`, `?` and non-ASCII names arrive as they are on disk.
 */
function fileUri(absolutePath: string): string {
  return `file://${absolutePath.split("/").map(encodeURIComponent).join("/")}`;
}

/** What names a worker's own folder in the shared folder: `scratch-<worker id>`. */
const WORKER_FOLDER_PREFIX = "scratch-";

/** A worker's own folder in the shared one, named after it. */
export function workerSharedFolder(sharedDir: string, workerId: string): string {
  return `${sharedDir}/${WORKER_FOLDER_PREFIX}${workerId}`;
}

/**
 * How long a worker's folder may go untouched before it counts as left by a worker that died:
 * the server may still be reading that worker's last file, and a 2000 MB file (a local server's
 * limit) sent on to Telegram at 100 KB/s takes 5.6 hours.
 */
export const ABANDONED_AFTER_MS = 6 * 60 * 60_000;

/** A live worker touches its folder this often: far within ABANDONED_AFTER_MS. */
const TOUCH_INTERVAL_MS = 10 * 60_000;

/**
 * Keeps a worker's folder in the shared one marked as alive (its modification time, touched every
 * few minutes) and removes the folders of workers gone: those of other workers (a crashed worker's
 * id is gone with its container or process) untouched for ABANDONED_AFTER_MS, swept at once and
 * at every touch. Only folders directly in the shared one, named as a worker's, are removed:
 * symbolic links are neither followed nor removed. The first sweep is done when this resolves.
 */
export async function tendSharedFolder(
  sharedDir: string,
  ownFolder: string,
  onSwept: (folder: string) => void,
): Promise<{ stop(): void }> {
  const tend = async () => {
    const now = new Date();
    await Deno.utime(ownFolder, now, now).catch(() => {});
    for (const folder of await abandonedFolders(sharedDir, ownFolder, now.getTime())) {
      await Deno.remove(folder, { recursive: true }).then(() => onSwept(folder), () => {});
    }
  };
  await tend();
  const timer = setInterval(tend, TOUCH_INTERVAL_MS);
  return { stop: () => clearInterval(timer) };
}

async function abandonedFolders(sharedDir: string, ownFolder: string, now: number) {
  const abandoned: string[] = [];
  try {
    for await (const entry of Deno.readDir(sharedDir)) {
      // readDir does not follow links: a link to a folder is no directory here
      if (!entry.isDirectory || !entry.name.startsWith(WORKER_FOLDER_PREFIX)) continue;
      const folder = `${sharedDir}/${entry.name}`;
      if (folder === ownFolder) continue;
      const info = await Deno.lstat(folder).catch(() => undefined);
      const touched = info?.mtime?.getTime();
      if (info?.isDirectory && touched !== undefined && now - touched > ABANDONED_AFTER_MS) {
        abandoned.push(folder);
      }
    }
  } catch {
    // no shared folder (yet): nothing to sweep
  }
  return abandoned;
}
