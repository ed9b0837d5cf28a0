import { z } from "zod";

const booleanFromEnv = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) =>
  v === "true" || v === "1" || v === "yes"
);
const megabytes = z.coerce.number().positive();
const idList = z.string().transform((s, ctx) => {
  const ids = s.split(",").map((x) => x.trim()).filter(Boolean).map(Number);
  if (ids.some((id) => !Number.isSafeInteger(id))) {
    ctx.addIssue({ code: "custom", message: "must be comma-separated Telegram user ids" });
  }
  return ids;
});

/** A file that exists at start, as an absolute path (subprocesses run in other directories). */
const existingFile = z.string().transform((path, ctx) => {
  try {
    if (Deno.statSync(path).isFile) return Deno.realPathSync(path);
  } catch {
    // reported below
  }
  ctx.addIssue({
    code: "custom",
    message: `must be the path of an existing file (${path} is not)`,
  });
  return z.NEVER;
});
/** the release channel a self-updatable yt-dlp follows; unset, it is never updated */
const ytdlpUpdateChannel = z.enum(["stable", "nightly"]);
const PROXY_SCHEMES = ["http:", "https:", "socks5:", "socks5h:"];
/**
 * DOWNLOAD_CONNECTIONS: connections one download opens at once (fragments side by side, ranged
 * parts of a file); the default is what the media lab measured, see bench/RESULTS.md
 */
const downloadConnections = z.coerce.number().int().min(1).max(16).default(8);

/** PROXY_URLS: upstream proxies the workers' jobs go through in turn */
const proxyList = z.string().transform((s, ctx) => {
  const urls = s.split(",").map((x) => x.trim()).filter(Boolean);
  const valid = urls.every((url) =>
    URL.canParse(url) && PROXY_SCHEMES.includes(new URL(url).protocol)
  );
  if (!valid) {
    ctx.addIssue({
      code: "custom",
      message: "must be comma-separated http://, https:// or socks5:// proxy URLs",
    });
  }
  return urls;
});
/** COOKIES_KEY: the AES-256-GCM key that seals stored cookies */
const sealingKey = z.string().refine((s) => {
  try {
    return atob(s).length === 32;
  } catch {
    return false;
  }
}, "must be 32 random bytes in base64, e.g. the output of `openssl rand -base64 32`");

const envSchema = z.object({
  BOT_TOKEN: z.string({ error: "is required: the bot's token from @BotFather" })
    .regex(/^\d+:[\w-]+$/, "must look like 123456:ABC-DEF…"),
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  PUBLIC_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().regex(
    /^[\w-]{1,256}$/,
    "must be 1-256 characters A-Z, a-z, 0-9, _ or -",
  )
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  // not HOSTNAME: Docker sets that to the container's id
  LISTEN_HOST: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
  KV_PATH: z.string().optional(),
  /** KV Connect's bearer token; Deno reads it itself when KV_PATH is a database's connect URL */
  DENO_KV_ACCESS_TOKEN: z.string().optional(),
  WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  /** set by Deno Deploy in every isolate it runs */
  DENO_DEPLOYMENT_ID: z.string().optional(),
  APP_URL: z.url().optional(),
  WORKER_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  ADMIN_IDS: idList.default([]),
  SUPPORT_CONTACT: z.string().trim().min(1).max(200, "must be at most 200 characters").optional(),
  STORAGE_CHAT_ID: z.coerce.number().int().optional(),
  MAX_UPLOAD_MB: megabytes.default(50),
  ALLOW_PRIVATE_URLS: booleanFromEnv.default(false),
  YTDLP_PATH: z.string().default("yt-dlp"),
  GALLERY_DL_PATH: z.string().default("gallery-dl"),
  YTDLP_CONFIG: existingFile.optional(),
  YTDLP_UPDATE: ytdlpUpdateChannel.optional(),
  FFMPEG_PATH: z.string().default("ffmpeg"),
  FFPROBE_PATH: z.string().default("ffprobe"),
  FREE_QUOTA_MB: megabytes.default(500),
  PREMIUM_QUOTA_MB: megabytes.default(10000),
  DEFAULT_TIMEZONE: z.string().default("UTC"),
  TRANSLATOR: z.enum(["offline", "libretranslate", "deepl", "none"]).default("offline"),
  TRANSLATOR_URL: z.url().optional(),
  TRANSLATOR_KEY: z.string().optional(),
  ANALYTICS_URL: z.url().optional(),
  COOKIES_KEY: sealingKey.optional(),
  PROXY_URLS: proxyList.default([]),
  DOWNLOAD_CONNECTIONS: downloadConnections,
  LIBSTDBUF_PATH: z.string().startsWith("/", "must be an absolute path").optional(),
  TELEGRAM_LOCAL_DIR: z.string().startsWith("/", "must be an absolute path").optional(),
  TELEGRAM_SHARED_DIR: z.string().startsWith("/", "must be an absolute path").optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
}).superRefine((env, ctx) => {
  if (env.PUBLIC_URL && !env.WEBHOOK_SECRET) {
    ctx.addIssue({
      code: "custom",
      path: ["WEBHOOK_SECRET"],
      message: "is required when PUBLIC_URL is set (webhook mode)",
    });
  }
  requireTranslatorSettings(env, ctx);
  requireKvConnectToken(env, ctx);
  if (env.DENO_DEPLOYMENT_ID) requireDeploySettings(env, ctx);
});

/** A KV_PATH that is a URL is a hosted database reached through KV Connect, which needs its token. */
function requireKvConnectToken(
  env: { KV_PATH?: string; DENO_KV_ACCESS_TOKEN?: string; DENO_DEPLOYMENT_ID?: string },
  ctx: z.RefinementCtx,
): void {
  if (!env.KV_PATH || !isUrl(env.KV_PATH) || env.DENO_DEPLOYMENT_ID) return;
  if (!env.KV_PATH.startsWith("https://") && !env.KV_PATH.startsWith("http://")) {
    ctx.addIssue({
      code: "custom",
      path: ["KV_PATH"],
      message: "must be a file path, :memory: or a KV Connect URL (https://…/connect)",
    });
  } else if (!env.DENO_KV_ACCESS_TOKEN) {
    ctx.addIssue({
      code: "custom",
      path: ["DENO_KV_ACCESS_TOKEN"],
      message: "is required when KV_PATH is a KV Connect URL: an access token of the database",
    });
  }
}

function isUrl(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/**
 * Deno Deploy runs the app in isolates that start and stop with traffic: no subprocess for
 * in-process workers, and no long polling, whose deleteWebhook from a preview build would take
 * the production bot's updates.
 */
function requireDeploySettings(
  env: { WORKERS?: number; PUBLIC_URL?: string },
  ctx: z.RefinementCtx,
): void {
  if (env.WORKERS !== undefined && env.WORKERS > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["WORKERS"],
      message: "must be 0 on Deno Deploy (in-process workers need yt-dlp and ffmpeg): " +
        "run `deno task worker` processes elsewhere instead",
    });
  }
  if (!env.PUBLIC_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["PUBLIC_URL"],
      message: "is required on Deno Deploy: long polling is refused there, the bot takes its " +
        "updates by webhook at PUBLIC_URL/telegram/webhook",
    });
  }
}

/** LibreTranslate needs its server's URL, DeepL its key. */
function requireTranslatorSettings(
  env: { TRANSLATOR: string; TRANSLATOR_URL?: string; TRANSLATOR_KEY?: string },
  ctx: z.RefinementCtx,
): void {
  if (env.TRANSLATOR === "libretranslate" && !env.TRANSLATOR_URL) {
    ctx.addIssue({
      code: "custom",
      path: ["TRANSLATOR_URL"],
      message: "is required when TRANSLATOR=libretranslate: the server's base URL",
    });
  }
  if (env.TRANSLATOR === "deepl" && !env.TRANSLATOR_KEY) {
    ctx.addIssue({
      code: "custom",
      path: ["TRANSLATOR_KEY"],
      message: "is required when TRANSLATOR=deepl: the API key",
    });
  }
}

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.output<typeof envSchema>) {
  return {
    botToken: env.BOT_TOKEN,
    telegramApiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ""),
    webhookSecret: env.WEBHOOK_SECRET,
    port: env.PORT,
    hostname: env.LISTEN_HOST,
    dataDir: env.DATA_DIR,
    kvPath: env.KV_PATH ?? `${env.DATA_DIR}/bot.kv`,
    /** KV_PATH is a hosted database's KV Connect URL, not a file */
    kvConnect: env.KV_PATH !== undefined && isUrl(env.KV_PATH),
    /** on Deno Deploy: its own KV, webhook mode, no in-process workers */
    onDeploy: env.DENO_DEPLOYMENT_ID !== undefined,
    workers: env.WORKERS ?? (env.DENO_DEPLOYMENT_ID ? 0 : 2),
    appUrl: env.APP_URL?.replace(/\/+$/, ""),
    workerToken: env.WORKER_TOKEN,
    /** the bearer token /metrics expects; unset, /metrics is off */
    metricsToken: env.METRICS_TOKEN,
    adminIds: env.ADMIN_IDS,
    /** where /paysupport and /terms send users (a @username, an address, a link); unset: admins */
    supportContact: env.SUPPORT_CONTACT,
    storageChatId: env.STORAGE_CHAT_ID,
    maxUploadBytes: Math.floor(env.MAX_UPLOAD_MB * 1024 * 1024),
    allowPrivateUrls: env.ALLOW_PRIVATE_URLS,
    ytdlpPath: env.YTDLP_PATH,
    galleryDlPath: env.GALLERY_DL_PATH,
    /** the operator's yt-dlp options (site settings), read after --ignore-config */
    ytdlpConfig: env.YTDLP_CONFIG,
    ytdlpUpdate: env.YTDLP_UPDATE,
    ffmpegPath: env.FFMPEG_PATH,
    ffprobePath: env.FFPROBE_PATH,
    freeQuotaBytes: Math.floor(env.FREE_QUOTA_MB * 1024 * 1024),
    premiumQuotaBytes: Math.floor(env.PREMIUM_QUOTA_MB * 1024 * 1024),
    defaultTimezone: env.DEFAULT_TIMEZONE,
    translator: env.TRANSLATOR,
    translatorUrl: env.TRANSLATOR_URL,
    translatorKey: env.TRANSLATOR_KEY,
    analyticsUrl: env.ANALYTICS_URL,
    /** seals admins' cookie sets in KV; unset, /cookies refuses to store any */
    cookiesKey: env.COOKIES_KEY,
    /** the in-process workers' upstream proxies, one job after another */
    proxyUrls: env.PROXY_URLS,
    /** the in-process workers' connections per download */
    downloadConnections: env.DOWNLOAD_CONNECTIONS,
    /** coreutils' libstdbuf, when it is not where coreutils installs it */
    libstdbufPath: env.LIBSTDBUF_PATH,
    /**
     * a self-hosted Bot API server's --dir in local mode, mounted here at the same path: getFile
     * answers absolute paths under it, which that server does not serve over HTTP
     */
    telegramLocalDir: env.TELEGRAM_LOCAL_DIR,
    /**
     * a folder a local-mode Bot API server also sees at the same path: workers keep their scratch
     * files there and send them by path instead of uploading them
     */
    telegramSharedDir: env.TELEGRAM_SHARED_DIR,
    logLevel: env.LOG_LEVEL,
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once; the error names every missing or wrong variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  return toConfig(parseEnv(envSchema, env));
}

/** Secrets that may come from a file named by `<NAME>_FILE` instead (Docker's `secrets:`). */
const SECRET_VARIABLES = [
  "BOT_TOKEN",
  "WEBHOOK_SECRET",
  "WORKER_TOKEN",
  "METRICS_TOKEN",
  "COOKIES_KEY",
  "TRANSLATOR_KEY",
] as const;

/**
 * Empty variables count as unset, as in most shells' `VAR= command`. A secret's `_FILE` variable
 * stands for the secret: the file's text without its final line break.
 */
function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.output<T> {
  const input: Record<string, string> = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] =>
      entry[1] !== undefined && entry[1] !== ""
    ),
  );
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const path = input[`${name}_FILE`];
    if (path === undefined) continue;
    delete input[`${name}_FILE`];
    if (input[name] !== undefined) {
      problems.push(`${name}_FILE is set and so is ${name}: set only one of them`);
      continue;
    }
    try {
      const secret = Deno.readTextFileSync(path).replace(/\r?\n$/, "");
      if (secret !== "") input[name] = secret;
    } catch (error) {
      problems.push(`${name}_FILE cannot be read (${path}: ${(error as Error).name})`);
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    problems.push(
      ...parsed.error.issues.map((issue) =>
        `${issue.path.join(".") || "environment"} ${issue.message}`
      ),
    );
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(`Invalid configuration:\n- ${problems.join("\n- ")}`);
  }
  return parsed.data;
}

const workerEnvSchema = z.object({
  APP_URL: z.url({ error: "is required: the app's base URL, e.g. https://mediabot.example.com" }),
  WORKER_TOKEN: z.string({ error: "is required: the bearer token the app expects" })
    .min(16, "must be at least 16 characters"),
  BOT_TOKEN: envSchema.shape.BOT_TOKEN,
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  WORKER_ID: z.string().regex(/^[\w.:-]{1,60}$/).optional(),
  ALLOW_PRIVATE_URLS: booleanFromEnv.default(false),
  DATA_DIR: z.string().default("./data"),
  MAX_UPLOAD_MB: megabytes.default(50),
  YTDLP_PATH: z.string().default("yt-dlp"),
  GALLERY_DL_PATH: envSchema.shape.GALLERY_DL_PATH,
  YTDLP_CONFIG: envSchema.shape.YTDLP_CONFIG,
  YTDLP_UPDATE: envSchema.shape.YTDLP_UPDATE,
  FFMPEG_PATH: z.string().default("ffmpeg"),
  FFPROBE_PATH: z.string().default("ffprobe"),
  TRANSLATOR: envSchema.shape.TRANSLATOR,
  TRANSLATOR_URL: envSchema.shape.TRANSLATOR_URL,
  TRANSLATOR_KEY: envSchema.shape.TRANSLATOR_KEY,
  PROXY_URLS: proxyList.default([]),
  TELEGRAM_SHARED_DIR: envSchema.shape.TELEGRAM_SHARED_DIR,
  DOWNLOAD_CONNECTIONS: downloadConnections,
  LIBSTDBUF_PATH: envSchema.shape.LIBSTDBUF_PATH,
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
}).superRefine(requireTranslatorSettings);

/** The fleet worker's configuration: no database, only the app's URL and its token. */
export function loadWorkerConfig(env: Record<string, string | undefined>) {
  const e = parseEnv(workerEnvSchema, env);
  return {
    appUrl: e.APP_URL.replace(/\/+$/, ""),
    workerToken: e.WORKER_TOKEN,
    botToken: e.BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    concurrency: e.WORKER_CONCURRENCY,
    workerId: e.WORKER_ID ?? `${Deno.hostname()}-${Deno.pid}`,
    dataDir: e.DATA_DIR,
    maxUploadBytes: Math.floor(e.MAX_UPLOAD_MB * 1024 * 1024),
    allowPrivateUrls: e.ALLOW_PRIVATE_URLS,
    ytdlpPath: e.YTDLP_PATH,
    galleryDlPath: e.GALLERY_DL_PATH,
    ytdlpConfig: e.YTDLP_CONFIG,
    ytdlpUpdate: e.YTDLP_UPDATE,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    translator: e.TRANSLATOR,
    translatorUrl: e.TRANSLATOR_URL,
    translatorKey: e.TRANSLATOR_KEY,
    proxyUrls: e.PROXY_URLS,
    telegramSharedDir: e.TELEGRAM_SHARED_DIR,
    downloadConnections: e.DOWNLOAD_CONNECTIONS,
    libstdbufPath: e.LIBSTDBUF_PATH,
    logLevel: e.LOG_LEVEL,
  };
}
