import type { Context } from "grammy";
import type { I18n, I18nFlavor } from "@grammyjs/i18n";
import type { Config } from "../config.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { JobService } from "../services/job_service.ts";
import type { MediaStore } from "../kv/media.ts";
import type { UrlGuard } from "../lib/url_guard.ts";
import type { RateLimiter } from "../lib/rate_limit.ts";
import type { Logger } from "../lib/logger.ts";

export interface BotDeps {
  config: Config;
  kv: Deno.Kv;
  queue: JobQueue;
  jobs: JobService;
  media: MediaStore;
  urlGuard: UrlGuard;
  rateLimiter: RateLimiter;
  i18n: I18n<BotContext>;
  logger: Logger;
}

export type BotContext = Context & I18nFlavor & { deps: BotDeps };
