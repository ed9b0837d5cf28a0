/**
 * A fake Telegram Bot API server for end-to-end tests of the bot.
 *
 * `await FakeTelegram.start()` listens on 127.0.0.1 (random port). Point grammY at it with
 * `{ client: { apiRoot: fake.apiRoot } }`, play users with `fake.user(id)`, and inspect what the
 * bot did through `calls`, `messages(chatId)`, `waitFor(...)` and friends.
 *
 * Faithful to api.telegram.org:
 * - routes `/bot<token>/<method>` and `/file/bot<token>/<path>`; JSON, urlencoded and multipart
 *   bodies (`attach://` references included); the `{ok,result}` / `{ok,error_code,description,
 *   parameters}` envelopes with the HTTP status equal to error_code; the real error texts;
 * - getUpdates offsets, limit and true long polling, including both 409 conflicts; webhooks
 *   with the secret header, ordered delivery, retries and replies made in the webhook answer;
 * - HTML parse_mode with tdlib's tag set, attribute rules, nesting checks and error texts,
 *   producing entities; leading/trailing whitespace trimmed; text/caption/callback_data limits;
 * - uploads (streamed to disk), file_id reuse with a stable file_unique_id, media fetched from
 *   http(s) URLs, getFile and downloads (20 MB limit), 413 for oversized uploads;
 * - local mode (`localDir`, as `telegram-bot-api --local --dir`): getFile writes the file under
 *   `<dir>/<token>/` and answers its absolute path, with no 20 MB limit, and `/file/` downloads
 *   answer 404, since that server does not serve them; media and thumbnails given as `file://`
 *   URIs (percent-decoded as that server decodes them) are read from disk, inside `localDir` or
 *   `localFilesDir` only (the folders the server's container sees), and refused outside them and
 *   without local mode, as the real server refuses them;
 * - edits ("message is not modified", an edit without reply_markup removes the inline keyboard),
 *   deletes, callback query answers, Telegram Stars invoices, pre-checkout and refunds;
 * - inline mode: `switch_inline_query` buttons, inline queries answered once within a time limit
 *   (at most 50 results, ids of 1-64 bytes and unique, known types, cached files by a file_id
 *   the bot owns), a chosen result sent into the query's chat as the user's message "via" the bot,
 *   and chosen_inline_result (the inline feedback @BotFather's /setinlinefeedback turns on).
 *
 * Simplified:
 * - private chats with users made by `user()`, and groups and supergroups made by `group()`
 *   (members, the bot added and removed with `my_chat_member`, privacy mode: the bot gets a
 *   member's message only when it starts with a command or replies to the bot); no channels.
 *   Two users' own chat holds only what they sent there through inline mode (`userChat()`);
 *   inline messages cannot be edited;
 * - inline results: articles with text content and cached photos, videos, audio and documents
 *   can be chosen; other types are checked for their id and type only;
 * - HTML is stricter than tdlib: a bare ">" or an "&" that starts no valid entity is rejected
 *   (tdlib lets them through, the Bot API docs require escaping them); MarkdownV2 and Markdown
 *   are accepted but not parsed; lengths are counted in UTF-16 code units;
 * - bot messages get no auto-detected entities; user texts get `url` and a leading `bot_command`;
 * - media is not decoded except image headers (photo and thumbnail sizes): video and audio
 *   metadata come from the call's params, all PhotoSizes of a photo share the uploaded bytes,
 *   no thumbnails are generated and a sendVideo is always a video, whatever its container;
 * - webhooks may be plain http on any port and use one connection (`webhookConnections` for
 *   more, each user's updates still in order); an update whose delivery failed
 *   `webhookAttempts` times is dropped (Telegram keeps retrying for hours);
 * - no flood control, no 48-hour limits; 429s come only from `failNext`, `setFailureRate` and
 *   `failChat`;
 * - methods not listed in this file answer 404 like unknown ones.
 */
import type {
  Audio,
  BotCommand,
  CallbackQuery,
  Chat,
  Document,
  File,
  ForceReply,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  LabeledPrice,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  ResponseParameters,
  Update,
  User,
  UserFromGetMe,
  Video,
  WebhookInfo,
} from "grammy/types";

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface FakeTelegramOptions {
  /** Bot token `<bot id>:<secret>`; the number part becomes the bot's user id. */
  token?: string;
  /** The bot's username, default "MediaTestBot". */
  botUsername?: string;
  /** Largest accepted uploaded file; a larger one is answered 413. Default 50 MiB. */
  maxUploadBytes?: number;
  /** Seed of the PRNG behind `setFailureRate` and generated ids. Default 1. */
  seed?: number;
  /** Attempts per update before a webhook delivery is given up. Default 3. */
  webhookAttempts?: number;
  /** Pause between webhook attempts. Default 50 ms. */
  webhookRetryDelayMs?: number;
  /** Inline mode (@BotFather's /setinline); without it users cannot query the bot. Default on. */
  inlineMode?: boolean;
  /** Chosen inline results reported to the bot (/setinlinefeedback at 100%). Default on. */
  inlineFeedback?: boolean;
  /** How long an inline query can still be answered. Default 10 s. */
  inlineQueryTimeoutMs?: number;
  /**
   * Webhook requests in flight at once, as Telegram's `max_connections`: updates of different
   * users go in parallel, each user's in order. Default 1 (one update at a time).
   */
  webhookConnections?: number;
  /**
   * Local mode, as a self-hosted server started with `--local --dir=<localDir>`: getFile copies
   * the file to `<localDir>/<token>/<documents|videos|…>/file_N.ext` and answers that path.
   */
  localDir?: string;
  /**
   * Local mode: a folder besides `localDir` whose files `file://` URIs may name, as a volume the
   * server shares with the bot's workers; any other path is refused as one the server cannot see.
   */
  localFilesDir?: string;
  /**
   * Without local mode: what a `file://` URI is refused with (400), as servers and their versions
   * word it. Default telegram-bot-api's "invalid file HTTP URL specified: Unsupported URL protocol".
   */
  pathRefusal?: string;
}

/** An error to answer instead of running a method (see `failNext`). */
export interface InjectedFailure {
  code: number;
  description: string;
  /** Sent as `parameters.retry_after`. */
  retryAfter?: number;
}

/** What an uploaded file looks like in `ApiCall.params`. */
export interface UploadedFileParam {
  fileName: string;
  size: number;
}

export interface ApiCall {
  method: string;
  /**
   * Params as received: form values stay strings, JSON-serialized fields (reply_markup,
   * entities, ...) are parsed, uploaded files appear as `{ fileName, size }`.
   */
  params: Record<string, unknown>;
  ok: boolean;
  error_code?: number;
  description?: string;
  /** Epoch milliseconds when the call arrived. */
  time: number;
  durationMs: number;
  /** Set when the call was made in the answer to a webhook delivery. */
  viaWebhookReply?: true;
}

export type MediaKind = "photo" | "video" | "audio" | "document";

export interface MediaInfo {
  kind: MediaKind;
  /** For photos, the largest size. */
  fileId: string;
  fileUniqueId: string;
  fileSize: number;
  fileName?: string;
  mimeType?: string;
  /** How the bot provided the file in this call. */
  source: "upload" | "file_id" | "url" | "path";
  url?: string;
  supportsStreaming: boolean;
  /** Whether this call uploaded a thumbnail. */
  thumbnail: boolean;
  width?: number;
  height?: number;
  duration?: number;
}

/** One state of a message's text or caption and keyboard; the first one is as sent. */
export interface MessageVersion {
  method: string;
  date: number;
  text?: string;
  caption?: string;
  html?: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

export type ReplyMarkup =
  | InlineKeyboardMarkup
  | ReplyKeyboardMarkup
  | ReplyKeyboardRemove
  | ForceReply;

export interface InvoiceInfo {
  title: string;
  description: string;
  payload: string;
  currency: string;
  prices: LabeledPrice[];
}

/** A message the bot sent, in its current state. */
export interface BotMessage {
  chatId: number;
  messageId: number;
  /** The method that sent it. */
  method: string;
  /** The Bot API object as the bot would get it now. */
  message: Message;
  text?: string;
  caption?: string;
  /** The raw HTML of the current text or caption, when sent with parse_mode HTML. */
  html?: string;
  /** The markup as sent, including reply keyboards that a Message object does not show. */
  replyMarkup?: ReplyMarkup;
  media?: MediaInfo;
  invoice?: InvoiceInfo;
  history: MessageVersion[];
  deleted: boolean;
}

export interface WebhookDelivery {
  update_id: number;
  url: string;
  attempt: number;
  /** The HTTP status answered, 0 when the request failed. */
  status: number;
  error?: string;
  time: number;
}

export interface CallbackAnswer {
  callback_query_id: string;
  /** The callback_data of the pressed button. */
  data: string;
  text?: string;
  show_alert: boolean;
  url?: string;
  cache_time?: number;
  time: number;
}

/** A bot's answer to an inline query, with the results as it sent them. */
export interface InlineAnswer {
  inline_query_id: string;
  /** The query answered. */
  query: string;
  results: Record<string, unknown>[];
  cache_time?: number;
  is_personal: boolean;
  next_offset?: string;
  button?: Record<string, unknown>;
  time: number;
}

export interface ChatActionRecord {
  chatId: number;
  action: string;
  time: number;
}

export interface PreCheckoutAnswer {
  pre_checkout_query_id: string;
  ok: boolean;
  error_message?: string;
  time: number;
}

export interface Refund {
  user_id: number;
  telegram_payment_charge_id: string;
  time: number;
}

export interface FakeUserOptions {
  firstName?: string;
  lastName?: string;
  languageCode?: string;
  username?: string;
}

export interface SendDocumentInput {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
  caption?: string;
}

/** A message to act on: a Bot API `Message` or a `BotMessage`. */
export type MessageRef = { message_id: number; chat: { id: number } } | {
  chatId: number;
  messageId: number;
};

/** A user in a private chat with the bot; each action queues an update and returns it. */
export interface FakeUser {
  readonly id: number;
  readonly info: User;
  readonly chat: Chat.PrivateChat;
  /** A text message, with `url` entities and a `bot_command` entity at offset 0 detected. */
  sendText(text: string): Update;
  /** A document message; the file is stored so getFile and downloads work. */
  sendDocument(input: SendDocumentInput): Update;
  /** Presses an inline button of the message's current keyboard; throws if there is none. */
  pressButton(message: MessageRef, callbackData: string): Update;
  /**
   * A callback query with any data (at most 64 bytes) on a message with an inline keyboard, as a
   * modified client sends it: Telegram does not check the data against the buttons.
   */
  pressForgedButton(message: MessageRef, callbackData: string): Update;
  /**
   * Presses the `switch_inline_query` button with this text on the message's current keyboard:
   * the user picks a chat (`into`, another user's private chat; this bot's chat when omitted)
   * and the app queries the bot there with the button's query. Throws if there is no such button.
   */
  pressSwitchInlineButton(message: MessageRef, buttonText: string, into?: FakeUser): Update;
  /**
   * Types "@bot <query>" (into `into`'s chat, else the bot's); `offset` is the next_offset of an
   * answer to the same query, sent when the user scrolls to the end of its results.
   */
  sendInlineQuery(query: string, into?: FakeUser, offset?: string): Update;
  /**
   * Picks a result of the bot's answer to one of this user's inline queries. Telegram sends it
   * into the query's chat as the user's message "via" the bot (in the bot's own chat, the bot gets
   * it as a message), then reports the choice as chosen_inline_result, which this returns
   * (undefined without inline feedback). Throws if the query has no answer or no such result.
   */
  chooseInlineResult(inlineQueryId: string, resultId: string): Update | undefined;
  /** Starts paying an invoice the bot sent: queues a pre_checkout_query. */
  payInvoice(message: MessageRef): Update;
  /** Queues an update as given (update_id is added when missing); it may be malformed. */
  sendUpdate(update: Partial<Update> | Record<string, unknown>): Update;
  /** While blocked, sending to this user answers 403 "Forbidden: bot was blocked by the user". */
  block(): void;
  unblock(): void;
}

export interface FakeGroupOptions {
  title?: string;
  /** "group" (the default) or "supergroup": the texts of some errors differ */
  type?: "group" | "supergroup";
  /** the members, besides the bot; `addBot` may add the bot later */
  members?: FakeUser[];
}

/** A group or supergroup: its members talk there, and add or remove the bot. */
export interface FakeGroup {
  /** negative, as Telegram's group ids are */
  readonly id: number;
  readonly chat: Chat.GroupChat | Chat.SupergroupChat;
  /**
   * A member's text in the group, replying to `replyTo` when given; returns the message. It
   * reaches the bot (privacy mode) only when the bot is in the group and the text starts with a
   * command or replies to one of the bot's messages.
   */
  sendText(member: FakeUser, text: string, replyTo?: MessageRef): Message;
  /** A member adds the bot: `my_chat_member` from "left" (or "kicked") to "member". */
  addBot(by: FakeUser): Update;
  /**
   * A member removes the bot (`kicked`, as the "remove" button does) or the bot is made to leave
   * (`left`): `my_chat_member`, and from then on sends there answer 403.
   */
  removeBot(by: FakeUser, status?: "kicked" | "left"): Update;
}

export interface WaitForOptions {
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------
// Errors and small utilities
// ---------------------------------------------------------------------------

const MiB = 1024 * 1024;
const DEFAULT_TOKEN = "123456789:AAF4keT0kenForLocalTests-only_0123456";
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const GET_FILE_LIMIT = 20 * MiB;
const URL_PHOTO_LIMIT = 5 * MiB;
/** An uploaded photo; bigger images go as documents. */
const UPLOAD_PHOTO_LIMIT = 10 * MiB;
const MEDIA_GROUP_MIN = 2;
const MEDIA_GROUP_MAX = 10;
const URL_FILE_LIMIT = 20 * MiB;
const URL_FETCH_TIMEOUT_MS = 10_000;
const WEBHOOK_TIMEOUT_MS = 60_000;
const INLINE_QUERY_MAX_LENGTH = 256;
const INLINE_RESULTS_MAX = 50;
const INLINE_RESULT_TYPES = new Set([
  "article",
  "photo",
  "gif",
  "mpeg4_gif",
  "video",
  "audio",
  "voice",
  "document",
  "location",
  "venue",
  "contact",
  "game",
  "sticker",
]);
/** Result types whose cached form sends a file of that kind, by its `<type>_file_id`. */
const CACHED_RESULT_KINDS = new Set<MediaKind>(["photo", "video", "audio", "document"]);
/** Telegram leaves these out unless allowed_updates names them. */
const OPT_IN_UPDATES = ["chat_member", "message_reaction", "message_reaction_count"];
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
/** Fields Telegram expects JSON-serialized inside form bodies. */
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "commands",
  "scope",
  "prices",
  "allowed_updates",
  "reply_parameters",
  "link_preview_options",
  "suggested_tip_amounts",
  "results",
  "button",
]);

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);
const WRONG_FILE_ID = "wrong file identifier/HTTP URL specified";
/** A `file://` URI sent to a server without `--local` (telegram-bot-api issue #816). */
const NOT_AN_HTTP_URL = "invalid file HTTP URL specified: Unsupported URL protocol";
const URL_FAILED = "failed to get HTTP URL content";
const QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid";
const NOT_MODIFIED = "message is not modified: specified new message content and reply markup " +
  "are exactly the same as a current content and reply markup of the message";
const webhookConflict = () =>
  new ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  );
const pollConflict = () =>
  new ApiError(
    409,
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  );

type ApiResponse =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

function errorResponse(error: ApiError): ApiResponse {
  return compact({
    ok: false as const,
    error_code: error.code,
    description: error.description,
    parameters: error.parameters,
  });
}

function jsonResponse(body: ApiResponse): Response {
  return Response.json(body, { status: body.ok ? 200 : body.error_code });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const utf8Length = (text: string) => encoder.encode(text).length;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Drops keys whose value is undefined, so objects print and compare like Telegram's JSON. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Whose update it is: a user's updates reach the webhook one at a time, in order. */
function updateSenderId(update: Update): number | undefined {
  const body = Object.values(update).find((value) => isRecord(value)) as
    | { from?: { id?: unknown } }
    | undefined;
  return typeof body?.from?.id === "number" ? body.from.id : undefined;
}

/** mulberry32: small and seedable, enough for reproducible fault injection. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lets async code sleep until something happens, without polling. */
class Notifier {
  #waiters = new Set<() => void>();

  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next `notify()`, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
  }
}

/** Sleeps, cut short by `signal`. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Notifier().wait(ms, signal);
}

/** Reads and discards a body, so clients that are still sending get a proper answer. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  try {
    for await (const _ of body) {
      // discard
    }
  } catch {
    // the client went away
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch {
    // already gone
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let written = 0; written < data.length;) {
    written += await file.write(data.subarray(written));
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(needle[0], from); i !== -1 && i <= last;) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
    i = haystack.indexOf(needle[0], i + 1);
  }
  return -1;
}

const MIME_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  webm: "video/webm",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  flac: "audio/flac",
  wav: "audio/x-wav",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  json: "application/json",
  zip: "application/zip",
};

function extensionOf(fileName: string | undefined): string | undefined {
  const match = fileName ? /\.([A-Za-z0-9]{1,8})$/.exec(fileName) : null;
  return match?.[1].toLowerCase();
}

/** Like Telegram, trusts the file name over the part's content type (grammY always sends octet-stream). */
function guessMimeType(fileName: string | undefined, declared: string | undefined): string {
  const byName = MIME_TYPES[extensionOf(fileName) ?? ""];
  if (byName) return byName;
  if (declared && declared !== "application/octet-stream") return declared.split(";")[0].trim();
  return "application/octet-stream";
}

// ---------------------------------------------------------------------------
// Text formatting: HTML parse mode, entity detection, trimming
// ---------------------------------------------------------------------------

interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

const HTML_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "s",
  "strike",
  "del",
  "u",
  "ins",
  "tg-spoiler",
  "tg-emoji",
  "span",
  "pre",
  "code",
  "blockquote",
]);

const isSpace = (c: string | undefined) =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

/** Decodes `&lt;` `&gt;` `&amp;` `&quot;` and numeric references starting at `at`. */
function decodeEntityAt(html: string, at: number): { char: string; end: number } | undefined {
  const re = /&(?:(lt|gt|amp|quot)|#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7}));/y;
  re.lastIndex = at;
  const match = re.exec(html);
  if (!match) return undefined;
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
  if (match[1]) return { char: named[match[1]], end: re.lastIndex };
  const code = match[2] ? Number(match[2]) : parseInt(match[3], 16);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return { char: String.fromCodePoint(code), end: re.lastIndex };
}

interface OpenTag {
  name: string;
  argument: string;
  offset: number;
}

/** Internal entity: `code` keeps its language until a matching `pre` absorbs it. */
type ParsedEntity = MessageEntity | (MessageEntity & { language?: string });

/** Parses Telegram's HTML subset the way tdlib does (see the module doc for the stricter bits). */
/** What Telegram does with `html` sent with parse_mode HTML: the text shown, or its Bad Request. */
export function readTelegramHtml(
  html: string,
): { ok: true; text: string } | { ok: false; description: string } {
  try {
    return { ok: true, text: parseHtml(html).text };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, description: error.description };
    throw error;
  }
}

function parseHtml(html: string): FormattedText {
  const fail = (message: string): never => {
    throw badRequest(`can't parse entities: ${message}`);
  };
  const at = (index: number) => utf8Length(html.slice(0, index));
  const stack: OpenTag[] = [];
  const entities: ParsedEntity[] = [];
  let text = "";
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === "&") {
      const decoded = decodeEntityAt(html, i);
      if (!decoded) fail(`Character "&" must be escaped as "&amp;" at byte offset ${at(i)}`);
      else {
        text += decoded.char;
        i = decoded.end;
      }
      continue;
    }
    if (c === ">") fail(`Character ">" must be escaped as "&gt;" at byte offset ${at(i)}`);
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const begin = i++;
    if (html[i] !== "/") {
      while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
      if (i >= html.length) fail(`Unclosed start tag at byte offset ${at(begin)}`);
      const name = html.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(name)) fail(`Unsupported start tag "${name}" at byte offset ${at(begin)}`);
      let argument = "";
      while (html[i] !== ">") {
        while (i < html.length && isSpace(html[i])) i++;
        if (html[i] === ">") break;
        const attributeBegin = i;
        while (i < html.length && !isSpace(html[i]) && html[i] !== "=") i++;
        const attribute = html.slice(attributeBegin, i);
        if (!attribute) {
          fail(`Empty attribute name in the tag "${name}" at byte offset ${at(begin)}`);
        }
        while (i < html.length && isSpace(html[i])) i++;
        if (html[i] !== "=") {
          fail(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${
              at(begin)
            }`,
          );
        }
        i++;
        while (i < html.length && isSpace(html[i])) i++;
        if (i >= html.length) fail(`Unclosed start tag "${name}" at byte offset ${at(begin)}`);
        let value = "";
        const quote = html[i];
        if (quote !== '"' && quote !== "'") {
          const tokenBegin = i;
          while (i < html.length && /[A-Za-z0-9.-]/.test(html[i])) i++;
          value = html.slice(tokenBegin, i).toLowerCase();
          if (i < html.length && !isSpace(html[i]) && html[i] !== ">") {
            fail(`Unexpected end of name token at byte offset ${at(tokenBegin)}`);
          }
        } else {
          i++;
          while (i < html.length && html[i] !== quote) {
            const decoded = html[i] === "&" ? decodeEntityAt(html, i) : undefined;
            if (decoded) {
              value += decoded.char;
              i = decoded.end;
            } else value += html[i++];
          }
          if (html[i] === quote) i++;
        }
        if (i >= html.length) fail(`Unclosed start tag at byte offset ${at(begin)}`);
        if (name === "a" && attribute === "href") argument = value;
        else if (name === "code" && attribute === "class" && value.startsWith("language-")) {
          argument = value.slice("language-".length);
        } else if (name === "span" && attribute === "class" && value.startsWith("tg-")) {
          argument = value.slice("tg-".length);
        } else if (name === "tg-emoji" && attribute === "emoji-id") argument = value;
        else if (name === "blockquote" && attribute === "expandable") argument = "1";
      }
      i++;
      if (name === "span" && argument !== "spoiler") {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at(begin)}`);
      }
      stack.push({ name, argument, offset: text.length });
      continue;
    }
    // An end tag. tdlib compares its name without lowercasing it.
    if (stack.length === 0) fail(`Unexpected end tag at byte offset ${at(begin)}`);
    while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
    const endName = html.slice(begin + 2, i);
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] !== ">") fail(`Unclosed end tag at byte offset ${at(begin)}`);
    i++;
    const open = stack[stack.length - 1];
    if (endName && endName !== open.name) {
      fail(
        `Unmatched end tag at byte offset ${
          at(begin)
        }, expected "</${open.name}>", found "</${endName}>"`,
      );
    }
    stack.pop();
    const offset = open.offset;
    const length = text.length - offset;
    if (length > 0) closeEntity(entities, open, offset, length, text);
  }
  if (stack.length > 0) {
    fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].name}"`);
  }
  const sorted = entities.map((entity) => {
    if (entity.type === "code" && "language" in entity) {
      return { type: "code" as const, offset: entity.offset, length: entity.length };
    }
    return entity;
  }).sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities: sorted };
}

function closeEntity(
  entities: ParsedEntity[],
  open: OpenTag,
  offset: number,
  length: number,
  text: string,
): void {
  const last = entities[entities.length - 1];
  const sameRange = last?.offset === offset && last.length === length;
  switch (open.name) {
    case "b":
    case "strong":
      entities.push({ type: "bold", offset, length });
      break;
    case "i":
    case "em":
      entities.push({ type: "italic", offset, length });
      break;
    case "u":
    case "ins":
      entities.push({ type: "underline", offset, length });
      break;
    case "s":
    case "strike":
    case "del":
      entities.push({ type: "strikethrough", offset, length });
      break;
    case "tg-spoiler":
    case "span":
      entities.push({ type: "spoiler", offset, length });
      break;
    case "blockquote":
      entities.push({
        type: open.argument ? "expandable_blockquote" : "blockquote",
        offset,
        length,
      });
      break;
    case "tg-emoji":
      if (!/^\d+$/.test(open.argument)) {
        throw badRequest("can't parse entities: Invalid custom emoji identifier specified");
      }
      entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: open.argument });
      break;
    case "a": {
      const url = open.argument || text.slice(offset);
      entities.push({ type: "text_link", offset, length, url });
      break;
    }
    case "code":
      if (sameRange && last.type === "pre" && open.argument) {
        entities[entities.length - 1] = { type: "pre", offset, length, language: open.argument };
      } else {
        entities.push(
          open.argument
            ? { type: "code", offset, length, language: open.argument }
            : { type: "code", offset, length },
        );
      }
      break;
    case "pre":
      // `<pre><code class="language-x">` becomes one pre entity with a language.
      if (sameRange && last.type === "code" && "language" in last && last.language) {
        entities[entities.length - 1] = { type: "pre", offset, length, language: last.language };
      } else entities.push({ type: "pre", offset, length });
      break;
  }
}

/** Telegram strips leading and trailing whitespace and moves the entities along. */
function trimFormatted({ text, entities }: FormattedText): FormattedText {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const end = start + trimmed.length;
  const moved = entities.flatMap((entity) => {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    return to > from ? [{ ...entity, offset: from - start, length: to - from }] : [];
  });
  return { text: trimmed, entities: moved };
}

/** The entities Telegram detects in user messages that matter to the bot. */
function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const command = /^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=$|\s)/.exec(text);
  if (command) entities.push({ type: "bot_command", offset: 0, length: command[0].length });
  for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"]+/gi)) {
    let url = match[0];
    // Trailing punctuation is not part of a link, a closing parenthesis only when unbalanced.
    while (/[.,;:!?'")\]]$/.test(url)) {
      const opened = url.split("(").length - 1;
      const closed = url.split(")").length - 1;
      if (url.endsWith(")") && opened >= closed) break;
      url = url.slice(0, -1);
    }
    entities.push({ type: "url", offset: match.index, length: url.length });
  }
  return entities.sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------
// Multipart bodies and files on disk
// ---------------------------------------------------------------------------

interface Upload {
  /** The part's name in the form. */
  part: string;
  fileName: string;
  contentType?: string;
  /** Temporary file holding the bytes. */
  path: string;
  size: number;
}

interface MultipartResult {
  fields: Map<string, string>;
  uploads: Map<string, Upload>;
  tooLarge: boolean;
}

/** Parses `name="x"; filename=...` header parameters, quoted or not (grammY does not quote). */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3].trim();
    const key = match[1].toLowerCase();
    if (key === "filename*") {
      try {
        params.set("filename", decodeURIComponent(raw.replace(/^[^']*'[^']*'/, "")));
      } catch {
        params.set("filename", raw);
      }
    } else if (!params.has(key)) params.set(key, raw);
  }
  return params;
}

/**
 * Streams a multipart/form-data body: fields are kept in memory (capped), file parts go straight
 * to temporary files. A file over `maxFileBytes` is deleted and the rest of the body drained.
 */
async function parseMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  opts: { maxFileBytes: number; tempPath: () => string },
): Promise<MultipartResult> {
  const maxFieldBytes = MiB;
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const headerEnd = encoder.encode("\r\n\r\n");
  const reader = body.getReader();
  const result: MultipartResult = { fields: new Map(), uploads: new Map(), tooLarge: false };
  // A leading CRLF lets the first boundary match the same delimiter as the others.
  let buffer: Uint8Array = encoder.encode("\r\n");
  let ended = false;
  const fill = async () => {
    if (ended) return false;
    const chunk = await reader.read();
    if (chunk.done) {
      ended = true;
      return false;
    }
    buffer = concatBytes(buffer, chunk.value);
    return true;
  };
  const malformed = () => badRequest("can't parse multipart/form-data request body");

  let file: Deno.FsFile | undefined;
  try {
    let first = indexOfBytes(buffer, delimiter);
    while (first === -1) {
      buffer = buffer.subarray(Math.max(0, buffer.length - delimiter.length + 1));
      if (!(await fill())) throw malformed();
      first = indexOfBytes(buffer, delimiter);
    }
    buffer = buffer.subarray(first + delimiter.length);
    while (true) {
      while (buffer.length < 2) if (!(await fill())) throw malformed();
      if (buffer[0] === 0x2d && buffer[1] === 0x2d) break; // "--": the closing delimiter
      let end = indexOfBytes(buffer, headerEnd);
      while (end === -1) {
        if (buffer.length > 16 * 1024 || !(await fill())) throw malformed();
        end = indexOfBytes(buffer, headerEnd);
      }
      const headers = new Map<string, string>();
      for (const line of decoder.decode(buffer.subarray(0, end)).split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) {
          headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1));
        }
      }
      buffer = buffer.subarray(end + headerEnd.length);
      const disposition = headerParams(headers.get("content-disposition") ?? "");
      const name = disposition.get("name");
      if (name === undefined) throw malformed();
      const fileName = disposition.get("filename");

      let upload: Upload | undefined;
      const fieldChunks: Uint8Array[] = [];
      let size = 0;
      let discard = result.tooLarge;
      if (fileName !== undefined && !discard) {
        upload = {
          part: name,
          fileName: fileName.split(/[/\\]/).pop() || name,
          contentType: headers.get("content-type")?.trim(),
          path: opts.tempPath(),
          size: 0,
        };
        file = await Deno.open(upload.path, { write: true, createNew: true });
        result.uploads.set(name, upload);
      }
      const write = async (data: Uint8Array) => {
        if (discard || data.length === 0) return;
        size += data.length;
        if (upload && file) {
          if (size > opts.maxFileBytes) {
            result.tooLarge = discard = true;
            file.close();
            file = undefined;
            await removeQuietly(upload.path);
            result.uploads.delete(name);
            return;
          }
          await writeAll(file, data);
        } else if (size > maxFieldBytes) {
          result.tooLarge = discard = true;
        } else fieldChunks.push(data.slice());
      };
      while (true) {
        const at = indexOfBytes(buffer, delimiter);
        if (at !== -1) {
          await write(buffer.subarray(0, at));
          buffer = buffer.subarray(at + delimiter.length);
          break;
        }
        const safe = buffer.length - delimiter.length + 1;
        if (safe > 0) {
          await write(buffer.subarray(0, safe));
          buffer = buffer.subarray(safe);
        }
        if (!(await fill())) throw malformed();
      }
      if (upload && file) {
        file.close();
        file = undefined;
        upload.size = size;
      } else if (fileName === undefined && !discard) {
        result.fields.set(name, decoder.decode(concatAll(fieldChunks)));
      }
    }
    while (!(await reader.read()).done) {
      // the epilogue after the closing delimiter is ignored
    }
    return result;
  } catch (error) {
    file?.close();
    for (const upload of result.uploads.values()) await removeQuietly(upload.path);
    await reader.cancel().catch(() => {});
    throw error;
  }
}

function concatAll(chunks: Uint8Array[]): Uint8Array {
  return chunks.reduce((all, chunk) => concatBytes(all, chunk), new Uint8Array(0));
}

/** Writes a stream to `path`; deletes the file and returns undefined past `limit` bytes. */
async function streamToFile(
  stream: ReadableStream<Uint8Array>,
  path: string,
  limit: number,
): Promise<number | undefined> {
  const file = await Deno.open(path, { write: true, createNew: true });
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.length;
      if (size > limit) break;
      await writeAll(file, chunk);
    }
  } finally {
    file.close();
  }
  if (size > limit) {
    await removeQuietly(path);
    return undefined;
  }
  return size;
}

/** Width and height from a PNG, GIF, JPEG or WebP header. */
async function imageSize(path: string): Promise<{ width: number; height: number } | undefined> {
  const file = await Deno.open(path);
  const head = new Uint8Array(512 * 1024);
  let length = 0;
  try {
    for (let n: number | null = 0; n !== null && length < head.length;) {
      n = await file.read(head.subarray(length));
      if (n !== null) length += n;
    }
  } finally {
    file.close();
  }
  const b = head.subarray(0, length);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (length >= 24 && ascii(1, 4) === "PNG" && ascii(12, 16) === "IHDR") {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (length >= 10 && ascii(0, 3) === "GIF") {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (length >= 30 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") {
    const chunk = ascii(12, 16);
    if (chunk === "VP8X") {
      return {
        width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)),
        height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)),
      };
    }
    if (chunk === "VP8 ") {
      return {
        width: view.getUint16(26, true) & 0x3fff,
        height: view.getUint16(28, true) & 0x3fff,
      };
    }
    if (chunk === "VP8L") {
      const bits = view.getUint32(21, true);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    for (let i = 2; i + 9 < length;) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
        marker !== 0xcc;
      if (isFrame) return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
      i += 2 + view.getUint16(i + 2);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** One API call's params and uploads, with Telegram's lenient typing (form values are strings). */
class ApiRequest {
  readonly #claimed: Set<Upload>;

  constructor(
    readonly params: Record<string, unknown>,
    readonly uploads: Map<string, Upload>,
    /** Aborted when the fake closes. */
    readonly signal: AbortSignal,
    claimed = new Set<Upload>(),
  ) {
    this.#claimed = claimed;
  }

  /** The same call's uploads read with other params: one item of a media group. */
  withParams(params: Record<string, unknown>): ApiRequest {
    return new ApiRequest(params, this.uploads, this.signal, this.#claimed);
  }

  str(name: string): string | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
  }

  int(name: string): number | undefined {
    const value = this.params[name];
    if (value === undefined || value === null || value === "") return undefined;
    const number = typeof value === "number"
      ? value
      : typeof value === "string" && /^\s*-?\d+\s*$/.test(value)
      ? Number(value)
      : NaN;
    if (!Number.isSafeInteger(number)) {
      throw badRequest(`field "${name}" must be of type Integer`);
    }
    return number;
  }

  bool(name: string): boolean {
    const value = this.params[name];
    return value === true || value === 1 || value === "true" || value === "1" || value === "True";
  }

  json(name: string, error: string): unknown {
    const value = this.params[name];
    if (typeof value !== "string") return value ?? undefined;
    if (value === "") return undefined;
    try {
      return JSON.parse(value);
    } catch {
      throw badRequest(error);
    }
  }

  /** The file uploaded for `name`: a part of that name or an `attach://` reference. */
  upload(name: string): Upload | undefined {
    const direct = this.uploads.get(name);
    if (direct) return direct;
    const value = this.params[name];
    if (typeof value === "string" && value.startsWith("attach://")) {
      return this.uploads.get(value.slice("attach://".length));
    }
    return undefined;
  }

  claim(upload: Upload): void {
    this.#claimed.add(upload);
  }

  /** Deletes the temporary files nobody kept (failed calls, unused parts). */
  async cleanup(): Promise<void> {
    for (const upload of this.uploads.values()) {
      if (!this.#claimed.has(upload)) await removeQuietly(upload.path);
    }
  }
}

/** The params as recorded in `calls`: uploads shown as `{ fileName, size }`. */
function recordedParams(
  params: Record<string, unknown>,
  uploads: Map<string, Upload>,
): Record<string, unknown> {
  const recorded: Record<string, unknown> = {};
  const referenced = new Set<string>();
  const describe = (upload: Upload): UploadedFileParam => ({
    fileName: upload.fileName,
    size: upload.size,
  });
  for (const [key, value] of Object.entries(params)) {
    const upload = typeof value === "string" && value.startsWith("attach://")
      ? uploads.get(value.slice("attach://".length))
      : undefined;
    if (upload) referenced.add(upload.part);
    recorded[key] = upload ? describe(upload) : value;
  }
  for (const [part, upload] of uploads) {
    if (!referenced.has(part) && !(part in recorded)) recorded[part] = describe(upload);
  }
  return recorded;
}

// ---------------------------------------------------------------------------
// State shared by the server, the methods and the fake users
// ---------------------------------------------------------------------------

type FileKind = MediaKind | "thumbnail";
type ChatMessage = Message & {
  chat: Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;
  from: User;
};

interface StoredFile {
  kind: FileKind;
  file_id: string;
  file_unique_id: string;
  diskPath: string;
  size: number;
  /** The path getFile answers and downloads use. */
  filePath: string;
  /** In local mode, the path getFile answers instead of the file's own (`answerLocalPath`). */
  localPathAnswer?: string;
  fileName?: string;
  mimeType?: string;
  /** The Bot API object made when the file was first sent; reused when its file_id is sent. */
  video?: Video;
  audio?: Audio;
  document?: Document;
  /** For photos, every size of the photo this file belongs to. */
  photo?: PhotoSize[];
  thumbnail?: PhotoSize;
}

interface StoredMessage {
  message: ChatMessage;
  fromBot: boolean;
  method: string;
  html?: string;
  replyMarkup?: ReplyMarkup;
  media?: MediaInfo;
  invoice?: InvoiceInfo;
  history: MessageVersion[];
  deleted: boolean;
}

interface ChatState {
  /** the private chat's user; none in a group */
  user?: FakeUserImpl;
  group?: GroupState;
  chat: Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
}

interface GroupState {
  members: Set<number>;
  botStatus: "member" | "left" | "kicked";
}

interface Webhook {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

interface Poll {
  terminated: boolean;
}

/** What choosing an inline result sends; no content for the types the fake does not send. */
interface InlineResultMessage {
  content?: Partial<Message>;
  html?: string;
  replyMarkup?: InlineKeyboardMarkup;
}

interface InlineQueryState {
  userId: number;
  query: string;
  /** The other user whose private chat the query was typed in; undefined: the bot's chat. */
  into?: number;
  time: number;
  /** Set by the answer, by result id. */
  results?: Map<string, InlineResultMessage>;
}

/** The private chat of two users: it holds only what they sent there through inline mode. */
interface UserChatState {
  nextMessageId: number;
  messages: { fromId: number; message: Omit<Message, "chat"> }[];
}

const userChatKey = (a: number, b: number) => a < b ? `${a}:${b}` : `${b}:${a}`;

const FILE_ID_PREFIX: Record<FileKind, string> = {
  photo: "AgACAgIAAxkBAA",
  video: "BAACAgIAAxkBAA",
  audio: "CQACAgIAAxkBAA",
  document: "BQACAgIAAxkBAA",
  thumbnail: "AAMCAgADGQEAA",
};
const FILE_PATH_DIR: Record<FileKind, string> = {
  photo: "photos",
  video: "videos",
  audio: "music",
  document: "documents",
  thumbnail: "thumbnails",
};

class State {
  readonly chats = new Map<number, ChatState>();
  readonly files = new Map<string, StoredFile>();
  readonly filesByPath = new Map<string, StoredFile>();
  readonly pending: Update[] = [];
  readonly calls: ApiCall[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly callbackQueries = new Map<string, { data: string }>();
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly chatActions: ChatActionRecord[] = [];
  readonly preCheckoutQueries = new Map<
    string,
    { userId: number; currency: string; total: number; payload: string }
  >();
  readonly preCheckoutAnswers: PreCheckoutAnswer[] = [];
  readonly payments = new Map<
    string,
    { userId: number; currency: string; total: number; payload: string; refunded: boolean }
  >();
  readonly refunds: Refund[] = [];
  readonly commands = new Map<string, BotCommand[]>();
  /** the bot's description and short description, by language code ("" for the default) */
  readonly descriptions = new Map<string, { description?: string; short?: string }>();
  readonly inlineQueries = new Map<string, InlineQueryState>();
  readonly inlineAnswers: InlineAnswer[] = [];
  readonly userChats = new Map<string, UserChatState>();
  inlineMode = true;
  inlineFeedback = true;
  /**
   * local mode: where getFile puts files (`<dir>/<token>/…`), and the folders (real paths) whose
   * files `file://` URIs may name
   */
  local?: { dir: string; token: string; readable: string[] };
  /** without local mode: the description a `file://` URI is refused with */
  pathRefusal = NOT_AN_HTTP_URL;
  inlineQueryTimeoutMs = 10_000;
  /** Wakes long polls and the webhook sender. */
  readonly queueChanged = new Notifier();
  /** Wakes `waitFor`: after every API call, queued update and webhook delivery. */
  readonly changed = new Notifier();
  webhook?: Webhook;
  lastWebhookError?: { date: number; message: string };
  allowedUpdates?: string[];
  poll?: Poll;
  closed = false;
  /** Called when an update is queued or the webhook changes. */
  onQueue: () => void = () => {};
  #nextUpdateId = 100_000_001;
  #counter = 0;
  readonly #random: () => number;

  constructor(
    readonly dir: string,
    readonly bot: UserFromGetMe,
    seed: number,
  ) {
    // Separate from the failure PRNG, so injected failures don't depend on ids generated.
    this.#random = seededRandom(seed ^ 0x5eed1d5);
  }

  nextId(): number {
    return ++this.#counter;
  }

  enqueue(body: Partial<Update> | Record<string, unknown>): Update {
    const given = (body as Record<string, unknown>).update_id;
    const update_id = typeof given === "number" ? given : this.#nextUpdateId;
    this.#nextUpdateId = Math.max(this.#nextUpdateId, update_id + 1);
    const update = { ...body, update_id } as Update;
    const type = Object.keys(update).find((key) => key !== "update_id");
    const allowed = type === undefined ||
      (this.allowedUpdates?.length
        ? this.allowedUpdates.includes(type)
        : !OPT_IN_UPDATES.includes(type));
    // Telegram does not even create updates of types the bot did not allow.
    if (allowed) {
      this.pending.push(update);
      this.queueChanged.notify();
      this.onQueue();
    }
    this.changed.notify();
    return structuredClone(update);
  }

  /** Forgets updates below `offset`, or all but the last -offset ones. */
  confirmUpdates(offset: number): void {
    if (offset > 0) {
      const keep = this.pending.filter((update) => update.update_id >= offset);
      this.pending.splice(0, this.pending.length, ...keep);
    } else if (offset < 0) this.pending.splice(0, Math.max(0, this.pending.length + offset));
  }

  chatFor(req: ApiRequest, sending = false): ChatState {
    const raw = req.params.chat_id;
    if (raw === undefined || raw === null || raw === "") throw badRequest("chat_id is empty");
    const id = typeof raw === "number"
      ? raw
      : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw)
      ? Number(raw)
      : NaN;
    const chat = this.chats.get(id);
    if (!chat) throw badRequest("chat not found");
    if (sending && chat.user?.blocked) {
      throw new ApiError(403, "Forbidden: bot was blocked by the user");
    }
    if (chat.group && chat.group.botStatus !== "member") {
      const kind = chat.chat.type === "supergroup" ? "supergroup chat" : "group chat";
      throw new ApiError(
        403,
        chat.group.botStatus === "kicked"
          ? `Forbidden: bot was kicked from the ${kind}`
          : `Forbidden: bot is not a member of the ${kind}`,
      );
    }
    return chat;
  }

  findMessage(ref: MessageRef): StoredMessage | undefined {
    const [chatId, messageId] = "chatId" in ref
      ? [ref.chatId, ref.messageId]
      : [ref.chat.id, ref.message_id];
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  addMessage(
    chat: ChatState,
    fromBot: boolean,
    method: string,
    content: Partial<Message>,
    extra: Pick<StoredMessage, "html" | "replyMarkup" | "media" | "invoice"> = {},
    sender?: User,
  ): StoredMessage {
    const replyMarkup = extra.replyMarkup;
    const from = fromBot ? this.bot : sender ?? chat.user?.info;
    if (!from) throw new Error("FakeTelegram: a group message needs its sender");
    const message: ChatMessage = compact({
      ...content,
      message_id: chat.nextMessageId++,
      from,
      chat: chat.chat,
      date: nowSeconds(),
      reply_markup: replyMarkup && "inline_keyboard" in replyMarkup ? replyMarkup : undefined,
    });
    const stored: StoredMessage = compact({
      message,
      fromBot,
      method,
      ...extra,
      history: [] as MessageVersion[],
      deleted: false,
    });
    stored.history.push(versionOf(stored, method));
    chat.messages.set(message.message_id, stored);
    return stored;
  }

  /** A message one user sent into their private chat with another (through inline mode). */
  addUserChatMessage(
    fromId: number,
    toId: number,
    content: Partial<Message>,
    replyMarkup: InlineKeyboardMarkup | undefined,
  ): void {
    const key = userChatKey(fromId, toId);
    let chat = this.userChats.get(key);
    if (!chat) this.userChats.set(key, chat = { nextMessageId: 1, messages: [] });
    const from = this.chats.get(fromId)!.user!.info;
    chat.messages.push({
      fromId,
      message: compact({
        ...content,
        message_id: chat.nextMessageId++,
        from,
        date: nowSeconds(),
        reply_markup: replyMarkup,
      }) as Omit<Message, "chat">,
    });
    this.changed.notify();
  }

  /** The message a send replies to, if reply_parameters or reply_to_message_id name one. */
  replyTarget(req: ApiRequest, chat: ChatState): Message["reply_to_message"] {
    const params = req.json("reply_parameters", "can't parse reply parameters JSON object");
    const id = isRecord(params) && typeof params.message_id === "number"
      ? params.message_id
      : req.int("reply_to_message_id");
    if (id === undefined) return undefined;
    const target = chat.messages.get(id);
    if (!target || target.deleted) {
      const allowMissing = req.bool("allow_sending_without_reply") ||
        (isRecord(params) && params.allow_sending_without_reply === true);
      if (allowMissing) return undefined;
      throw badRequest("message to be replied not found");
    }
    // Telegram does not nest replies further.
    return { ...structuredClone(target.message), reply_to_message: undefined };
  }

  #newFile(
    kind: FileKind,
    diskPath: string,
    size: number,
    fileName?: string,
    mimeType?: string,
  ): StoredFile {
    const n = this.nextId();
    const body = new Uint8Array(36);
    const view = new DataView(body.buffer);
    view.setUint32(0, n);
    view.setUint32(4, this.bot.id >>> 0);
    for (let i = 8; i < body.length; i++) body[i] = Math.floor(this.#random() * 256);
    const ext = extensionOf(fileName) ??
      (kind === "photo" || kind === "thumbnail" ? "jpg" : kind === "video" ? "mp4" : "dat");
    const file: StoredFile = compact({
      kind,
      file_id: FILE_ID_PREFIX[kind] + base64url(body),
      file_unique_id: (kind === "photo" ? "AQAD" : "AgAD") + base64url(body.subarray(0, 9)),
      diskPath,
      size,
      filePath: `${FILE_PATH_DIR[kind]}/file_${n}.${ext}`,
      fileName,
      mimeType,
    });
    this.files.set(file.file_id, file);
    this.filesByPath.set(file.filePath, file);
    return file;
  }

  /** Moves an upload into the store. */
  async storeUpload(req: ApiRequest, upload: Upload, kind: FileKind): Promise<StoredFile> {
    req.claim(upload);
    const diskPath = `${this.dir}/files/${this.nextId()}`;
    await Deno.rename(upload.path, diskPath);
    const mimeType = guessMimeType(upload.fileName, upload.contentType);
    return this.#newFile(kind, diskPath, upload.size, upload.fileName, mimeType);
  }

  storeBytesSync(bytes: Uint8Array, kind: FileKind, fileName: string, mime: string): StoredFile {
    const diskPath = `${this.dir}/files/${this.nextId()}`;
    Deno.writeFileSync(diskPath, bytes);
    return this.#newFile(kind, diskPath, bytes.length, fileName, mime);
  }

  /** The sizes Telegram would list for a photo; all of them share the stored bytes. */
  photoSizes(file: StoredFile, width: number, height: number): PhotoSize[] {
    const longest = Math.max(width, height);
    const sizes: PhotoSize[] = [];
    for (const limit of [90, 320, 800, 1280]) {
      if (longest <= limit) break;
      const scale = limit / longest;
      const extra = this.#newFile("photo", file.diskPath, file.size, file.fileName, file.mimeType);
      sizes.push({
        file_id: extra.file_id,
        file_unique_id: extra.file_unique_id,
        width: Math.max(1, Math.round(width * scale)),
        height: Math.max(1, Math.round(height * scale)),
        file_size: file.size,
      });
    }
    const scale = Math.min(1, 2560 / longest);
    sizes.push({
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width: Math.round(width * scale),
      height: Math.round(height * scale),
      file_size: file.size,
    });
    for (const size of sizes) {
      const stored = this.files.get(size.file_id);
      if (stored) stored.photo = sizes;
    }
    return sizes;
  }

  callbackQueryId(): string {
    return (BigInt(this.bot.id) * 1_000_000_000n + BigInt(this.nextId())).toString();
  }
}

function versionOf(stored: StoredMessage, method: string): MessageVersion {
  const m = stored.message;
  return compact({
    method,
    date: m.edit_date ?? m.date,
    text: m.text,
    caption: m.caption,
    html: stored.html,
    entities: m.entities ?? m.caption_entities,
    reply_markup: m.reply_markup ? structuredClone(m.reply_markup) : undefined,
  });
}

function botMessageOf(stored: StoredMessage): BotMessage {
  const copy = structuredClone(stored);
  return compact({
    chatId: copy.message.chat.id,
    messageId: copy.message.message_id,
    method: copy.method,
    message: copy.message,
    text: copy.message.text,
    caption: copy.message.caption,
    html: copy.html,
    replyMarkup: copy.replyMarkup,
    media: copy.media,
    invoice: copy.invoice,
    history: copy.history,
    deleted: copy.deleted,
  });
}

// ---------------------------------------------------------------------------
// Fake users
// ---------------------------------------------------------------------------

class FakeUserImpl implements FakeUser {
  readonly info: User;
  readonly chat: Chat.PrivateChat;
  blocked = false;

  constructor(
    readonly id: number,
    private readonly state: State,
    opts: FakeUserOptions,
  ) {
    const firstName = opts.firstName ?? "Test";
    this.info = compact({
      id,
      is_bot: false,
      first_name: firstName,
      last_name: opts.lastName,
      username: opts.username,
      language_code: opts.languageCode,
    });
    this.chat = compact({
      id,
      type: "private" as const,
      first_name: firstName,
      last_name: opts.lastName,
      username: opts.username,
    });
  }

  #chatState(): ChatState {
    const chat = this.state.chats.get(this.id);
    if (!chat) throw new Error(`FakeTelegram: no chat for user ${this.id}`);
    return chat;
  }

  sendText(text: string): Update {
    const entities = detectEntities(text);
    const stored = this.state.addMessage(this.#chatState(), false, "user", {
      text,
      entities: entities.length ? entities : undefined,
    });
    return this.state.enqueue({ message: structuredClone(stored.message) });
  }

  sendDocument(input: SendDocumentInput): Update {
    const file = this.state.storeBytesSync(
      input.bytes,
      "document",
      input.fileName,
      input.mimeType,
    );
    file.document = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      file_name: input.fileName,
      mime_type: input.mimeType,
      file_size: input.bytes.length,
    };
    const stored = this.state.addMessage(this.#chatState(), false, "user", {
      document: file.document,
      caption: input.caption,
    });
    return this.state.enqueue({ message: structuredClone(stored.message) });
  }

  pressButton(ref: MessageRef, callbackData: string): Update {
    const stored = this.state.findMessage(ref);
    if (!stored || stored.deleted) {
      throw new Error(`pressButton: message ${JSON.stringify(ref)} does not exist (any more)`);
    }
    const where = this.state.chats.get(stored.message.chat.id);
    if (where?.group && !where.group.members.has(this.id)) {
      throw new Error(`pressButton: user ${this.id} cannot see chat ${stored.message.chat.id}`);
    }
    const buttons = stored.message.reply_markup?.inline_keyboard.flat() ?? [];
    const data = buttons.flatMap((button) =>
      "callback_data" in button ? [button.callback_data] : []
    );
    if (!data.includes(callbackData)) {
      throw new Error(
        `pressButton: message ${stored.message.message_id} has no button with callback_data ` +
          `${JSON.stringify(callbackData)}; its buttons have ${JSON.stringify(data)}`,
      );
    }
    return this.#callbackQuery(stored, callbackData);
  }

  pressForgedButton(ref: MessageRef, callbackData: string): Update {
    const stored = this.state.findMessage(ref);
    if (!stored || stored.deleted || !stored.message.reply_markup) {
      throw new Error(`pressForgedButton: message ${JSON.stringify(ref)} has no inline keyboard`);
    }
    const where = this.state.chats.get(stored.message.chat.id);
    if (where?.group && !where.group.members.has(this.id)) {
      throw new Error(
        `pressForgedButton: user ${this.id} cannot see chat ${stored.message.chat.id}`,
      );
    }
    if (new TextEncoder().encode(callbackData).length > 64) {
      throw new Error("pressForgedButton: Telegram refuses callback data over 64 bytes");
    }
    return this.#callbackQuery(stored, callbackData);
  }

  #callbackQuery(stored: StoredMessage, callbackData: string): Update {
    const id = this.state.callbackQueryId();
    this.state.callbackQueries.set(id, { data: callbackData });
    const query: CallbackQuery = {
      id,
      from: this.info,
      message: structuredClone(stored.message),
      chat_instance: String(-(this.id * 7919 + 104729)),
      data: callbackData,
    };
    return this.state.enqueue({ callback_query: query });
  }

  pressSwitchInlineButton(ref: MessageRef, buttonText: string, into?: FakeUser): Update {
    const stored = this.state.findMessage(ref);
    if (!stored || stored.deleted) {
      throw new Error(
        `pressSwitchInlineButton: message ${JSON.stringify(ref)} does not exist (any more)`,
      );
    }
    const button = stored.message.reply_markup?.inline_keyboard.flat().find((b) =>
      b.text === buttonText && "switch_inline_query" in b
    );
    if (!button || !("switch_inline_query" in button)) {
      throw new Error(
        `pressSwitchInlineButton: message ${stored.message.message_id} has no switch_inline_query ` +
          `button ${JSON.stringify(buttonText)}`,
      );
    }
    return this.sendInlineQuery(button.switch_inline_query, into);
  }

  sendInlineQuery(query: string, into?: FakeUser, offset = ""): Update {
    if (!this.state.inlineMode) {
      throw new Error("sendInlineQuery: the bot has no inline mode (@BotFather's /setinline)");
    }
    if (query.length > INLINE_QUERY_MAX_LENGTH) {
      throw new Error(`sendInlineQuery: a query has at most ${INLINE_QUERY_MAX_LENGTH} characters`);
    }
    if (into && !this.state.chats.has(into.id)) {
      throw new Error(`sendInlineQuery: user ${into.id} is not a user of this fake`);
    }
    const id = this.state.callbackQueryId();
    this.state.inlineQueries.set(id, {
      userId: this.id,
      query,
      into: into?.id,
      time: Date.now(),
    });
    return this.state.enqueue({
      inline_query: {
        id,
        from: this.info,
        query,
        offset,
        chat_type: into ? "private" : "sender",
      },
    });
  }

  chooseInlineResult(inlineQueryId: string, resultId: string): Update | undefined {
    const query = this.state.inlineQueries.get(inlineQueryId);
    if (!query || query.userId !== this.id) {
      throw new Error(`chooseInlineResult: user ${this.id} sent no inline query ${inlineQueryId}`);
    }
    const result = query.results?.get(resultId);
    if (!result) {
      throw new Error(
        `chooseInlineResult: the answer to ${inlineQueryId} has no result ${resultId}` +
          (query.results ? "" : " (it was not answered)"),
      );
    }
    if (!result.content) {
      throw new Error(`chooseInlineResult: the fake does not send results like ${resultId}`);
    }
    const content = { ...structuredClone(result.content), via_bot: this.state.bot };
    if (query.into === undefined) {
      // in the bot's own chat, the bot receives the message like any other
      const stored = this.state.addMessage(this.#chatState(), false, "user", content, {
        html: result.html,
        replyMarkup: result.replyMarkup,
      });
      this.state.enqueue({ message: structuredClone(stored.message) });
    } else this.state.addUserChatMessage(this.id, query.into, content, result.replyMarkup);
    if (!this.state.inlineFeedback) return undefined;
    return this.state.enqueue({
      chosen_inline_result: compact({
        result_id: resultId,
        from: this.info,
        query: query.query,
        // Telegram names the sent message only when it has a keyboard the bot may edit
        inline_message_id: result.replyMarkup
          ? `AgAAA${this.state.nextId().toString(36).padStart(10, "0")}`
          : undefined,
      }),
    });
  }

  payInvoice(ref: MessageRef): Update {
    const stored = this.state.findMessage(ref);
    if (!stored?.invoice || stored.deleted) {
      throw new Error(`payInvoice: message ${JSON.stringify(ref)} is not an invoice`);
    }
    const { currency, prices, payload } = stored.invoice;
    const total = prices.reduce((sum, price) => sum + price.amount, 0);
    const id = this.state.callbackQueryId();
    this.state.preCheckoutQueries.set(id, { userId: this.id, currency, total, payload });
    return this.state.enqueue({
      pre_checkout_query: {
        id,
        from: this.info,
        currency,
        total_amount: total,
        invoice_payload: payload,
      },
    });
  }

  sendUpdate(update: Partial<Update> | Record<string, unknown>): Update {
    return this.state.enqueue(update);
  }

  block(): void {
    this.blocked = true;
  }

  unblock(): void {
    this.blocked = false;
  }
}

class FakeGroupImpl implements FakeGroup {
  readonly chat: Chat.GroupChat | Chat.SupergroupChat;
  readonly #state: GroupState;

  constructor(
    readonly id: number,
    private readonly state: State,
    opts: FakeGroupOptions,
  ) {
    const title = opts.title ?? "Test group";
    this.chat = opts.type === "supergroup"
      ? { id, type: "supergroup", title }
      : { id, type: "group", title };
    this.#state = {
      members: new Set((opts.members ?? []).map((member) => member.id)),
      botStatus: "left",
    };
    state.chats.set(id, {
      group: this.#state,
      chat: this.chat,
      nextMessageId: 1,
      messages: new Map(),
    });
  }

  #chatState(): ChatState {
    return this.state.chats.get(this.id)!;
  }

  sendText(member: FakeUser, text: string, replyTo?: MessageRef): Message {
    if (!this.#state.members.has(member.id)) {
      throw new Error(`group.sendText: user ${member.id} is not a member of group ${this.id}`);
    }
    const target = replyTo ? this.state.findMessage(replyTo) : undefined;
    if (replyTo && (!target || target.deleted || target.message.chat.id !== this.id)) {
      throw new Error(`group.sendText: no message ${JSON.stringify(replyTo)} in group ${this.id}`);
    }
    const entities = detectEntities(text);
    const stored = this.state.addMessage(
      this.#chatState(),
      false,
      "user",
      {
        text,
        entities: entities.length ? entities : undefined,
        reply_to_message: target
          ? { ...structuredClone(target.message), reply_to_message: undefined }
          : undefined,
      },
      {},
      member.info,
    );
    const command = entities[0]?.type === "bot_command";
    // privacy mode: commands and replies to the bot, and nothing while the bot is not there
    if (this.#state.botStatus === "member" && (command || target?.fromBot)) {
      this.state.enqueue({ message: structuredClone(stored.message) });
    }
    return structuredClone(stored.message);
  }

  addBot(by: FakeUser): Update {
    return this.#botStatus(by, "member");
  }

  removeBot(by: FakeUser, status: "kicked" | "left" = "kicked"): Update {
    return this.#botStatus(by, status);
  }

  #botStatus(by: FakeUser, status: GroupState["botStatus"]): Update {
    const old = this.#state.botStatus;
    this.#state.botStatus = status;
    const member = (value: GroupState["botStatus"]) =>
      value === "kicked" ? { status: value, user: this.state.bot, until_date: 0 } : {
        status: value,
        user: this.state.bot,
      };
    return this.state.enqueue({
      my_chat_member: {
        chat: this.chat,
        from: by.info,
        date: nowSeconds(),
        old_chat_member: member(old),
        new_chat_member: member(status),
      },
    });
  }
}

// ---------------------------------------------------------------------------
// Bot API methods
// ---------------------------------------------------------------------------

type Handler = (req: ApiRequest) => unknown;

function formatted(
  req: ApiRequest,
  field: "text" | "caption",
  entitiesField: "entities" | "caption_entities",
): (FormattedText & { html?: string }) | undefined {
  const raw = req.str(field);
  if (raw === undefined) return undefined;
  return formatText(
    raw,
    req.str("parse_mode"),
    () => req.json(entitiesField, `can't parse ${entitiesField} JSON object`),
    entitiesField,
  );
}

/** A text or caption as Telegram stores it, from its parse_mode or its entities. */
function formatText(
  raw: string,
  parseMode: string | undefined,
  entitiesOf: () => unknown,
  entitiesField: string,
): FormattedText & { html?: string } {
  const mode = (parseMode ?? "").toLowerCase();
  let parsed: FormattedText;
  if (mode === "html") parsed = parseHtml(raw);
  else if (mode === "") {
    const entities = entitiesOf() ?? [];
    if (!Array.isArray(entities)) throw badRequest(`can't parse ${entitiesField} JSON object`);
    parsed = { text: raw, entities: entities as MessageEntity[] };
  } else if (mode === "markdown" || mode === "markdownv2") parsed = { text: raw, entities: [] };
  else throw badRequest("unsupported parse_mode");
  return { ...trimFormatted(parsed), html: mode === "html" ? raw : undefined };
}

function requireText(req: ApiRequest): FormattedText & { html?: string } {
  const text = formatted(req, "text", "entities");
  if (!text || text.text === "") throw badRequest("message text is empty");
  if (text.text.length > TEXT_LIMIT) throw badRequest("message is too long");
  return text;
}

function optionalCaption(req: ApiRequest): (FormattedText & { html?: string }) | undefined {
  const caption = formatted(req, "caption", "caption_entities");
  if (caption && caption.text.length > CAPTION_LIMIT) {
    throw badRequest("message caption is too long");
  }
  return caption;
}

const nonEmpty = <T>(items: T[] | undefined) => items?.length ? items : undefined;

const BUTTON_ACTIONS = [
  "callback_data",
  "url",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

function validUrl(url: string): boolean {
  for (const candidate of [url, `http://${url}`]) {
    try {
      const parsed = new URL(candidate);
      if (parsed.protocol === "tg:") return true;
      if (/^https?:$/.test(parsed.protocol) && parsed.hostname.includes(".")) return true;
      if (/^https?:$/.test(parsed.protocol) && parsed.hostname === "localhost") return true;
    } catch {
      // try the next form
    }
  }
  return false;
}

function parseInlineKeyboard(rows: unknown): InlineKeyboardMarkup | undefined {
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest(
      'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
    );
  }
  const buttonError = (what: string) => badRequest(`can't parse inline keyboard button: ${what}`);
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      if (!isRecord(button)) throw buttonError("InlineKeyboardButton must be an Object");
      if (typeof button.text !== "string") throw buttonError('Field "text" must be of type String');
      if (!BUTTON_ACTIONS.some((key) => key in button)) {
        throw buttonError("Text buttons are unallowed in the inline keyboard");
      }
      if ("callback_data" in button) {
        if (typeof button.callback_data !== "string") {
          throw buttonError('Field "callback_data" must be of type String');
        }
        const bytes = utf8Length(button.callback_data);
        if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
      }
      for (const field of ["switch_inline_query", "switch_inline_query_current_chat"]) {
        if (field in button && typeof button[field] !== "string") {
          throw buttonError(`Field "${field}" must be of type String`);
        }
      }
      if ("url" in button && (typeof button.url !== "string" || !validUrl(button.url))) {
        throw badRequest(`inline keyboard button URL '${button.url}' is invalid: Wrong HTTP URL`);
      }
    }
  }
  // Telegram drops empty rows; an empty keyboard means no keyboard.
  const kept = (rows as InlineKeyboardButton[][]).filter((row) => row.length > 0);
  return kept.length ? { inline_keyboard: kept } : undefined;
}

function parseReplyMarkup(req: ApiRequest): ReplyMarkup | undefined {
  const error = "can't parse reply keyboard markup JSON object";
  const value = req.json("reply_markup", error);
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw badRequest(error);
  if ("inline_keyboard" in value) return parseInlineKeyboard(value.inline_keyboard);
  if (Array.isArray(value.keyboard) || value.remove_keyboard === true || value.force_reply) {
    return value as unknown as ReplyMarkup;
  }
  throw badRequest(error);
}

function editMarkup(req: ApiRequest): InlineKeyboardMarkup | undefined {
  const markup = parseReplyMarkup(req);
  if (markup && !("inline_keyboard" in markup)) throw badRequest("inline keyboard expected");
  return markup;
}

function editTarget(state: State, req: ApiRequest): StoredMessage {
  if (req.str("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const chat = state.chatFor(req);
  const id = req.int("message_id");
  if (id === undefined) throw badRequest("message identifier is not specified");
  const stored = chat.messages.get(id);
  if (!stored || stored.deleted) throw badRequest("message to edit not found");
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return stored;
}

/** Applies an edit unless it changes nothing, records the new version and returns the message. */
function applyEdit(
  stored: StoredMessage,
  method: string,
  change: { field?: "text" | "caption"; content?: FormattedText & { html?: string } },
  markup: InlineKeyboardMarkup | undefined,
): Message {
  const m = stored.message;
  const entitiesKey = change.field === "caption" ? "caption_entities" : "entities";
  const before = JSON.stringify([
    change.field ? m[change.field] ?? "" : "",
    change.field ? m[entitiesKey] ?? [] : [],
    m.reply_markup ?? null,
  ]);
  const after = JSON.stringify([
    change.field ? change.content?.text ?? "" : "",
    change.field ? change.content?.entities ?? [] : [],
    markup ?? null,
  ]);
  if (before === after) throw badRequest(NOT_MODIFIED);
  if (change.field) {
    const text = change.content?.text || undefined;
    if (change.field === "text") m.text = text;
    else m.caption = text;
    m[entitiesKey] = nonEmpty(change.content?.entities);
    stored.html = change.content?.html;
  }
  m.reply_markup = markup;
  m.edit_date = nowSeconds();
  stored.message = compact(m);
  stored.replyMarkup = markup;
  if (stored.html === undefined) delete stored.html;
  if (stored.replyMarkup === undefined) delete stored.replyMarkup;
  stored.history.push(versionOf(stored, method));
  return structuredClone(stored.message);
}

type ResolvedInput =
  | { type: "existing"; file: StoredFile }
  | { type: "new"; upload: Upload; source: "upload" | "url" | "path"; url?: string };

async function fetchToUpload(
  state: State,
  req: ApiRequest,
  url: string,
  kind: MediaKind,
): Promise<Upload> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), URL_FETCH_TIMEOUT_MS);
  const signal = AbortSignal.any([req.signal, timeout.signal]);
  const path = `${state.dir}/uploads/${state.nextId()}`;
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: "follow" });
    } catch {
      throw badRequest(URL_FAILED);
    }
    try {
      if (!response.ok || !response.body) throw badRequest(URL_FAILED);
      const type = response.headers.get("content-type") ?? "";
      if (kind === "photo" && type && !type.startsWith("image/")) {
        throw badRequest("wrong type of the web page content");
      }
      const limit = kind === "photo" ? URL_PHOTO_LIMIT : URL_FILE_LIMIT;
      let size: number | undefined;
      try {
        size = await streamToFile(response.body, path, limit);
      } catch {
        await removeQuietly(path);
        throw badRequest(URL_FAILED);
      }
      if (size === undefined) throw badRequest(URL_FAILED);
      const last = new URL(url).pathname.split("/").pop() ?? "";
      let name = last;
      try {
        name = decodeURIComponent(last);
      } catch {
        // keep it encoded
      }
      const upload: Upload = {
        part: `\0url:${kind}`,
        fileName: name || `file.${kind === "photo" ? "jpg" : "dat"}`,
        contentType: type || undefined,
        path,
        size,
      };
      // Registered like a part so the request's cleanup removes it if the call fails.
      req.uploads.set(upload.part, upload);
      return upload;
    } finally {
      if (response.body && !response.bodyUsed) await response.body.cancel().catch(() => {});
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A response whose body fails at once: the connection ends before the answer is complete. */
function droppedConnection(): Response {
  return new Response(
    new ReadableStream({ start: (controller) => controller.error(new Error("answer dropped")) }),
  );
}

/** How a local-mode server recognises a path (telegram-bot-api's Client::get_input_file). */
const FILE_URI_PREFIX = "file:/";

/**
 * The path a `file://` URI names, decoded as the server does: the scheme's slash and an empty or
 * `localhost` authority dropped, then %XX escapes decoded (a `+` stays a `+`).
 */
function localFilePath(uri: string): string {
  let rest = uri.slice(FILE_URI_PREFIX.length);
  if (rest.startsWith("/")) rest = rest.slice(rest.startsWith("/localhost") ? 10 : 1);
  const bytes: number[] = [];
  for (let i = 0; i < rest.length; i++) {
    const escape = /^%[0-9a-f]{2}$/i.test(rest.slice(i, i + 3));
    if (escape) {
      bytes.push(parseInt(rest.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(rest[i]));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * A file a local-mode server reads itself, kept in the store like an upload: the server reads it
 * in place and duplicates nothing, so the store holds a hard link (a copy across filesystems).
 * Without local mode the URI is no file_id and no HTTP URL; a path outside the folders the server
 * sees, or no regular file, fails as the server's realpath and open fail.
 */
async function localFileToUpload(
  state: State,
  req: ApiRequest,
  uri: string,
  part: string,
): Promise<Upload> {
  if (!state.local) throw badRequest(state.pathRefusal);
  const path = localFilePath(uri);
  const unreadable = badRequest(`realpath failed for "${path}"`);
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    throw unreadable;
  }
  const inside = state.local.readable.some((dir) => real.startsWith(`${dir}/`));
  if (!inside || !(await Deno.stat(real)).isFile) throw unreadable;
  const upload: Upload = {
    part: `\0path:${part}`,
    fileName: path.slice(path.lastIndexOf("/") + 1),
    path: `${state.dir}/uploads/${state.nextId()}`,
    size: 0,
  };
  // registered like a part, so the request's cleanup removes the copy if the call fails
  req.uploads.set(upload.part, upload);
  await Deno.link(real, upload.path).catch(() => Deno.copyFile(real, upload.path));
  upload.size = (await Deno.stat(upload.path)).size;
  return upload;
}

/** A media call's thumbnail: uploaded, or in local mode a `file://` URI. */
async function thumbnailInput(state: State, req: ApiRequest): Promise<Upload | undefined> {
  const value = req.params.thumbnail;
  if (typeof value === "string" && value.startsWith(FILE_URI_PREFIX)) {
    return await localFileToUpload(state, req, value, "thumbnail");
  }
  return req.upload("thumbnail");
}

/** Finds the file of a send call: an upload, a known file_id, an http(s) URL or a local path. */
async function resolveInput(
  state: State,
  req: ApiRequest,
  kind: MediaKind,
): Promise<ResolvedInput> {
  const value = req.params[kind];
  let upload = req.upload(kind);
  let source: "upload" | "url" | "path" = "upload";
  let url: string | undefined;
  if (!upload) {
    if (typeof value !== "string" || value.trim() === "") {
      throw badRequest(`there is no ${kind} in the request`);
    }
    if (value.startsWith("attach://")) throw badRequest(WRONG_FILE_ID);
    if (value.startsWith(FILE_URI_PREFIX)) {
      upload = await localFileToUpload(state, req, value, kind);
      source = "path";
    } else if (/^https?:\/\//i.test(value)) {
      upload = await fetchToUpload(state, req, value, kind);
      source = "url";
      url = value;
    } else {
      const file = state.files.get(value.trim());
      if (!file) throw badRequest(WRONG_FILE_ID);
      if (file.kind !== kind) throw badRequest("type of file mismatch");
      return { type: "existing", file };
    }
  }
  if (upload.size === 0) throw badRequest("file must be non-empty");
  if (kind === "photo" && upload.size > UPLOAD_PHOTO_LIMIT) {
    throw badRequest("PHOTO_SAVE_FILE_INVALID");
  }
  if (kind === "photo") {
    const size = await imageSize(upload.path);
    if (!size) throw badRequest("IMAGE_PROCESS_FAILED");
    const ratio = Math.max(size.width, size.height) /
      Math.max(1, Math.min(size.width, size.height));
    if (size.width + size.height > 10_000 || ratio > 20) {
      throw badRequest("PHOTO_INVALID_DIMENSIONS");
    }
  }
  return { type: "new", upload, source, url };
}

const GROUP_ITEM_FIELDS = [
  "caption",
  "parse_mode",
  "caption_entities",
  "show_caption_above_media",
  "has_spoiler",
  "width",
  "height",
  "duration",
  "supports_streaming",
  "performer",
  "title",
  "thumbnail",
];

/**
 * An album: 2–10 items, photos and videos mixed or documents (or audio) alone, each by upload
 * (attach://), file_id or URL, each with its own caption. Every item is checked before any is
 * sent, so a refused album leaves no message; the messages share one media_group_id.
 */
async function sendMediaGroup(state: State, req: ApiRequest): Promise<Message[]> {
  state.chatFor(req, true);
  const media = req.json("media", "can't parse media JSON object");
  if (!Array.isArray(media)) throw badRequest("can't parse media JSON object");
  if (media.length < MEDIA_GROUP_MIN || media.length > MEDIA_GROUP_MAX) {
    throw badRequest("wrong number of media in the media group: must be between 2 and 10");
  }
  const items = media.map((item, index) => {
    if (!item || typeof item !== "object") throw badRequest("can't parse InputMedia JSON object");
    const { type, media: file } = item as Record<string, unknown>;
    if (type !== "photo" && type !== "video" && type !== "document" && type !== "audio") {
      throw badRequest(`media #${index + 1} has unsupported type`);
    }
    const params: Record<string, unknown> = {
      chat_id: req.params.chat_id,
      reply_parameters: req.params.reply_parameters,
      [type]: file,
    };
    for (const field of GROUP_ITEM_FIELDS) {
      const value = (item as Record<string, unknown>)[field];
      params[field] = typeof value === "object" && value !== null ? JSON.stringify(value) : value;
    }
    return { kind: type as MediaKind, req: req.withParams(params) };
  });
  const kinds = new Set(items.map((item) => item.kind));
  const alone = ["document", "audio"].find((kind) => kinds.has(kind as MediaKind));
  if (alone && kinds.size > 1) throw badRequest(`${alone} can't be mixed with other media types`);
  for (const item of items) {
    optionalCaption(item.req);
    await resolveInput(state, item.req, item.kind);
  }
  const groupId = String(state.nextId());
  const sent: Message[] = [];
  for (const item of items) {
    sent.push(await sendMedia(state, item.req, item.kind, "sendMediaGroup", groupId));
  }
  return sent;
}

async function sendMedia(
  state: State,
  req: ApiRequest,
  kind: MediaKind,
  method: string,
  mediaGroupId?: string,
) {
  const chat = state.chatFor(req, true);
  const caption = optionalCaption(req);
  const replyMarkup = parseReplyMarkup(req);
  const replyTo = state.replyTarget(req, chat);
  const input = await resolveInput(state, req, kind);
  const thumbUpload = kind === "photo" ? undefined : await thumbnailInput(state, req);
  const thumbSize = thumbUpload && thumbUpload.size > 0
    ? await imageSize(thumbUpload.path)
    : undefined;

  // Nothing below rejects the call, so a failed call leaves no trace.
  let file: StoredFile;
  if (input.type === "existing") file = input.file;
  else {
    file = await state.storeUpload(req, input.upload, kind);
    if (kind === "photo") {
      const size = await imageSize(file.diskPath);
      state.photoSizes(file, size?.width ?? 1, size?.height ?? 1);
    } else {
      let thumbnail: PhotoSize | undefined;
      if (thumbUpload && thumbUpload.size > 0) {
        const thumb = await state.storeUpload(req, thumbUpload, "thumbnail");
        thumbnail = {
          file_id: thumb.file_id,
          file_unique_id: thumb.file_unique_id,
          width: thumbSize?.width ?? 320,
          height: thumbSize?.height ?? 320,
          file_size: thumb.size,
        };
      }
      const common = {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_name: file.fileName,
        mime_type: file.mimeType,
        file_size: file.size,
        thumbnail,
      };
      if (kind === "video") {
        file.video = compact({
          ...common,
          width: req.int("width") ?? 0,
          height: req.int("height") ?? 0,
          duration: req.int("duration") ?? 0,
        });
      } else if (kind === "audio") {
        file.audio = compact({
          ...common,
          duration: req.int("duration") ?? 0,
          performer: req.str("performer"),
          title: req.str("title"),
        });
      } else file.document = compact(common);
    }
  }
  const content: Partial<Message> = {
    media_group_id: mediaGroupId,
    caption: caption?.text || undefined,
    caption_entities: nonEmpty(caption?.entities),
    reply_to_message: replyTo,
    has_protected_content: req.bool("protect_content") || undefined,
    show_caption_above_media: req.bool("show_caption_above_media") || undefined,
  };
  let details: { width?: number; height?: number; duration?: number } = {};
  if (kind === "photo" && file.photo) {
    content.photo = structuredClone(file.photo);
    const largest = file.photo[file.photo.length - 1];
    details = { width: largest.width, height: largest.height };
  } else if (kind === "video" && file.video) {
    content.video = structuredClone(file.video);
    details = file.video;
  } else if (kind === "audio" && file.audio) {
    content.audio = structuredClone(file.audio);
    details = { duration: file.audio.duration };
  } else if (kind === "document" && file.document) {
    content.document = structuredClone(file.document);
  }
  if ((kind === "photo" || kind === "video") && req.bool("has_spoiler")) {
    content.has_media_spoiler = true;
  }
  const main = kind === "photo" && file.photo ? file.photo[file.photo.length - 1] : file;
  const media: MediaInfo = compact({
    kind,
    fileId: main.file_id,
    fileUniqueId: main.file_unique_id,
    fileSize: file.size,
    fileName: kind === "photo" ? undefined : file.fileName,
    mimeType: kind === "photo" ? undefined : file.mimeType,
    source: input.type === "existing" ? "file_id" as const : input.source,
    url: input.type === "new" ? input.url : undefined,
    supportsStreaming: req.bool("supports_streaming"),
    thumbnail: thumbUpload !== undefined,
    width: details.width,
    height: details.height,
    duration: details.duration,
  });
  const stored = state.addMessage(chat, true, method, content, {
    html: caption?.html,
    replyMarkup,
    media,
  });
  return structuredClone(stored.message);
}

function parseAllowedUpdates(req: ApiRequest): string[] | undefined {
  const value = req.json("allowed_updates", "can't parse allowed updates JSON object");
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw badRequest("can't parse allowed updates JSON object");
  return value.map(String);
}

async function getUpdates(state: State, req: ApiRequest): Promise<Update[]> {
  if (state.webhook) throw webhookConflict();
  const offset = req.int("offset") ?? 0;
  const limit = Math.min(100, Math.max(1, req.int("limit") ?? 100));
  const timeout = Math.max(0, req.int("timeout") ?? 0);
  const allowed = parseAllowedUpdates(req);
  if (allowed) state.allowedUpdates = allowed;
  state.confirmUpdates(offset);
  // A newer getUpdates ends the one still waiting, as on Telegram.
  if (state.poll) state.poll.terminated = true;
  const poll: Poll = { terminated: false };
  state.poll = poll;
  state.queueChanged.notify();
  try {
    const deadline = Date.now() + timeout * 1000;
    while (true) {
      if (poll.terminated) throw pollConflict();
      if (state.webhook) throw webhookConflict();
      const batch = state.pending.slice(0, limit);
      if (batch.length > 0 || state.closed || req.signal.aborted || Date.now() >= deadline) {
        return structuredClone(batch);
      }
      await state.queueChanged.wait(deadline - Date.now(), req.signal);
    }
  } finally {
    if (state.poll === poll) state.poll = undefined;
  }
}

/** The description Telegram shows for a language code, else the default one. */
function describedIn(state: State, req: ApiRequest) {
  return state.descriptions.get(req.str("language_code") ?? "") ?? state.descriptions.get("");
}

function setDescription(
  state: State,
  req: ApiRequest,
  field: "description" | "short_description",
  limit: number,
): true {
  const text = req.str(field) ?? "";
  if (text.length > limit) throw badRequest(`${field.toUpperCase()}_INVALID`);
  const languageCode = req.str("language_code") ?? "";
  if (languageCode !== "" && !/^[a-z]{2}$/.test(languageCode)) {
    throw badRequest("LANG_CODE_INVALID");
  }
  const entry = state.descriptions.get(languageCode) ?? {};
  if (field === "description") entry.description = text || undefined;
  else entry.short = text || undefined;
  state.descriptions.set(languageCode, entry);
  return true;
}

const COMMAND_SCOPES = new Set([
  "default",
  "all_private_chats",
  "all_group_chats",
  "all_chat_administrators",
  "chat",
  "chat_administrators",
  "chat_member",
]);

/** The key of a command list: its scope (checked as Telegram does) and language. */
function commandsKey(state: State, req: ApiRequest): string {
  const scope = req.json("scope", "can't parse BotCommandScope JSON object");
  if (scope !== undefined && (!isRecord(scope) || typeof scope.type !== "string")) {
    throw badRequest("can't parse BotCommandScope JSON object");
  }
  const type = scope?.type ?? "default";
  if (typeof type !== "string" || !COMMAND_SCOPES.has(type)) {
    throw badRequest("unsupported bot command scope type");
  }
  let chat = "";
  if (type.startsWith("chat")) {
    const id = Number(scope!.chat_id);
    if (!state.chats.has(id)) throw badRequest("chat not found");
    chat = `:${id}`;
  }
  const language = req.str("language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("LANGUAGE_CODE_INVALID");
  return `${type}${chat}|${language}`;
}

/** The text an inline result sends instead of its file; "other" for contents not modelled. */
function inputTextOf(value: unknown): (FormattedText & { html?: string }) | "other" | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw badRequest("can't parse input message content JSON object");
  if (!("message_text" in value)) return "other";
  if (typeof value.message_text !== "string") throw badRequest("message text is empty");
  const text = formatText(
    value.message_text,
    typeof value.parse_mode === "string" ? value.parse_mode : undefined,
    () => value.entities,
    "entities",
  );
  if (text.text === "") throw badRequest("message text is empty");
  if (text.text.length > TEXT_LIMIT) throw badRequest("message is too long");
  return text;
}

/** Checks one result of answerInlineQuery like Telegram, and works out what choosing it sends. */
function parseInlineResult(
  state: State,
  raw: unknown,
  seen: Set<string>,
): [string, InlineResultMessage] {
  if (!isRecord(raw)) throw badRequest("can't parse inline query result JSON object");
  const { type, id } = raw;
  if (typeof type !== "string" || !INLINE_RESULT_TYPES.has(type)) {
    throw badRequest("RESULT_TYPE_INVALID");
  }
  if (typeof id !== "string" || utf8Length(id) < 1 || utf8Length(id) > 64) {
    throw badRequest("RESULT_ID_INVALID");
  }
  if (seen.has(id)) throw badRequest("RESULT_ID_DUPLICATE");
  seen.add(id);
  const replyMarkup = raw.reply_markup === undefined
    ? undefined
    : parseInlineKeyboard(isRecord(raw.reply_markup) ? raw.reply_markup.inline_keyboard : null);
  const needsTitle = type === "article" || type === "video" || type === "document";
  if (needsTitle && (typeof raw.title !== "string" || raw.title === "")) {
    throw badRequest(`can't parse inline query result: Field "title" must be of type String`);
  }
  const text = inputTextOf(raw.input_message_content);
  if (type === "article" && text === undefined) throw badRequest("message text is empty");
  const kind = type as MediaKind;
  const fileId = raw[`${type}_file_id`];
  let file: StoredFile | undefined;
  if (CACHED_RESULT_KINDS.has(kind) && fileId !== undefined) {
    file = typeof fileId === "string" ? state.files.get(fileId.trim()) : undefined;
    if (!file) throw badRequest(WRONG_FILE_ID);
    if (file.kind !== kind) throw badRequest("type of file mismatch");
  }
  const caption = typeof raw.caption === "string"
    ? formatText(
      raw.caption,
      typeof raw.parse_mode === "string" ? raw.parse_mode : undefined,
      () => raw.caption_entities,
      "caption_entities",
    )
    : undefined;
  if (caption && caption.text.length > CAPTION_LIMIT) {
    throw badRequest("message caption is too long");
  }
  if (text === "other") return [id, { replyMarkup }];
  if (text) {
    return [id, {
      content: { text: text.text, entities: nonEmpty(text.entities) },
      html: text.html,
      replyMarkup,
    }];
  }
  if (!file) return [id, { replyMarkup }];
  const content: Partial<Message> = {
    caption: caption?.text || undefined,
    caption_entities: nonEmpty(caption?.entities),
  };
  if (kind === "photo") content.photo = structuredClone(file.photo);
  else if (kind === "video") content.video = structuredClone(file.video);
  else if (kind === "audio") content.audio = structuredClone(file.audio);
  else content.document = structuredClone(file.document);
  return [id, { content, html: caption?.html, replyMarkup }];
}

/** The button shown above inline results: a text, and a start parameter or a Web App. */
function checkResultsButton(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw badRequest("can't parse InlineQueryResultsButton JSON object");
  if (typeof value.text !== "string" || value.text === "") throw badRequest("BUTTON_TEXT_INVALID");
  const start = value.start_parameter;
  const startValid = typeof start === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(start);
  if (!startValid && !isRecord(value.web_app)) throw badRequest("START_PARAM_INVALID");
  return value;
}

function createMethods(state: State): Record<string, Handler> {
  return {
    getMe: () => state.bot,

    getUpdates: (req) => getUpdates(state, req),

    setWebhook: (req) => {
      const url = req.str("url") ?? "";
      const allowed = parseAllowedUpdates(req);
      const secret = req.str("secret_token");
      if (url !== "") {
        let protocol = "";
        try {
          protocol = new URL(url).protocol;
        } catch {
          // reported below
        }
        // Telegram demands HTTPS on ports 443/80/88/8443; plain http on any port is let through.
        if (protocol !== "https:" && protocol !== "http:") {
          throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
        }
        if (secret && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
          throw badRequest("secret token contains unallowed characters");
        }
      }
      if (req.bool("drop_pending_updates")) state.pending.length = 0;
      if (allowed) state.allowedUpdates = allowed;
      state.webhook = url === "" ? undefined : {
        url,
        secretToken: secret || undefined,
        maxConnections: req.int("max_connections") ?? 40,
      };
      state.lastWebhookError = undefined;
      state.queueChanged.notify();
      state.onQueue();
      return true;
    },

    deleteWebhook: (req) => {
      if (req.bool("drop_pending_updates")) state.pending.length = 0;
      state.webhook = undefined;
      state.queueChanged.notify();
      return true;
    },

    getWebhookInfo: (): WebhookInfo =>
      compact({
        url: state.webhook?.url ?? "",
        has_custom_certificate: false,
        pending_update_count: state.pending.length,
        ip_address: state.webhook ? "127.0.0.1" : undefined,
        last_error_date: state.lastWebhookError?.date,
        last_error_message: state.lastWebhookError?.message,
        max_connections: state.webhook?.maxConnections,
        allowed_updates: state.webhook && state.allowedUpdates
          ? state.allowedUpdates as WebhookInfo["allowed_updates"]
          : undefined,
      }),

    setMyCommands: (req) => {
      const commands = req.json("commands", "can't parse commands JSON object");
      if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
      if (commands.length > 100) throw badRequest("too many commands specified");
      for (const command of commands) {
        if (!isRecord(command)) throw badRequest("can't parse commands JSON object");
        if (typeof command.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command.command)) {
          throw badRequest("BOT_COMMAND_INVALID");
        }
        const description = command.description;
        if (typeof description !== "string" || description.length < 1 || description.length > 256) {
          throw badRequest("command description is empty");
        }
      }
      state.commands.set(commandsKey(state, req), commands as BotCommand[]);
      return true;
    },

    getMyCommands: (req) => state.commands.get(commandsKey(state, req)) ?? [],

    setMyDescription: (req) => setDescription(state, req, "description", 512),
    setMyShortDescription: (req) => setDescription(state, req, "short_description", 120),
    getMyDescription: (req) => ({
      description: describedIn(state, req)?.description ?? "",
    }),
    getMyShortDescription: (req) => ({
      short_description: describedIn(state, req)?.short ?? "",
    }),

    deleteMyCommands: (req) => {
      state.commands.delete(commandsKey(state, req));
      return true;
    },

    sendMessage: (req) => {
      const chat = state.chatFor(req, true);
      const text = requireText(req);
      const replyMarkup = parseReplyMarkup(req);
      const replyTo = state.replyTarget(req, chat);
      const stored = state.addMessage(chat, true, "sendMessage", {
        text: text.text,
        entities: nonEmpty(text.entities),
        reply_to_message: replyTo,
        has_protected_content: req.bool("protect_content") || undefined,
      }, { html: text.html, replyMarkup });
      return structuredClone(stored.message);
    },

    editMessageText: (req) => {
      const text = requireText(req);
      const markup = editMarkup(req);
      const stored = editTarget(state, req);
      if (stored.message.text === undefined) {
        throw badRequest("there is no text in the message to edit");
      }
      return applyEdit(stored, "editMessageText", { field: "text", content: text }, markup);
    },

    editMessageCaption: (req) => {
      const caption = optionalCaption(req);
      const markup = editMarkup(req);
      const stored = editTarget(state, req);
      if (!stored.media) throw badRequest("there is no caption in the message to edit");
      return applyEdit(
        stored,
        "editMessageCaption",
        { field: "caption", content: caption },
        markup,
      );
    },

    editMessageReplyMarkup: (req) => {
      const markup = editMarkup(req);
      const stored = editTarget(state, req);
      return applyEdit(stored, "editMessageReplyMarkup", {}, markup);
    },

    deleteMessage: (req) => {
      const chat = state.chatFor(req);
      const id = req.int("message_id");
      if (id === undefined) throw badRequest("message identifier is not specified");
      const stored = chat.messages.get(id);
      if (!stored || stored.deleted) throw badRequest("message to delete not found");
      stored.deleted = true;
      return true;
    },

    sendPhoto: (req) => sendMedia(state, req, "photo", "sendPhoto"),
    sendVideo: (req) => sendMedia(state, req, "video", "sendVideo"),
    sendAudio: (req) => sendMedia(state, req, "audio", "sendAudio"),
    sendDocument: (req) => sendMedia(state, req, "document", "sendDocument"),
    sendMediaGroup: (req) => sendMediaGroup(state, req),

    sendChatAction: (req) => {
      const chat = state.chatFor(req, true);
      const action = req.str("action") ?? "";
      if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
      state.chatActions.push({ chatId: chat.chat.id, action, time: Date.now() });
      return true;
    },

    answerCallbackQuery: (req) => {
      const id = req.str("callback_query_id") ?? "";
      const query = state.callbackQueries.get(id);
      if (!query) throw badRequest(QUERY_TOO_OLD);
      state.callbackQueries.delete(id);
      state.callbackAnswers.push(compact({
        callback_query_id: id,
        data: query.data,
        text: req.str("text"),
        show_alert: req.bool("show_alert"),
        url: req.str("url"),
        cache_time: req.int("cache_time"),
        time: Date.now(),
      }));
      return true;
    },

    answerInlineQuery: (req) => {
      const id = req.str("inline_query_id") ?? "";
      const query = state.inlineQueries.get(id);
      // a query is answered once, while the user still waits for it
      if (!query || query.results || Date.now() - query.time > state.inlineQueryTimeoutMs) {
        throw badRequest(QUERY_TOO_OLD);
      }
      const results = req.json("results", "can't parse inline query results JSON object");
      if (!Array.isArray(results)) {
        throw badRequest("can't parse inline query results JSON object");
      }
      if (results.length > INLINE_RESULTS_MAX) throw badRequest("RESULTS_TOO_MUCH");
      const seen = new Set<string>();
      const parsed = new Map(results.map((result) => parseInlineResult(state, result, seen)));
      const nextOffset = req.str("next_offset");
      if (nextOffset !== undefined && utf8Length(nextOffset) > 64) {
        throw badRequest("NEXT_OFFSET_INVALID");
      }
      const button = checkResultsButton(
        req.json("button", "can't parse InlineQueryResultsButton JSON object"),
      );
      query.results = parsed;
      state.inlineAnswers.push(compact({
        inline_query_id: id,
        query: query.query,
        results: structuredClone(results),
        cache_time: req.int("cache_time"),
        is_personal: req.bool("is_personal"),
        next_offset: nextOffset || undefined,
        button,
        time: Date.now(),
      }));
      return true;
    },

    getFile: (req): File => {
      const file = state.files.get(req.str("file_id") ?? "");
      if (!file) throw badRequest("wrong file_id or the file is temporarily unavailable");
      const answer = {
        file_id: file.file_id,
        file_unique_id: file.file_unique_id,
        file_size: file.size,
      };
      if (state.local) {
        if (file.localPathAnswer) return { ...answer, file_path: file.localPathAnswer };
        const localPath = `${state.local.dir}/${state.local.token}/${file.filePath}`;
        Deno.mkdirSync(localPath.slice(0, localPath.lastIndexOf("/")), { recursive: true });
        Deno.copyFileSync(file.diskPath, localPath);
        return { ...answer, file_path: localPath };
      }
      if (file.size > GET_FILE_LIMIT) throw badRequest("file is too big");
      return { ...answer, file_path: file.filePath };
    },

    copyMessage: (req) => {
      const chat = state.chatFor(req, true);
      const from = state.chats.get(Number(req.str("from_chat_id")));
      if (!from) throw badRequest("chat not found");
      const source = from.messages.get(req.int("message_id") ?? NaN);
      if (!source || source.deleted) throw badRequest("message to copy not found");
      const m = source.message;
      if (m.text === undefined && !m.photo && !m.video && !m.audio && !m.document) {
        throw badRequest("message can't be copied");
      }
      const caption = req.params.caption !== undefined ? optionalCaption(req) : undefined;
      const replyMarkup = parseReplyMarkup(req);
      const content: Partial<Message> = compact({
        text: m.text,
        entities: m.entities,
        photo: m.photo,
        video: m.video,
        audio: m.audio,
        document: m.document,
        caption: caption ? caption.text || undefined : m.caption,
        caption_entities: caption ? nonEmpty(caption.entities) : m.caption_entities,
        reply_to_message: state.replyTarget(req, chat),
      });
      const media = source.media ? { ...source.media, source: "file_id" as const } : undefined;
      const html = caption ? caption.html : source.html;
      const stored = state.addMessage(chat, true, "copyMessage", structuredClone(content), {
        html,
        replyMarkup,
        media,
      });
      return { message_id: stored.message.message_id };
    },

    sendInvoice: (req) => {
      const chat = state.chatFor(req, true);
      const title = req.str("title") ?? "";
      const description = req.str("description") ?? "";
      const payload = req.str("payload") ?? "";
      const currency = (req.str("currency") ?? "").toUpperCase();
      if (title.length < 1 || title.length > 32) throw badRequest("INVOICE_TITLE_INVALID");
      if (description.length < 1 || description.length > 255) {
        throw badRequest("INVOICE_DESCRIPTION_INVALID");
      }
      if (utf8Length(payload) < 1 || utf8Length(payload) > 128) {
        throw badRequest("INVOICE_PAYLOAD_INVALID");
      }
      if (!/^[A-Z]{3}$/.test(currency)) throw badRequest("CURRENCY_INVALID");
      const prices = req.json("prices", "can't parse prices JSON object");
      const valid = Array.isArray(prices) && prices.length > 0 &&
        prices.every((price) =>
          isRecord(price) && typeof price.label === "string" && Number.isInteger(price.amount)
        );
      if (!valid) throw badRequest("can't parse prices JSON object");
      const list = prices as LabeledPrice[];
      if (currency === "XTR" && list.length !== 1) throw badRequest("STARS_INVOICE_INVALID");
      const total = list.reduce((sum, price) => sum + price.amount, 0);
      if (total <= 0) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
      const replyMarkup = parseReplyMarkup(req);
      const stored = state.addMessage(chat, true, "sendInvoice", {
        invoice: {
          title,
          description,
          start_parameter: req.str("start_parameter") ?? "",
          currency,
          total_amount: total,
        },
      }, { replyMarkup, invoice: { title, description, payload, currency, prices: list } });
      return structuredClone(stored.message);
    },

    answerPreCheckoutQuery: (req) => {
      const id = req.str("pre_checkout_query_id") ?? "";
      const query = state.preCheckoutQueries.get(id);
      if (!query) throw badRequest(QUERY_TOO_OLD);
      const ok = req.bool("ok");
      const errorMessage = req.str("error_message");
      if (!ok && !errorMessage) throw badRequest("ERROR_MESSAGE_EMPTY");
      state.preCheckoutQueries.delete(id);
      state.preCheckoutAnswers.push(compact({
        pre_checkout_query_id: id,
        ok,
        error_message: ok ? undefined : errorMessage,
        time: Date.now(),
      }));
      const chat = state.chats.get(query.userId);
      if (ok && chat) {
        // Telegram then sends the payment as a service message from the user.
        const chargeId = `stxFAKE${state.nextId().toString(36).padStart(8, "0")}`;
        state.payments.set(chargeId, { ...query, refunded: false });
        const stored = state.addMessage(chat, false, "user", {
          successful_payment: {
            currency: query.currency,
            total_amount: query.total,
            invoice_payload: query.payload,
            telegram_payment_charge_id: chargeId,
            provider_payment_charge_id: chargeId,
          },
        });
        state.enqueue({ message: structuredClone(stored.message) });
      }
      return true;
    },

    refundStarPayment: (req) => {
      const userId = req.int("user_id");
      const chargeId = req.str("telegram_payment_charge_id") ?? "";
      const payment = state.payments.get(chargeId);
      if (!payment || payment.userId !== userId) throw badRequest("CHARGE_NOT_FOUND");
      if (payment.refunded) throw badRequest("CHARGE_ALREADY_REFUNDED");
      payment.refunded = true;
      state.refunds.push({
        user_id: payment.userId,
        telegram_payment_charge_id: chargeId,
        time: Date.now(),
      });
      const chat = state.chats.get(payment.userId);
      if (chat) {
        const stored = state.addMessage(chat, false, "user", {
          refunded_payment: {
            currency: payment.currency,
            total_amount: payment.total,
            invoice_payload: payment.payload,
            telegram_payment_charge_id: chargeId,
          },
        });
        state.enqueue({ message: structuredClone(stored.message) });
      }
      return true;
    },
  };
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

export class FakeTelegram {
  /** What grammY takes as `apiRoot`, e.g. `http://127.0.0.1:40123`. */
  readonly apiRoot: string;
  readonly token: string;
  /** The getMe result. */
  readonly botInfo: UserFromGetMe;

  readonly #state: State;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #methods = new Map<string, { name: string; handler: Handler }>();
  readonly #users = new Map<number, FakeUserImpl>();
  readonly #maxUploadBytes: number;
  readonly #webhookAttempts: number;
  readonly #webhookRetryDelayMs: number;
  readonly #webhookConnections: number;
  readonly #random: () => number;
  readonly #failNext = new Map<string, { times: number; failure: InjectedFailure }>();
  /** methods (lower case) whose next calls lose their answer, and how many more */
  readonly #dropAnswers = new Map<string, number>();
  readonly #failureRates = new Map<string, { probability: number; retryAfter: number }>();
  readonly #failingChats = new Map<number, InjectedFailure>();
  /** Aborted by close(): ends long polls, URL fetches and webhook deliveries. */
  readonly #closing = new AbortController();
  #delivery?: Promise<void>;
  #closed?: Promise<void>;

  private constructor(dir: string, opts: FakeTelegramOptions) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    const match = /^(\d+):[A-Za-z0-9_-]+$/.exec(this.token);
    if (!match) throw new Error(`FakeTelegram: malformed token ${JSON.stringify(this.token)}`);
    this.botInfo = {
      id: Number(match[1]),
      is_bot: true,
      first_name: "Media Test Bot",
      username: opts.botUsername ?? "MediaTestBot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: opts.inlineMode ?? true,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    this.#maxUploadBytes = opts.maxUploadBytes ?? 50 * MiB;
    this.#webhookAttempts = Math.max(1, opts.webhookAttempts ?? 3);
    this.#webhookRetryDelayMs = opts.webhookRetryDelayMs ?? 50;
    this.#webhookConnections = Math.max(1, opts.webhookConnections ?? 1);
    this.#random = seededRandom(opts.seed ?? 1);
    this.#state = new State(dir, this.botInfo, opts.seed ?? 1);
    this.#state.onQueue = () => this.#startDelivery();
    this.#state.inlineMode = opts.inlineMode ?? true;
    this.#state.inlineFeedback = opts.inlineFeedback ?? true;
    this.#state.inlineQueryTimeoutMs = opts.inlineQueryTimeoutMs ?? 10_000;
    if (opts.pathRefusal) this.#state.pathRefusal = opts.pathRefusal;
    if (opts.localDir) {
      const folders = [opts.localDir, opts.localFilesDir].filter((dir) => dir !== undefined);
      // the real server creates its working folder (--dir) when it starts
      Deno.mkdirSync(opts.localDir, { recursive: true });
      const readable = folders.map((folder) => Deno.realPathSync(folder));
      this.#state.local = { dir: opts.localDir, token: this.token, readable };
    }
    for (const [name, handler] of Object.entries(createMethods(this.#state))) {
      this.#methods.set(name.toLowerCase(), { name, handler });
    }
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.apiRoot = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const dir = await Deno.makeTempDir({ prefix: "fake-telegram-" });
    await Deno.mkdir(`${dir}/uploads`);
    await Deno.mkdir(`${dir}/files`);
    try {
      return new FakeTelegram(dir, opts);
    } catch (error) {
      await removeQuietly(dir);
      throw error;
    }
  }

  /** Stops the server, ends pending long polls and deliveries, removes the stored files. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#state.closed = true;
      this.#closing.abort();
      this.#state.queueChanged.notify();
      this.#state.changed.notify();
      await this.#delivery;
      await this.#server.shutdown();
      await removeQuietly(this.#state.dir);
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- users -----------------------------------------------------------------

  /** The user with this id (created on first use), in a private chat with the bot. */
  user(id: number, opts: FakeUserOptions = {}): FakeUser {
    let user = this.#users.get(id);
    if (!user) {
      user = new FakeUserImpl(id, this.#state, opts);
      this.#users.set(id, user);
      this.#state.chats.set(id, { user, chat: user.chat, nextMessageId: 1, messages: new Map() });
    }
    return user;
  }

  /** A group (or supergroup) with these members; the bot is not in it until `addBot`. */
  group(id: number, opts: FakeGroupOptions = {}): FakeGroup {
    if (id >= 0) throw new Error("FakeTelegram: a group's id is negative");
    if (this.#state.chats.has(id)) throw new Error(`FakeTelegram: chat ${id} exists already`);
    return new FakeGroupImpl(id, this.#state, opts);
  }

  // --- inspection ------------------------------------------------------------

  /** Every API call so far, oldest first. */
  get calls(): readonly ApiCall[] {
    return [...this.#state.calls];
  }

  callsTo(method: string): ApiCall[] {
    const lower = method.toLowerCase();
    return this.#state.calls.filter((call) => call.method.toLowerCase() === lower);
  }

  /**
   * The bot's messages in a chat, by message_id, deleted ones flagged; with `after`, only those
   * sent after that message. Each is a deep copy, so a wait that runs on every change of a long
   * chat asks for the new ones only.
   */
  messages(chatId: number, { after = 0 }: { after?: number } = {}): BotMessage[] {
    const chat = this.#state.chats.get(chatId);
    if (!chat) return [];
    const wanted: StoredMessage[] = [];
    for (const stored of chat.messages.values()) {
      if (stored.fromBot && stored.message.message_id > after) wanted.push(stored);
    }
    return wanted.map(botMessageOf);
  }

  /** The bot's latest message in a chat that is not deleted. */
  lastMessage(chatId: number): BotMessage | undefined {
    return this.messages(chatId).filter((m) => !m.deleted).at(-1);
  }

  /** Updates queued and not yet confirmed or delivered. */
  get pendingUpdates(): Update[] {
    return structuredClone(this.#state.pending);
  }

  get webhookDeliveries(): readonly WebhookDelivery[] {
    return [...this.#state.deliveries];
  }

  get callbackAnswers(): readonly CallbackAnswer[] {
    return [...this.#state.callbackAnswers];
  }

  get inlineAnswers(): readonly InlineAnswer[] {
    return structuredClone(this.#state.inlineAnswers);
  }

  /**
   * The private chat of two users as `viewerId` sees it (its id is the other user's): the
   * messages they sent there through inline mode, oldest first.
   */
  userChat(viewerId: number, otherId: number): Message[] {
    const other = this.#users.get(otherId);
    const chat = this.#state.userChats.get(userChatKey(viewerId, otherId));
    if (!other || !chat) return [];
    return chat.messages.map(({ message }) =>
      structuredClone({ ...message, chat: other.chat }) as Message
    );
  }

  get chatActions(): readonly ChatActionRecord[] {
    return [...this.#state.chatActions];
  }

  get preCheckoutAnswers(): readonly PreCheckoutAnswer[] {
    return [...this.#state.preCheckoutAnswers];
  }

  get refunds(): readonly Refund[] {
    return [...this.#state.refunds];
  }

  /** The commands set for a scope (default "default"; "chat:<id>" for one chat) and language. */
  commands(scope = "default", languageCode = ""): BotCommand[] | undefined {
    return structuredClone(this.#state.commands.get(`${scope}|${languageCode}`));
  }

  /** Where a stored file's bytes are on disk (e.g. for ffprobe). */
  filePath(fileId: string): string {
    const file = this.#state.files.get(fileId);
    if (!file) throw new Error(`FakeTelegram: unknown file_id ${fileId}`);
    return file.diskPath;
  }

  fileBytes(fileId: string): Promise<Uint8Array> {
    return Deno.readFile(this.filePath(fileId));
  }

  /** Local mode: getFile answers this path for the file, as a broken or hostile server might. */
  answerLocalPath(fileId: string, path: string): void {
    const file = this.#state.files.get(fileId);
    if (!file) throw new Error(`FakeTelegram: unknown file_id ${fileId}`);
    if (!this.#state.local) throw new Error("FakeTelegram: answerLocalPath needs localDir");
    file.localPathAnswer = path;
  }

  /**
   * Resolves with the probe's first truthy value. The probe runs now and again after every API
   * call, queued update and webhook delivery; on timeout the error lists the latest calls.
   */
  async waitFor<T>(
    probe: () => T | undefined | null | false,
    { timeoutMs = 10_000 }: WaitForOptions = {},
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const value = probe();
      if (value) return value;
      if (this.#state.closed) throw new Error("FakeTelegram.waitFor: the server was closed");
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = this.#state.calls.slice(-15).map((call) => {
          const outcome = call.ok ? "ok" : `${call.error_code} ${call.description}`;
          const params = JSON.stringify(call.params);
          return `  ${call.method} ${outcome} ${
            params.length > 200 ? params.slice(0, 200) + "…" : params
          }`;
        });
        throw new Error(
          `FakeTelegram.waitFor: timed out after ${timeoutMs} ms. Latest API calls ` +
            `(${this.#state.calls.length} in all):\n${recent.join("\n") || "  (none)"}`,
        );
      }
      await this.#state.changed.wait(left);
    }
  }

  // --- fault injection -----------------------------------------------------------

  /** The next `times` calls of `method` ("*" for any) answer `failure` and have no effect. */
  failNext(method: string, times: number, failure: InjectedFailure): void {
    this.#failNext.set(method.toLowerCase(), { times, failure });
  }

  /**
   * Calls of `method` ("*" for any without a rate of its own) answer 429 with this probability,
   * drawn from the seeded PRNG. A probability of 0 removes the rate.
   */
  setFailureRate(method: string, probability: number, retryAfterSeconds = 1): void {
    const key = method.toLowerCase();
    if (probability <= 0) this.#failureRates.delete(key);
    else this.#failureRates.set(key, { probability, retryAfter: retryAfterSeconds });
  }

  /**
   * The next `times` calls of `method` run (a message is sent), then their connection drops
   * before the answer is complete: the client cannot tell whether the call took effect.
   */
  dropAnswerOfNext(method: string, times = 1): void {
    this.#dropAnswers.set(method.toLowerCase(), times);
  }

  /** Whether this call's answer is one `dropAnswerOfNext` asked to lose. */
  #dropsAnswer(method: string): boolean {
    const key = method.toLowerCase();
    const left = this.#dropAnswers.get(key) ?? 0;
    if (left === 0) return false;
    if (left === 1) this.#dropAnswers.delete(key);
    else this.#dropAnswers.set(key, left - 1);
    return true;
  }

  /**
   * Every call about this chat (its `chat_id`) answers `failure` and has no effect, until
   * called again without one: a chat Telegram keeps refusing, e.g. under a long flood wait.
   */
  failChat(chatId: number, failure?: InjectedFailure): void {
    if (failure) this.#failingChats.set(chatId, failure);
    else this.#failingChats.delete(chatId);
  }

  #injectedFailure(method: string, chatId: unknown): ApiError | undefined {
    const chatFailure = this.#failingChats.get(Number(chatId));
    if (chatFailure) {
      const { code, description, retryAfter } = chatFailure;
      return new ApiError(
        code,
        description,
        retryAfter === undefined ? undefined : { retry_after: retryAfter },
      );
    }
    const lower = method.toLowerCase();
    for (const key of [lower, "*"]) {
      const next = this.#failNext.get(key);
      if (next && next.times > 0) {
        if (--next.times === 0) this.#failNext.delete(key);
        const { code, description, retryAfter } = next.failure;
        return new ApiError(
          code,
          description,
          retryAfter === undefined ? undefined : { retry_after: retryAfter },
        );
      }
    }
    const rate = this.#failureRates.get(lower) ?? this.#failureRates.get("*");
    if (rate && this.#random() < rate.probability) {
      return new ApiError(429, `Too Many Requests: retry after ${rate.retryAfter}`, {
        retry_after: rate.retryAfter,
      });
    }
    return undefined;
  }

  // --- HTTP ------------------------------------------------------------------

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep it encoded
    }
    try {
      const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
      if (file) return await this.#download(req, file[1], file[2]);
      const api = /^\/bot([^/]+)\/([^/]*)$/.exec(path);
      if (api) return await this.#api(req, url, api[1], api[2]);
      await drain(req.body);
      return jsonResponse(errorResponse(new ApiError(404, "Not Found")));
    } catch (error) {
      return jsonResponse(errorResponse(new ApiError(500, `Internal Server Error: ${error}`)));
    }
  }

  async #download(req: Request, token: string, filePath: string): Promise<Response> {
    await drain(req.body);
    if (token !== this.token) return jsonResponse(errorResponse(new ApiError(401, "Unauthorized")));
    const file = this.#state.local ? undefined : this.#state.filesByPath.get(filePath);
    if (!file) return jsonResponse(errorResponse(new ApiError(404, "Not Found")));
    const handle = await Deno.open(file.diskPath);
    return new Response(handle.readable, {
      headers: {
        "content-type": file.mimeType ?? "application/octet-stream",
        "content-length": String(file.size),
      },
    });
  }

  async #api(req: Request, url: URL, token: string, method: string): Promise<Response> {
    const time = Date.now();
    const entry = this.#methods.get(method.toLowerCase());
    if (token !== this.token || !entry) {
      await drain(req.body);
      const error = token !== this.token
        ? new ApiError(401, "Unauthorized")
        : new ApiError(404, "Not Found");
      return jsonResponse(this.#record(method, {}, time, errorResponse(error)));
    }
    // Not req.signal: Deno.serve aborts it after every response (and warns about that); a poll
    // left by a client that went away ends with close() or the next getUpdates, as on Telegram.
    const signal = this.#closing.signal;
    let request: ApiRequest;
    let tooLarge: boolean;
    try {
      const body = await this.#parseBody(req, url);
      request = new ApiRequest(body.params, body.uploads, signal);
      tooLarge = body.tooLarge;
    } catch (error) {
      const apiError = error instanceof ApiError
        ? error
        : badRequest(`can't read the request body: ${error}`);
      return jsonResponse(this.#record(entry.name, {}, time, errorResponse(apiError)));
    }
    try {
      const params = recordedParams(request.params, request.uploads);
      const response = tooLarge
        ? this.#record(
          entry.name,
          params,
          time,
          errorResponse(new ApiError(413, "Request Entity Too Large")),
        )
        : await this.#invoke(entry, request, params, time);
      if (this.#dropsAnswer(entry.name)) return droppedConnection();
      return jsonResponse(response);
    } finally {
      await request.cleanup();
    }
  }

  async #parseBody(
    req: Request,
    url: URL,
  ): Promise<{ params: Record<string, unknown>; uploads: Map<string, Upload>; tooLarge: boolean }> {
    const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const uploads = new Map<string, Upload>();
    const rawType = req.headers.get("content-type") ?? "";
    const type = rawType.toLowerCase();
    const fromForm = (entries: Iterable<[string, string]>) => {
      for (const [key, value] of entries) {
        params[key] = value;
        if (JSON_FIELDS.has(key) && /^\s*[[{]/.test(value)) {
          try {
            params[key] = JSON.parse(value);
          } catch {
            // left as a string; the method reports it
          }
        }
      }
    };
    if (!req.body) return { params, uploads, tooLarge: false };
    if (type.startsWith("application/json")) {
      const text = await req.text();
      if (text.trim() !== "") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw badRequest("can't parse JSON encoded request body");
        }
        if (!isRecord(parsed)) throw badRequest("JSON encoded request body must be an object");
        Object.assign(params, parsed);
      }
    } else if (type.startsWith("application/x-www-form-urlencoded")) {
      fromForm(new URLSearchParams(await req.text()));
    } else if (type.startsWith("multipart/form-data")) {
      const boundary = headerParams(rawType.slice(rawType.indexOf(";"))).get("boundary");
      if (!boundary) throw badRequest("can't parse multipart/form-data request body");
      const result = await parseMultipart(req.body, boundary, {
        maxFileBytes: this.#maxUploadBytes,
        tempPath: () => `${this.#state.dir}/uploads/${this.#state.nextId()}`,
      });
      fromForm(result.fields);
      return { params, uploads: result.uploads, tooLarge: result.tooLarge };
    } else {
      await drain(req.body);
    }
    return { params, uploads, tooLarge: false };
  }

  /** Runs a method (unless a failure is injected) and records the call. */
  async #invoke(
    entry: { name: string; handler: Handler },
    request: ApiRequest,
    params: Record<string, unknown>,
    time: number,
    viaWebhookReply?: true,
  ): Promise<ApiResponse> {
    let response: ApiResponse;
    try {
      const failure = this.#injectedFailure(entry.name, request.params.chat_id);
      if (failure) throw failure;
      response = { ok: true, result: await entry.handler(request) };
    } catch (error) {
      response = errorResponse(
        error instanceof ApiError ? error : new ApiError(
          500,
          `Internal Server Error: ${error instanceof Error ? error.stack : error}`,
        ),
      );
    }
    return this.#record(entry.name, params, time, response, viaWebhookReply);
  }

  #record(
    method: string,
    params: Record<string, unknown>,
    time: number,
    response: ApiResponse,
    viaWebhookReply?: true,
  ): ApiResponse {
    this.#state.calls.push(compact({
      method,
      params,
      ok: response.ok,
      error_code: response.ok ? undefined : response.error_code,
      description: response.ok ? undefined : response.description,
      time,
      durationMs: Date.now() - time,
      viaWebhookReply,
    }));
    this.#state.changed.notify();
    return response;
  }

  // --- webhook delivery ----------------------------------------------------------

  #startDelivery(): void {
    if (this.#delivery || !this.#state.webhook || this.#state.closed) return;
    this.#delivery = this.#deliverAll().finally(() => {
      this.#delivery = undefined;
      if (this.#state.webhook && this.#state.pending.length > 0) this.#startDelivery();
    });
  }

  /**
   * Sends queued updates while a webhook is set: up to `webhookConnections` at once, never two
   * of one user together, each user's in order.
   */
  async #deliverAll(): Promise<void> {
    const state = this.#state;
    const inFlight = new Map<Update, Promise<void>>();
    const busyUsers = new Set<number | undefined>();
    while (!state.closed) {
      const hook = state.webhook;
      if (!hook) break;
      const update = state.pending.find((candidate) =>
        !inFlight.has(candidate) && !busyUsers.has(updateSenderId(candidate))
      );
      if (!update || inFlight.size >= this.#webhookConnections) {
        if (inFlight.size === 0) break;
        // a delivery that ends, or an update of another user, may let one more go
        await Promise.race([...inFlight.values(), state.queueChanged.wait(1_000)]);
        continue;
      }
      const sender = updateSenderId(update);
      busyUsers.add(sender);
      const delivery = this.#deliver(hook, update).then((delivered) => {
        // An update that failed while the webhook was removed stays for getUpdates.
        const at = state.pending.indexOf(update);
        if ((delivered || state.webhook === hook) && at !== -1) state.pending.splice(at, 1);
      }).finally(() => {
        inFlight.delete(update);
        busyUsers.delete(sender);
      });
      inFlight.set(update, delivery);
    }
    await Promise.all(inFlight.values());
  }

  async #deliver(hook: Webhook, update: Update): Promise<boolean> {
    const state = this.#state;
    for (let attempt = 1; attempt <= this.#webhookAttempts; attempt++) {
      if (state.closed || state.webhook !== hook) return false;
      if (attempt > 1) {
        await sleep(this.#webhookRetryDelayMs, this.#closing.signal);
        if (state.closed || state.webhook !== hook) return false;
      }
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), WEBHOOK_TIMEOUT_MS);
      let status = 0;
      let error: string | undefined;
      let reply = "";
      try {
        const response = await fetch(hook.url, {
          method: "POST",
          headers: hook.secretToken
            ? {
              "content-type": "application/json",
              "x-telegram-bot-api-secret-token": hook.secretToken,
            }
            : { "content-type": "application/json" },
          body: JSON.stringify(update),
          signal: AbortSignal.any([this.#closing.signal, timeout.signal]),
        });
        status = response.status;
        reply = await response.text();
        if (!response.ok) {
          error = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
        }
      } catch (e) {
        error = timeout.signal.aborted ? "Read timeout expired" : `Connection failed: ${e}`;
      } finally {
        clearTimeout(timer);
      }
      state.deliveries.push(compact({
        update_id: update.update_id,
        url: hook.url,
        attempt,
        status,
        error,
        time: Date.now(),
      }));
      state.changed.notify();
      if (!error) {
        await this.#webhookReply(reply);
        return true;
      }
      state.lastWebhookError = { date: nowSeconds(), message: error };
    }
    return false;
  }

  /** A webhook may answer with a method call, which Telegram then performs. */
  async #webhookReply(body: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (!isRecord(parsed) || typeof parsed.method !== "string") return;
    const entry = this.#methods.get(parsed.method.toLowerCase());
    if (!entry) return;
    const { method: _, ...params } = parsed;
    const request = new ApiRequest(params, new Map(), this.#closing.signal);
    await this.#invoke(entry, request, params, Date.now(), true);
  }
}
