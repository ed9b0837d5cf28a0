/**
 * Runs a job's work on its routes to the site: with the cookie sets an admin stored for it, and
 * through this worker's upstream proxies (PROXY_URLS) one job after another. A refusal the next
 * cookie set may get past (a sign-in, a bot check, an age gate) tries that set, once; one another
 * address may get past (a bot check, 403, 429, a geo block, or a proxy that failed) tries the
 * next proxy, once.
 */
import type { CookieOutcome, JobCookieSet } from "../media/job_protocol.ts";
import { type FailureReason, isFailureReason } from "../media/failure_reasons.ts";
import { MediaError } from "../media/media_types.ts";
import type { AddressPolicy } from "../lib/url_guard.ts";
import { startEgressGuard } from "./egress_guard.ts";
import { runOnRoute } from "./site_route.ts";

/** PROXY_URLS in turn, one per job, shared by a pool's loops. */
export class ProxyRotation {
  #next = 0;

  constructor(readonly urls: readonly string[]) {}

  /** The index of the next job's proxy; undefined when there are none. */
  next(): number | undefined {
    if (this.urls.length === 0) return undefined;
    const index = this.#next;
    this.#next = (index + 1) % this.urls.length;
    return index;
  }
}

export interface JobEgress {
  /** the egress guard's policy: where a job's own guard lets it connect */
  policy: AddressPolicy;
  proxies: ProxyRotation;
}

export interface SitePlan {
  /** the job's scratch folder: the cookies file goes there, and it is emptied between attempts */
  scratch: string;
  /** in the order to try them */
  cookieSets: readonly JobCookieSet[];
  egress?: JobEgress;
  onCookieOutcome(outcome: CookieOutcome): void;
}

const COOKIES_FILE = "cookies.txt";
/** refusals another account's cookies may get past */
const COOKIE_REASONS: ReadonlySet<FailureReason> = new Set(["needs_login", "age_restricted"]);
/** refusals aimed at the address we came from, or the country it is in */
const ADDRESS_REASONS: ReadonlySet<FailureReason> = new Set([
  "needs_login",
  "rate_limited",
  "geo_blocked",
]);

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown; proxyFailed: boolean };

export async function runOnSiteRoutes<T>(plan: SitePlan, work: () => Promise<T>): Promise<T> {
  const proxies = plan.egress?.proxies;
  let proxyIndex = proxies?.next();
  let cookieIndex = 0;
  let triedNextCookies = false;
  let triedNextProxy = false;
  for (let attempt = 0;; attempt++) {
    if (attempt > 0) await emptyFolder(plan.scratch);
    const cookieSet = plan.cookieSets.at(cookieIndex);
    const upstream = proxyIndex === undefined ? undefined : proxies?.urls[proxyIndex];
    const outcome = await runAttempt(plan, cookieSet, upstream, work);
    const reason = outcome.ok ? undefined : reasonOf(outcome.error);
    if (cookieSet && (outcome.ok || (reason && COOKIE_REASONS.has(reason)))) {
      plan.onCookieOutcome({ setId: cookieSet.id, worked: outcome.ok });
    }
    if (outcome.ok) return outcome.value;
    const nextSet = cookieIndex + 1 < plan.cookieSets.length;
    if (!triedNextCookies && nextSet && reason && COOKIE_REASONS.has(reason)) {
      triedNextCookies = true;
      cookieIndex++;
      continue;
    }
    const movable = (reason && ADDRESS_REASONS.has(reason)) || outcome.proxyFailed;
    if (!triedNextProxy && proxies && proxies.urls.length > 1 && movable) {
      triedNextProxy = true;
      proxyIndex = ((proxyIndex ?? 0) + 1) % proxies.urls.length;
      continue;
    }
    throw outcome.error;
  }
}

async function runAttempt<T>(
  plan: SitePlan,
  cookieSet: JobCookieSet | undefined,
  upstream: string | undefined,
  work: () => Promise<T>,
): Promise<Attempt<T>> {
  const cookiesFile = cookieSet ? `${plan.scratch}/${COOKIES_FILE}` : undefined;
  const guard = upstream && plan.egress
    ? startEgressGuard(plan.egress.policy, { upstream: new URL(upstream) })
    : undefined;
  try {
    if (cookiesFile && cookieSet) {
      await Deno.writeTextFile(cookiesFile, cookieSet.text, { mode: 0o600, createNew: true });
    }
    const value = await runOnRoute({ cookiesFile, egressProxy: guard?.url }, work);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error, proxyFailed: (guard?.upstreamFailures ?? 0) > 0 };
  } finally {
    if (cookiesFile) await Deno.remove(cookiesFile).catch(() => {});
    await guard?.close();
  }
}

function reasonOf(error: unknown): FailureReason | undefined {
  const code = error instanceof MediaError ? error.code : undefined;
  return code && isFailureReason(code) ? code : undefined;
}

async function emptyFolder(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
  await Deno.mkdir(path, { recursive: true });
}
