import { Api, type ApiClientOptions, GrammyError, HttpError, type Transformer } from "grammy";
import { delay } from "es-toolkit/promise";
import { RequestNotSentError, uploadsThroughCurl } from "./curl_upload.ts";
import { sendsSharedFilesByPath } from "./shared_files.ts";
import { LONGEST_FLOOD_WAIT_MS, Throttle } from "./throttle.ts";
import type { Logger } from "./logger.ts";

/** What every Bot API client of the app is built with. */
export function telegramClientOptions(apiRoot: string): ApiClientOptions {
  return { apiRoot };
}

/** A Bot API client that waits out 429s (honouring retry_after) and network hiccups. */
export function createTelegramApi(
  config: { botToken: string; telegramApiRoot: string; telegramSharedDir?: string },
  throttle = new Throttle(),
  logger?: Logger,
): Api {
  const api = new Api(config.botToken, telegramClientOptions(config.telegramApiRoot));
  api.config.use(
    uploadsThroughCurl({ botToken: config.botToken, apiRoot: config.telegramApiRoot }),
  );
  // files in the folder a local-mode server shares go by path: no upload, one form field
  if (config.telegramSharedDir) {
    const refused = (description: string) =>
      logger?.warn("the Bot API server refused a file by path; uploaded instead", {
        description,
        hint: "TELEGRAM_SHARED_DIR must be a folder a server started with --local sees there too",
      });
    api.config.use(sendsSharedFilesByPath(config.telegramSharedDir, refused));
  }
  installApiDefaults(api, throttle);
  return api;
}

/**
 * Throttles below Telegram's flood limits, and retries what still hits them. The throttle is
 * installed first, so it runs inside the retries: each attempt waits for its own turn, and
 * every 429 reaches the shared budget.
 */
function installResilience(api: Api, throttle: Throttle): void {
  api.config.use(throttle.transformer);
  api.config.use(retryFloodsAndOutages);
}

/** Retries after a 429, a 5xx or a failed connection; then the failure is the caller's. */
const RETRIES = 5;
/** The first wait after a 5xx or a failed connection, doubled at each retry (93 s in all). */
const FIRST_BACKOFF_MS = 3_000;

/**
 * Methods that do the same when called twice: reads, edits, deletions, settings, answers (a
 * second answer to a query is refused, not shown), a chat action (a status, not a message).
 */
const IDEMPOTENT_METHOD = /^(get|edit|delete|set|answer|pin|unpin)[A-Z]|^sendChatAction$/;

/** Deno's fetch failed before a connection was made (DNS, TCP or TLS connect; a blocked port). */
const FETCH_NOT_SENT = /client error \(Connect\)|Requests to port \d+ are blocked/;

/** A failed call that surely never reached the server, so it did nothing there. */
function reachedNoServer(error: HttpError): boolean {
  const cause = error.error;
  if (cause instanceof RequestNotSentError) return true;
  if (!(cause instanceof Error)) return false;
  return FETCH_NOT_SENT.test(`${cause.message} ${String(cause.cause ?? "")}`);
}

/**
 * Waits out a 429 for its retry_after (up to the longest wait worth holding a call for), and a
 * Bot API 5xx or a failed connection with growing pauses; a connection that failed once the
 * request may have been sent is retried only for an idempotent method, so a message or a video
 * is never sent twice. Bounded, so a call during a long
 * Telegram outage fails in the end and its job is retried whole rather than hanging.
 */
const retryFloodsAndOutages: Transformer = async (prev, method, payload, signal) => {
  let backoffMs = FIRST_BACKOFF_MS;
  const pause = async (ms: number) => {
    await delay(ms, { signal: signal as AbortSignal | undefined });
  };
  for (let retry = 0;; retry++) {
    const last = retry === RETRIES;
    let result;
    try {
      result = await prev(method, payload, signal);
    } catch (error) {
      if (last || !(error instanceof HttpError) || signal?.aborted) throw error;
      // a call that may have reached Telegram is sent again only where twice does no harm
      if (!IDEMPOTENT_METHOD.test(method) && !reachedNoServer(error)) throw error;
      await pause(backoffMs);
      backoffMs *= 2;
      continue;
    }
    if (result.ok || last) return result;
    const waitSeconds = result.parameters?.retry_after;
    if (waitSeconds !== undefined && waitSeconds * 1000 <= LONGEST_FLOOD_WAIT_MS) {
      await pause(waitSeconds * 1000);
      backoffMs = FIRST_BACKOFF_MS;
    } else if (result.error_code >= 500) {
      await pause(backoffMs);
      backoffMs *= 2;
    } else {
      return result;
    }
  }
};

/** What every Bot API client of the app adds to grammY's: resilience, and HTML by default. */
export function installApiDefaults(api: Api, throttle: Throttle): void {
  installResilience(api, throttle);
  // installed last, so it runs first: curl uploads, retries and the throttle see the HTML mode
  api.config.use(htmlByDefault);
}

/** Methods whose text is written in HTML. */
const TEXT_METHODS = new Set(["sendMessage", "editMessageText"]);
/** Methods whose caption, when they have one, is written in HTML. */
const CAPTION_METHODS = new Set([
  "sendPhoto",
  "sendVideo",
  "sendAudio",
  "sendDocument",
  "sendAnimation",
  "sendVoice",
  "copyMessage",
  "editMessageCaption",
]);

/**
 * A Bot API call's parameters with `parse_mode: "HTML"` when the app writes that call's text or
 * caption in HTML, which it always does. A call that names a parse_mode (even undefined, for
 * plain text) or carries its own entities is left as it is, and so is every other method: inline
 * query results and reply markup edits say their parse mode per item or have none. A media
 * group's captioned items get it too.
 */
export function withHtmlParseMode<P>(method: string, payload: P): P {
  if (payload === null || typeof payload !== "object") return payload;
  if ("parse_mode" in payload || "entities" in payload || "caption_entities" in payload) {
    return payload;
  }
  if (method === "sendMediaGroup" && "media" in payload && Array.isArray(payload.media)) {
    // an album's caption is its first item's: HTML like every other caption
    const media = payload.media.map((item) =>
      item && typeof item === "object" && "caption" in item && item.caption !== undefined &&
        !("parse_mode" in item) && !("caption_entities" in item)
        ? { ...item, parse_mode: "HTML" }
        : item
    );
    return { ...payload, media };
  }
  const takesIt = TEXT_METHODS.has(method) ||
    (CAPTION_METHODS.has(method) && "caption" in payload && payload.caption !== undefined);
  return takesIt ? { ...payload, parse_mode: "HTML" } : payload;
}

/** A grammY transformer that sets HTML as the parse mode of every call that takes one. */
const htmlByDefault: Transformer = (prev, method, payload, signal) =>
  prev(method, withHtmlParseMode(method, payload), signal);

/** True when Telegram refused a file_id we stored (the file is gone on its side). */
export function isStaleFileId(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 &&
    /wrong file identifier|file reference/i.test(error.description);
}

/** Telegram's answer to a send into a group or channel the bot was removed from (or left). */
export function isRemovedFromChat(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403 &&
    /kicked from the|not a member of the|bot was removed/i.test(error.description);
}
