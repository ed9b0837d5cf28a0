/** What the use cases are given by the wiring (app.ts): storage, the Bot API, words, events. */
import type { Api } from "grammy";
import type { Config } from "../config.ts";
import type { Translations } from "../i18n/translations.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { MediaStore } from "../kv/media.ts";
import type { QuotaStore } from "../kv/quota.ts";
import type { UserStore } from "../kv/users.ts";
import type { Logger } from "../lib/logger.ts";
import type { UrlGuard } from "../lib/url_guard.ts";
import type { EventBus } from "./events.ts";
import type { CookieVault } from "./cookies.ts";

export interface ServiceDeps {
  config: Config;
  kv: Deno.Kv;
  users: UserStore;
  queue: JobQueue;
  media: MediaStore;
  quota: QuotaStore;
  api: Api;
  i18n: Translations;
  urlGuard: UrlGuard;
  events: EventBus;
  logger: Logger;
  /** admins' cookie sets for sites, handed to the workers of matching jobs */
  cookies: CookieVault;
  /** the app has a title translator: previews offer "Translate title" */
  titleTranslation?: boolean;
}
