/**
 * The real bot (createBot, its features and services over an in-memory KV) with no HTTP and no
 * workers: updates go in through `bot.handleUpdate`, and an API transformer under the app's own
 * answers every Bot API call the way Telegram would (message ids, file ids, edits, HTML checked
 * as Telegram checks it), keeping the chats it shows. For fast feature tests; the end-to-end
 * ones use the fake Bot API server and real workers (tests/support/system.ts).
 */
import { CookieVault } from "../../services/cookies.ts";
import { importSealingKey } from "../../lib/sealed_text.ts";
import { Api, type Bot, InputFile, type Transformer } from "grammy";
import type { InlineKeyboardMarkup, Message, Update, User, UserFromGetMe } from "grammy/types";
import { loadConfig } from "../../config.ts";
import { createBot } from "../../bot/bot.ts";
import type { BotContext } from "../../bot/context.ts";
import { createI18n } from "../../i18n/translations.ts";
import { JobQueue } from "../../kv/jobs.ts";
import { MediaStore } from "../../kv/media.ts";
import { UserStore } from "../../kv/users.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { CoalescedReads } from "../../kv/coalesced_reads.ts";
import { createLogger } from "../../lib/logger.ts";
import { installApiDefaults } from "../../lib/telegram.ts";
import {
  MemorySendBudget,
  type SendPriority,
  sendPriorityOf,
  Throttle,
} from "../../lib/throttle.ts";
import { RateLimits } from "../../kv/rate_limits.ts";
import { UrlGuard } from "../../lib/url_guard.ts";
import { JobService } from "../../services/job_service.ts";
import { EventBus } from "../../services/events.ts";
import { registerGamification } from "../../services/gamification.ts";
import { indexDeliveries } from "../../services/recommendations.ts";
import { createTranslator } from "../../workers/translate/mod.ts";
import { KvTranslationCache } from "../../workers/translate/cache.ts";
import { readTelegramHtml } from "./fake_telegram.ts";

const BOT_INFO: UserFromGetMe = {
  id: 100_000,
  is_bot: true,
  first_name: "MediaBot",
  username: "mediabot_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** Telegram's own limits would make a test wait: no flood control here. */
const NO_LIMITS = {
  globalPerSecond: 1_000_000,
  privateBurst: 1_000_000,
  privatePerSecond: 1_000_000,
  groupBurst: 1_000_000,
  groupPerSecond: 1_000_000,
};

type Params = Record<string, unknown>;

export interface ApiCall {
  method: string;
  params: Params;
  /** the call's turn in Telegram's budget, as the throttle read it */
  priority: SendPriority;
}

/** A message of the bot's as the chat shows it now. */
export interface ShownMessage {
  chatId: number;
  messageId: number;
  /** the text or caption as shown (HTML read the way Telegram reads it) */
  text: string;
  /** what the bot sent, tags included */
  raw: string;
  keyboard: InlineKeyboardMarkup["inline_keyboard"];
  media?: "photo" | "video" | "audio" | "document";
  deleted: boolean;
}

/** A Bad Request, as the Bot API answers one. */
const refused = (description: string) => ({
  ok: false as const,
  error_code: 400,
  description: `Bad Request: ${description}`,
});

const MEDIA_METHODS = {
  sendPhoto: "photo",
  sendVideo: "video",
  sendAudio: "audio",
  sendDocument: "document",
} as const;

/** What Telegram would answer, and the chats it would show. */
class RecordingTelegram {
  readonly calls: ApiCall[] = [];
  readonly messages: ShownMessage[] = [];
  readonly #files = new WeakMap<ShownMessage, Partial<Message>>();
  #nextMessageId = 1;
  #nextFileId = 1;

  readonly transformer: Transformer = (_prev, method, payload) => {
    const params = { ...(payload as Params) };
    this.calls.push({ method, params, priority: sendPriorityOf(payload) });
    // deno-lint-ignore no-explicit-any
    return Promise.resolve(this.#answer(method, params) as any);
  };

  #answer(method: string, params: Params):
    | { ok: true; result: unknown }
    | ReturnType<
      typeof refused
    > {
    const chatId = Number(params.chat_id);
    if (method === "sendMessage") {
      return this.#send(chatId, params, "text");
    }
    if (method in MEDIA_METHODS) {
      return this.#send(
        chatId,
        params,
        "caption",
        MEDIA_METHODS[method as keyof typeof MEDIA_METHODS],
      );
    }
    if (method === "copyMessage") {
      return { ok: true, result: { message_id: this.#nextMessageId++ } };
    }
    if (method === "editMessageText" || method === "editMessageCaption") {
      return this.#edit(params, method === "editMessageText" ? "text" : "caption");
    }
    if (method === "editMessageReplyMarkup") {
      const shown = this.#find(params);
      if (!shown) return refused("message to edit not found");
      shown.keyboard = keyboardOf(params.reply_markup);
      return { ok: true, result: this.messageOf(shown) };
    }
    if (method === "deleteMessage") {
      const shown = this.#find(params);
      if (!shown || shown.deleted) return refused("message to delete not found");
      shown.deleted = true;
      return { ok: true, result: true };
    }
    if (method === "sendInvoice") {
      return this.#send(chatId, { ...params, text: params.title }, "text");
    }
    if (method === "getFile") {
      return { ok: true, result: { file_id: params.file_id, file_unique_id: "u", file_path: "f" } };
    }
    if (method === "getMe") return { ok: true, result: BOT_INFO };
    return { ok: true, result: true };
  }

  #read(
    raw: unknown,
    params: Params,
  ): { ok: true; text: string } | { ok: false; description: string } {
    const text = typeof raw === "string" ? raw : "";
    if (params.parse_mode === undefined) return { ok: true, text };
    if (params.parse_mode !== "HTML") return { ok: false, description: "unsupported parse_mode" };
    return readTelegramHtml(text);
  }

  #send(
    chatId: number,
    params: Params,
    field: "text" | "caption",
    media?: ShownMessage["media"],
  ) {
    const read = this.#read(params[field], params);
    if (!read.ok) return refused(read.description);
    if (field === "text" && read.text.trim() === "") return refused("message text is empty");
    const shown: ShownMessage = {
      chatId,
      messageId: this.#nextMessageId++,
      text: read.text,
      raw: String(params[field] ?? ""),
      keyboard: keyboardOf(params.reply_markup),
      media,
      deleted: false,
    };
    if (media) this.#files.set(shown, this.#fileOf(media, params[media]));
    this.messages.push(shown);
    return { ok: true as const, result: this.messageOf(shown) };
  }

  #edit(params: Params, field: "text" | "caption") {
    const shown = this.#find(params);
    if (!shown) return refused("message to edit not found");
    const read = this.#read(params[field], params);
    if (!read.ok) return refused(read.description);
    const keyboard = keyboardOf(params.reply_markup);
    if (
      read.text === shown.text && JSON.stringify(keyboard) === JSON.stringify(shown.keyboard)
    ) {
      return refused(
        "message is not modified: specified new message content and reply markup are exactly " +
          "the same as a current content and reply markup of the message",
      );
    }
    Object.assign(shown, { text: read.text, raw: String(params[field] ?? ""), keyboard });
    return { ok: true as const, result: this.messageOf(shown) };
  }

  #find(params: Params): ShownMessage | undefined {
    return this.messages.find((m) =>
      m.chatId === Number(params.chat_id) && m.messageId === Number(params.message_id)
    );
  }

  #fileOf(media: NonNullable<ShownMessage["media"]>, sent: unknown): Partial<Message> {
    const fileId = sent instanceof InputFile || typeof sent !== "string"
      ? `file-${this.#nextFileId++}`
      : sent;
    const file = { file_id: fileId, file_unique_id: `unique-${fileId}` };
    if (media === "photo") return { photo: [{ ...file, width: 800, height: 600 }] };
    if (media === "video") return { video: { ...file, width: 1280, height: 720, duration: 10 } };
    if (media === "audio") return { audio: { ...file, duration: 10 } };
    return { document: file };
  }

  /** The message as an update carries it (a pressed button's message). */
  messageOf(shown: ShownMessage): Message {
    const base = {
      ...this.#files.get(shown),
      message_id: shown.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: shown.chatId, type: "private" as const, first_name: "User" },
      from: BOT_INFO,
      ...(shown.keyboard.length > 0 ? { reply_markup: { inline_keyboard: shown.keyboard } } : {}),
    };
    return (shown.media
      ? { ...base, caption: shown.text }
      : { ...base, text: shown.text }) as Message;
  }
}

function keyboardOf(markup: unknown): InlineKeyboardMarkup["inline_keyboard"] {
  const rows = (markup as InlineKeyboardMarkup | undefined)?.inline_keyboard;
  // an InlineKeyboard instance or plain markup: what JSON would carry
  return rows ? JSON.parse(JSON.stringify(rows)) : [];
}

export interface BotHarness {
  bot: Bot<BotContext>;
  kv: Deno.Kv;
  users: UserStore;
  /** the reads that share KV round trips, with their counts */
  reads: CoalescedReads;
  queue: JobQueue;
  /** job reports, heartbeats and sweeps, as the app's worker API and cron run them */
  jobs: JobService;
  /** admins' cookie sets (sealed with COOKIES_KEY when given) */
  cookies: CookieVault;
  /** every Bot API call the bot and its services made, in order */
  calls: ApiCall[];
  /** a person talking to the bot */
  user(id: number, options?: { languageCode?: string; firstName?: string }): HarnessUser;
  /** the bot's messages in a chat, oldest first (deleted ones left out) */
  messages(chatId: number): ShownMessage[];
  lastMessage(chatId: number): ShownMessage;
  /** the answers to callback queries, in order */
  answers(): { text?: string; alert: boolean }[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface HarnessUser {
  info: User;
  /** sends a text (a command when it starts with "/") and waits until the bot has handled it */
  send(text: string): Promise<void>;
  /** presses the button labelled `label` (or matching it) on a message of the bot's */
  press(message: ShownMessage, label: string | RegExp): Promise<void>;
  /** presses a button with this callback data, as a client with an old or forged button would */
  pressData(message: ShownMessage, data: string): Promise<void>;
}

/** Data of the button labelled `label` on a message; throws when there is none. */
export function buttonData(message: ShownMessage, label: string | RegExp): string {
  const button = message.keyboard.flat().find((b) =>
    typeof label === "string" ? b.text === label : label.test(b.text)
  );
  if (!button || !("callback_data" in button)) {
    const labels = message.keyboard.flat().map((b) => b.text);
    throw new Error(`no button ${label} on the message; it has ${JSON.stringify(labels)}`);
  }
  return button.callback_data;
}

/** Where the harness's hosts resolve: one public site, one on a private network; others nowhere. */
export const HARNESS_DNS: Record<string, string[]> = {
  "videos.example": ["93.184.215.14"],
  "intranet.example": ["10.1.2.3"],
};

export async function startBotHarness(env: Record<string, string> = {}): Promise<BotHarness> {
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({
    BOT_TOKEN: "123456:harness-token",
    KV_PATH: ":memory:",
    WORKERS: "0",
    TRANSLATOR: "none",
    ...env,
  });
  const logger = createLogger("error");
  const telegram = new RecordingTelegram();
  const throttle = new Throttle(new MemorySendBudget(NO_LIMITS));
  // the job service's client, built as createTelegramApi builds it, answered by the recorder
  const api = new Api(config.botToken);
  api.config.use(telegram.transformer);
  installApiDefaults(api, throttle);
  const reads = new CoalescedReads(kv);
  const users = new UserStore(kv, reads);
  const queue = new JobQueue(kv);
  const media = new MediaStore(kv);
  const quota = new QuotaStore(kv);
  const i18n = await createI18n();
  const urlGuard = new UrlGuard(
    config.allowPrivateUrls,
    (host) => Promise.resolve(HARNESS_DNS[host.toLowerCase()] ?? []),
  );
  const events = new EventBus(logger);
  registerGamification({ kv, api, i18n, events, users, config, logger });
  indexDeliveries(events, kv);
  const cookies = new CookieVault({
    kv,
    key: config.cookiesKey ? await importSealingKey(config.cookiesKey) : undefined,
    api,
    i18n,
    users,
    adminIds: config.adminIds,
    logger,
  });
  const services = {
    config,
    kv,
    users,
    queue,
    media,
    quota,
    api,
    i18n,
    urlGuard,
    events,
    logger,
    cookies,
  };
  const jobs = new JobService(services);
  const bot = createBot(
    {
      ...services,
      reads,
      jobs,
      rateLimits: new RateLimits(kv, 1_000, 1_000),
      throttle,
      translator: createTranslator(config, new KvTranslationCache(kv)),
    },
    { botInfo: BOT_INFO },
    [telegram.transformer],
  );

  let nextUpdateId = 1;
  let nextUserMessageId = 1_000_000;
  const handle = async (update: Omit<Update, "update_id">) => {
    await bot.handleUpdate({ update_id: nextUpdateId++, ...update } as Update);
    await events.settled();
  };

  const user = (id: number, options: { languageCode?: string; firstName?: string } = {}) => {
    const info: User = {
      id,
      is_bot: false,
      first_name: options.firstName ?? `User ${id}`,
      language_code: options.languageCode ?? "en",
    };
    const chat = { id, type: "private" as const, first_name: info.first_name };
    const pressData = (shown: ShownMessage, data: string) =>
      handle({
        callback_query: {
          id: `query-${nextUpdateId}`,
          from: info,
          chat_instance: `chat-${id}`,
          data,
          message: telegram.messageOf(shown),
        },
      });
    return {
      info,
      send: (text: string) => {
        const command = text.match(/^\/\w+/)?.[0];
        return handle({
          message: {
            message_id: nextUserMessageId++,
            date: Math.floor(Date.now() / 1000),
            chat,
            from: info,
            text,
            ...(command
              ? { entities: [{ type: "bot_command" as const, offset: 0, length: command.length }] }
              : {}),
          },
        });
      },
      press: (shown: ShownMessage, label: string | RegExp) =>
        pressData(shown, buttonData(shown, label)),
      pressData,
    };
  };

  const shownIn = (chatId: number) =>
    telegram.messages.filter((m) => m.chatId === chatId && !m.deleted);

  const close = async () => {
    jobs.close();
    await jobs.settled();
    await events.settled();
    kv.close();
  };

  return {
    bot,
    kv,
    users,
    reads,
    queue,
    jobs,
    cookies,
    calls: telegram.calls,
    user,
    messages: (chatId) => shownIn(chatId),
    lastMessage(chatId) {
      const shown = shownIn(chatId).at(-1);
      if (!shown) throw new Error(`the bot sent nothing to chat ${chatId}`);
      return shown;
    },
    answers: () =>
      telegram.calls.filter((call) => call.method === "answerCallbackQuery").map((call) => ({
        text: call.params.text as string | undefined,
        alert: call.params.show_alert === true,
      })),
    close,
    [Symbol.asyncDispose]: close,
  };
}
