/** Runs a binary with an argument array (never a shell), streaming its output, with timeout and cancel. */
import { MediaError } from "../media/media_types.ts";
import { currentSiteRoute } from "./site_route.ts";

export interface RunProcessOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  cwd?: string;
  /** receives stdout line by line; stdout is then not collected */
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** cap on collected stdout; a process printing more is stopped (default 16 MiB) */
  maxStdoutBytes?: number;
  /** time between SIGTERM and SIGKILL when stopping (default 2 s) */
  killGraceMs?: number;
  /** variables added to the subprocess's cleared environment */
  env?: Record<string, string>;
}

export interface ProcessResult {
  code: number;
  /** all of stdout, or "" when onStdoutLine was given */
  stdout: string;
  /** the last ~8 kB of stderr, for error classification and logs */
  stderrTail: string;
}

const DEFAULT_MAX_STDOUT_BYTES = 16 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2_000;
const STDERR_TAIL_CHARS = 8 * 1024;
/** setTimeout fires at once for delays past 2^31 - 1 ms */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** longer lines are cut, so one endless line cannot grow memory without bound */
const MAX_LINE_CHARS = 64 * 1024;

type StopReason =
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "overflow" }
  | { kind: "error"; error: unknown };

export async function runProcess(
  binary: string,
  args: string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const { signal, timeoutMs, onStdoutLine, onStderrLine } = options;
  const name = binary.split("/").pop() ?? binary;
  if (signal?.aborted) throw new MediaError("cancelled", `${name} was cancelled`);

  const child = spawn(binary, name, args, options);
  const exited = child.status;
  let stopReason: StopReason | undefined;
  let stopped: Promise<void> = Promise.resolve();
  const stop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    stopped = terminateGroup(child.pid, exited, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop({ kind: "timeout" }), Math.min(timeoutMs, MAX_TIMER_MS));
  const onAbort = () => stop({ kind: "cancelled" });
  signal?.addEventListener("abort", onAbort, { once: true });

  // a throwing callback stops the process; its error is what the caller gets
  const guarded = (callback: (line: string) => void) => (line: string) => {
    if (stopReason) return;
    try {
      callback(line);
    } catch (error) {
      stop({ kind: "error", error });
    }
  };
  const stdoutLines = onStdoutLine && lineSplitter(guarded(onStdoutLine));
  const stderrLines = onStderrLine && lineSplitter(guarded(onStderrLine));
  let stdout = "";
  let stderrTail = "";

  const readStdout = async () => {
    if (!stdoutLines) {
      const maxBytes = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES;
      stdout = await collect(child.stdout, maxBytes, () => stop({ kind: "overflow" }));
      return;
    }
    await readText(child.stdout, stdoutLines.push);
    stdoutLines.end();
  };
  const readStderr = async () => {
    await readText(child.stderr, (text) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
      stderrLines?.push(text);
    });
    stderrLines?.end();
  };
  const failOnError = (error: unknown) => stop({ kind: "error", error });

  try {
    const [status] = await Promise.all([
      exited,
      readStdout().catch(failOnError),
      readStderr().catch(failOnError),
    ]);
    await stopped;
    if (stopReason) throw stopError(stopReason, name, timeoutMs);
    return { code: status.code, stdout, stderrTail };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * What a media tool needs from the worker's environment; nothing else (no tokens, no no_proxy).
 * DENO_DIR and XDG_CACHE_HOME say where the Deno yt-dlp runs finds its challenge solver's cached
 * npm packages.
 */
const INHERITED_VARIABLES = ["PATH", "HOME", "TMPDIR", "DENO_DIR", "XDG_CACHE_HOME"];
/** the egress guards of the worker pools running in this process; the latest one is used */
const egressProxies: string[] = [];

/** Sends later subprocesses' traffic, whatever its scheme, through this proxy until released. */
export function useEgressProxy(proxyUrl: string): () => void {
  egressProxies.push(proxyUrl);
  return () => {
    const index = egressProxies.lastIndexOf(proxyUrl);
    if (index >= 0) egressProxies.splice(index, 1);
  };
}

/**
 * A cleared environment plus exactly what a subprocess needs, and the egress proxy for all
 * schemes: the job's own guard when its attempt goes through an upstream proxy, else the pool's.
 */
function subprocessEnv(): Record<string, string> {
  const env: Record<string, string> = { LANG: "C.UTF-8" };
  for (const name of INHERITED_VARIABLES) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const proxy = currentSiteRoute()?.egressProxy ?? egressProxies.at(-1);
  if (!proxy) return env;
  for (const scheme of ["http", "https", "ftp", "all"]) {
    env[`${scheme}_proxy`] = proxy;
    env[`${scheme.toUpperCase()}_PROXY`] = proxy;
  }
  return { ...env, no_proxy: "", NO_PROXY: "" };
}

function spawn(
  binary: string,
  name: string,
  args: string[],
  { cwd, env }: RunProcessOptions,
): Deno.ChildProcess {
  try {
    // detached puts the child in its own process group, so stopping it also stops its children
    return new Deno.Command(binary, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: { ...env, ...subprocessEnv() },
      detached: true,
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new MediaError("failed", `${name} is not installed (looked for ${binary})`);
    }
    throw error;
  }
}

/** SIGTERM to the whole group, then SIGKILL once it exits or the grace period ends. */
async function terminateGroup(
  pid: number,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  signalGroup(pid, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const graceOver = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
  await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  // even after the leader exits, children of the group (ffmpeg under yt-dlp) may linger
  signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function stopError(reason: StopReason, name: string, timeoutMs: number): unknown {
  switch (reason.kind) {
    case "timeout":
      return new MediaError("timeout", `${name} timed out after ${timeoutMs / 1000} s`, true);
    case "cancelled":
      return new MediaError("cancelled", `${name} was cancelled`);
    case "overflow":
      return new MediaError("failed", `${name} printed more output than allowed`);
    case "error":
      return reason.error;
  }
}

async function readText(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest) onText(rest);
}

/** Collects a stream as text up to maxBytes; past that it calls onOverflow and discards the rest. */
async function collect(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  onOverflow: () => void,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size > maxBytes) continue;
    size += chunk.byteLength;
    if (size > maxBytes) onOverflow();
    else chunks.push(chunk);
  }
  const bytes = new Uint8Array(size > maxBytes ? 0 : size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Splits streamed text on \n, \r\n or \r (progress bars use \r); empty lines are dropped. */
export function lineSplitter(onLine: (line: string) => void, maxChars = MAX_LINE_CHARS) {
  let partial = "";
  // after an overlong line was cut, the rest of it up to the next break is dropped
  let skipping = false;
  const emit = (line: string) => {
    if (line) onLine(line);
  };
  const push = (text: string): void => {
    const pieces = (partial + text).split(/\r\n|\r|\n/);
    partial = pieces.pop() ?? "";
    pieces.forEach((piece, index) => {
      if (index > 0 || !skipping) emit(piece);
    });
    if (pieces.length > 0) skipping = false;
    if (partial.length > maxChars) {
      if (!skipping) emit(partial.slice(0, maxChars));
      partial = "";
      skipping = true;
    }
  };
  const end = (): void => {
    if (!skipping) emit(partial);
    partial = "";
    skipping = false;
  };
  return { push, end };
}
