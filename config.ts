import { resolve } from "node:path";
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
    if (Deno.statSync(path).isFile) return resolve(path);
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
  HOSTNAME: z.string().default("0.0.0.0"),
  DATA_DIR: z.string().default("./data"),
  KV_PATH: z.string().optional(),
  WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  APP_URL: z.url().optional(),
  WORKER_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  ADMIN_IDS: idList.default([]),
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
});

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
    hostname: env.HOSTNAME,
    dataDir: env.DATA_DIR,
    kvPath: env.KV_PATH ?? `${env.DATA_DIR}/bot.kv`,
    workers: env.WORKERS,
    appUrl: env.APP_URL?.replace(/\/+$/, ""),
    workerToken: env.WORKER_TOKEN,
    /** the bearer token /metrics expects; unset, /metrics is off */
    metricsToken: env.METRICS_TOKEN,
    adminIds: env.ADMIN_IDS,
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

/** Empty variables count as unset, as in most shells' `VAR= command`. */
function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.output<T> {
  const input = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.join(".") || "environment"} ${issue.message}`
    );
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
    logLevel: e.LOG_LEVEL,
  };
}
