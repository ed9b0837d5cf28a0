/**
 * The worker's yt-dlp: its version, learned at start and after each update (and sent with every
 * claim), and YTDLP_UPDATE's self-update. The pool runs refresh() through its ClaimGate, so an
 * update never replaces yt-dlp under a running job.
 */
import type { Logger } from "../lib/logger.ts";
import type { WorkerStatus } from "../media/job_protocol.ts";
import { YTDLP_VERSION_PATTERN, ytdlpReleaseDate } from "../media/ytdlp_version.ts";
import { runProcess } from "./process.ts";

export type YtdlpUpdateChannel = "stable" | "nightly";

const VERSION_TIMEOUT_MS = 30_000;
/** a release binary is ~35 MB, fetched through the egress guard */
const UPDATE_TIMEOUT_MS = 5 * 60_000;
/** yt-dlp's reasons for never updating itself: a packaged or self-built yt-dlp */
const NOT_UPDATABLE =
  /package manager|cannot be updated|not supported for unpackaged|unofficial build|from source code/i;

export interface YtdlpUpkeepOptions {
  ytdlpPath: string;
  /** unset: yt-dlp is never updated */
  channel?: YtdlpUpdateChannel;
  /** the worker process's name, sent with its version */
  worker: string;
  logger: Logger;
}

export class YtdlpUpkeep {
  #version?: string;
  #updatable = true;

  constructor(private readonly options: YtdlpUpkeepOptions) {}

  /** What goes with each claim; undefined until the version is known. */
  get status(): WorkerStatus | undefined {
    return this.#version ? { worker: this.options.worker, ytdlpVersion: this.#version } : undefined;
  }

  /** Updates yt-dlp when a channel is set (and it can update itself), then reads its version. */
  async refresh(signal: AbortSignal): Promise<void> {
    if (this.options.channel && this.#updatable) await this.#update(this.options.channel, signal);
    const version = await readYtdlpVersion(this.options.ytdlpPath, signal);
    if (signal.aborted) return;
    if (!version) {
      this.options.logger.error("yt-dlp did not tell its version", {
        ytdlp: this.options.ytdlpPath,
      });
    } else if (version !== this.#version) {
      const released = ytdlpReleaseDate(version);
      this.options.logger.info("yt-dlp", {
        version,
        released: released === undefined
          ? "unknown"
          : new Date(released).toISOString().slice(0, 10),
      });
    }
    this.#version = version ?? this.#version;
  }

  async #update(channel: YtdlpUpdateChannel, signal: AbortSignal): Promise<void> {
    const { logger, ytdlpPath } = this.options;
    let result;
    try {
      result = await runProcess(ytdlpPath, ["--ignore-config", "--update-to", channel], {
        signal,
        timeoutMs: UPDATE_TIMEOUT_MS,
      });
    } catch (error) {
      logger.warn("yt-dlp update did not finish; trying again in a day", { error });
      return;
    }
    const said = lastLines(`${result.stdout}\n${result.stderrTail}`);
    if (result.code === 0) {
      logger.info("yt-dlp update checked", { channel, said });
    } else if (NOT_UPDATABLE.test(result.stderrTail)) {
      // a Debian-packaged yt-dlp is updated by apt: say so once, not every day
      this.#updatable = false;
      logger.warn("this yt-dlp cannot update itself; YTDLP_UPDATE does nothing", { said });
    } else {
      logger.warn("yt-dlp update failed; trying again in a day", { code: result.code, said });
    }
  }
}

/** `yt-dlp --version`; undefined when it fails or prints something else than a version. */
async function readYtdlpVersion(
  ytdlpPath: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const result = await runProcess(ytdlpPath, ["--version"], {
      signal,
      timeoutMs: VERSION_TIMEOUT_MS,
    });
    const version = result.stdout.trim();
    return result.code === 0 && YTDLP_VERSION_PATTERN.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

function lastLines(text: string): string {
  return text.trim().split("\n").filter(Boolean).slice(-3).join(" | ").slice(0, 500);
}
