/**
 * Cookies admins store for sites that ask to sign in: a cookies.txt is checked (format, expiry),
 * sealed with COOKIES_KEY and kept in KV (kv/cookies.ts); the sets matching a job's link go to
 * the worker holding the job, which reports how the site took them; a set refused again and
 * again goes stale, and the admins are told, once. The plain text lives only in memory, on its
 * way to the worker.
 */
import type { Api } from "grammy";
import { pickLocale, type Translations, translatorFor } from "../i18n/translations.ts";
import {
  type CookieSet,
  cookieSetsForDomains,
  createCookieSet,
  listCookieSets,
  recordCookieOutcome,
  removeCookieSet,
} from "../kv/cookies.ts";
import type { UserStore } from "../kv/users.ts";
import { monotonicUlids } from "../lib/ids.ts";
import type { Logger } from "../lib/logger.ts";
import {
  cookieDomainsFor,
  type CookieFileProblem,
  cookieHostOf,
  readCookieFile,
} from "../lib/netscape_cookies.ts";
import { openSealedText, sealText } from "../lib/sealed_text.ts";
import type { CookieOutcome, JobCookieSet } from "../media/job_protocol.ts";
import { JOB_COOKIE_SETS_MAX } from "../media/job_schemas.ts";
import { renderStaleCookieSet } from "../views/cookies.ts";
import { withPriority } from "../lib/throttle.ts";

/** A KV value holds 64 KiB; a site's cookies are a few kB (export one site's, not a browser's). */
export const COOKIE_FILE_MAX_BYTES = 48 * 1024;
/** enough for a few accounts on each of a few dozen sites */
const COOKIE_SETS_MAX = 50;

export type CookieImportProblem =
  | CookieFileProblem
  | { kind: "no_key" }
  | { kind: "too_large" }
  | { kind: "too_many" };

export type CookieImport =
  | { ok: true; set: CookieSet; expiredDropped: number }
  | { ok: false; problem: CookieImportProblem };

export interface CookieVaultDeps {
  kv: Deno.Kv;
  /** COOKIES_KEY; without it, nothing is stored */
  key?: CryptoKey;
  api: Api;
  i18n: Translations;
  users: UserStore;
  adminIds: readonly number[];
  logger: Logger;
}

const setId = monotonicUlids();

export class CookieVault {
  constructor(private readonly deps: CookieVaultDeps) {}

  /** false without COOKIES_KEY: admins are told to set it */
  get enabled(): boolean {
    return this.deps.key !== undefined;
  }

  async add(
    admin: { id: number; name: string },
    text: string,
    now = Date.now(),
  ): Promise<CookieImport> {
    const { key, kv } = this.deps;
    if (!key) return refused({ kind: "no_key" });
    if (new TextEncoder().encode(text).length > COOKIE_FILE_MAX_BYTES) {
      return refused({ kind: "too_large" });
    }
    const read = readCookieFile(text, now);
    if (!read.ok) return refused(read.problem);
    if ((await listCookieSets(kv)).length >= COOKIE_SETS_MAX) return refused({ kind: "too_many" });
    const id = setId(now);
    const set: CookieSet = {
      id,
      domains: read.file.domains,
      addedBy: admin,
      addedAt: now,
      cookieCount: read.file.cookies.length,
      earliestExpiry: read.file.earliestExpiry,
      failures: 0,
      stale: false,
      sealed: await sealText(key, read.file.text, id),
    };
    await createCookieSet(kv, set);
    return { ok: true, set, expiredDropped: read.file.expiredDropped };
  }

  list(): Promise<CookieSet[]> {
    return listCookieSets(this.deps.kv);
  }

  /** false when it was already gone */
  remove(id: string): Promise<boolean> {
    return removeCookieSet(this.deps.kv, id);
  }

  /**
   * The sets for a link's host, in the order a worker tries them: fresh ones before stale ones,
   * then the newest first (a new export is the likelier to work); at most the two a job tries.
   */
  async forLink(url: string): Promise<JobCookieSet[]> {
    const { key, kv } = this.deps;
    const host = cookieHostOf(url);
    if (!key || !host) return [];
    const sets = await cookieSetsForDomains(kv, host, cookieDomainsFor(host));
    // ids are ULIDs: by id is by when they were added, even within one millisecond
    const ordered = sets.sort((a, b) =>
      Number(a.stale) - Number(b.stale) || b.id.localeCompare(a.id)
    )
      .slice(0, JOB_COOKIE_SETS_MAX);
    return await Promise.all(
      ordered.map(async (set) => ({
        id: set.id,
        text: await openSealedText(key, set.sealed, set.id),
      })),
    );
  }

  /** Counts what the sites said; each set that went stale now is announced to the admins. */
  async recordOutcomes(outcomes: readonly CookieOutcome[]): Promise<void> {
    for (const { setId, worked } of outcomes) {
      const stale = await recordCookieOutcome(this.deps.kv, setId, worked);
      if (stale) await this.#tellAdmins(stale);
    }
  }

  async #tellAdmins(set: CookieSet): Promise<void> {
    const { api, i18n, users, adminIds, logger } = this.deps;
    for (const adminId of adminIds) {
      const admin = await users.get(adminId);
      const t = translatorFor(i18n, admin?.language ?? pickLocale(admin?.languageCode));
      const text = renderStaleCookieSet(t, set);
      await api.sendMessage(adminId, text, withPriority("notification", {})).catch(
        (error) => logger.warn("could not tell an admin a cookie set is stale", { adminId, error }),
      );
    }
  }
}

function refused(problem: CookieImportProblem): CookieImport {
  return { ok: false, problem };
}
