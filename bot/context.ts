import type { Context } from "grammy";
import type { I18nFlavor } from "./i18n.ts";
import type { Translations } from "../i18n/translations.ts";
import type { Config } from "../config.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { JobService } from "../services/job_service.ts";
import type { EventBus } from "../services/events.ts";
import type { MediaStore } from "../kv/media.ts";
import type { UserProfile, UserStore } from "../kv/users.ts";
import type { HitCounts, RateLimits } from "../kv/rate_limits.ts";
import type { QuotaStore } from "../kv/quota.ts";
import type { CoalescedReads } from "../kv/coalesced_reads.ts";
import type { UrlGuard } from "../lib/url_guard.ts";
import type { Throttle } from "../lib/throttle.ts";
import type { Logger } from "../lib/logger.ts";
import type { Translator } from "../media/translator.ts";
import type { CookieVault } from "../services/cookies.ts";
import type { Prefetched } from "./prefetch.ts";

export interface BotDeps {
  config: Config;
  kv: Deno.Kv;
  /** hot-path reads (the menu's), sharing KV round trips under load */
  reads: CoalescedReads;
  queue: JobQueue;
  jobs: JobService;
  events: EventBus;
  media: MediaStore;
  users: UserStore;
  quota: QuotaStore;
  urlGuard: UrlGuard;
  /** the per-user rate limit, shared by every instance through KV */
  rateLimits: RateLimits;
  /** shared with the job service's Bot API client: Telegram's limits are per bot */
  throttle: Throttle;
  i18n: Translations;
  logger: Logger;
  /** TRANSLATOR's choice, cached in KV */
  /** translates previews' titles; unset: no translator at hand, so no "Translate title" */
  translator?: Translator;
  /** admins' cookie sets for sites (/cookies) */
  cookies: CookieVault;
}

export type BotContext = Context & I18nFlavor & {
  deps: BotDeps;
  /** the sender's profile, loaded by the first middleware for every update that has a sender */
  user?: UserProfile;
  /** the sender's recent updates as KV counted them, read with the profile */
  hitCounts?: Deno.KvEntryMaybe<HitCounts>;
  /** entries read with the user for the update's handler (bot/prefetch.ts) */
  prefetched?: Prefetched;
};
