/**
 * Files on disk uploaded by curl, which reads them itself. Any Deno writer slows to about
 * 45 MiB/s when its reader cannot keep up (fetch, a socket or a pipe alike), and a worker spends
 * most of a job uploading: 50 MiB to a loopback Bot API took 1.1–1.2 s through fetch and
 * 0.15–0.24 s through curl. Where curl is missing (Deno Deploy), grammY uploads as usual.
 */
import { HttpError, InputFile, type Transformer } from "grammy";

/**
 * A file on disk, for uploadsThroughCurl; without it grammY streams it like any InputFile. The
 * way to send a file by its path: grammY's web build (the app's) reads no paths itself.
 */
export class DiskFile extends InputFile {
  constructor(readonly path: string, override readonly filename: string) {
    super(new Uint8Array(), filename);
  }

  /** Opened at each attempt, so a retried call sends the whole file again. */
  override async toRaw(): Promise<AsyncIterable<Uint8Array>> {
    return (await Deno.open(this.path)).readable;
  }
}

let available: Promise<boolean> | undefined;

/** Whether curl can be run here. */
export function curlAvailable(): Promise<boolean> {
  // async: a missing binary throws NotFound at once rather than rejecting
  available ??= (async () => {
    const probe = new Deno.Command("curl", {
      args: ["--version"],
      clearEnv: true,
      env: curlEnv(),
      stdout: "null",
      stderr: "null",
    });
    return (await probe.output()).success;
  })().catch(() => false);
  return available;
}

/**
 * A cleared environment: curl gets no token from it and no proxy (it talks to the Bot API server
 * only, which may be a self-hosted one on a private address).
 */
function curlEnv(): Record<string, string> {
  const path = Deno.env.get("PATH");
  return path === undefined ? {} : { PATH: path };
}

/** curl's config syntax: a double-quoted string with backslash escapes. */
const quoted = (value: string) =>
  `"${
    value.replace(/[\\"\n\r\t]/g, (c) => ({ "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? `\\${c}`)
  }"`;

/** A form part's filename, quoted as curl's -F syntax wants it. */
const partFileName = (name: string) => `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * Whether a call names a file by its `file://` path (lib/shared_files.ts): a local Bot API server
 * answers it once it has sent the file on to Telegram, which takes as long as an upload.
 */
const MEDIA_FIELDS = new Set(["video", "audio", "document", "photo", "thumbnail", "media"]);

function sendsLocalPath(value: unknown): boolean {
  if (typeof value === "string") return value.startsWith("file://");
  if (!Array.isArray(value)) return false;
  return value.some((item) =>
    typeof item === "object" && item !== null &&
    (sendsLocalPath(item.media) || sendsLocalPath(item.thumbnail))
  );
}

/**
 * A grammY transformer that sends calls carrying DiskFiles with curl as multipart forms, and calls
 * naming files by path too: curl waits for the answer as long as it takes, while grammY's own
 * client gives up after 500 s. Install it first, so throttling and retries (installed after) wrap
 * it as they wrap grammY's own calls.
 */
export function uploadsThroughCurl(client: { botToken: string; apiRoot: string }): Transformer {
  return async (prev, method, payload, signal) => {
    const entries = Object.entries(payload ?? {}).filter(([, value]) => value !== undefined);
    const long = entries.some(([name, value]) =>
      value instanceof DiskFile || (MEDIA_FIELDS.has(name) && sendsLocalPath(value))
    );
    if (!long || !(await curlAvailable())) return prev(method, payload, signal);
    const lines = [`url = ${quoted(`${client.apiRoot}/bot${client.botToken}/${method}`)}`];
    for (const [name, value] of entries) {
      lines.push(
        value instanceof DiskFile
          ? `form = ${quoted(`${name}=@${value.path};filename=${partFileName(value.filename)}`)}`
          : `form-string = ${
            quoted(`${name}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
          }`,
      );
    }
    // as in grammY's own client: no answer, or no JSON (a proxy's error page), is an HttpError,
    // which the retry transformer retries
    try {
      return JSON.parse(await runCurl(lines, signal as AbortSignal | undefined));
    } catch (error) {
      throw new HttpError(`Network request for '${method}' failed!`, error);
    }
  };
}

/** curl's exits before any byte was sent: no proxy or host resolved (5, 6), no connection (7). */
const CURL_UNSENT_EXITS = new Set([5, 6, 7]);

/** A request that surely never reached the server: no connection was made. */
export class RequestNotSentError extends Error {}

/** Runs curl with `lines` as its config: the URL holds the bot token, kept off the process list. */
async function runCurl(lines: string[], signal?: AbortSignal): Promise<string> {
  const config = await Deno.makeTempFile({ prefix: "mediabot-curl-" });
  try {
    await Deno.chmod(config, 0o600);
    await Deno.writeTextFile(config, lines.join("\n") + "\n");
    const { success, code, stdout, stderr } = await new Deno.Command("curl", {
      // --disable (first): no ~/.curlrc
      args: ["--disable", "--config", config, "--silent", "--show-error", "--header", "Expect:"],
      clearEnv: true,
      env: curlEnv(),
      stdout: "piped",
      stderr: "piped",
      signal,
    }).output();
    signal?.throwIfAborted();
    if (!success) {
      const message = `curl: ${new TextDecoder().decode(stderr).trim()}`;
      throw CURL_UNSENT_EXITS.has(code) ? new RequestNotSentError(message) : new Error(message);
    }
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(config).catch(() => {});
  }
}
