/**
 * Cookie sets admins stored for sites (services/cookies.ts uses them): each one sealed
 * (lib/sealed_text.ts, never the plain text), with what the admins' list shows and how the sites
 * took it lately. Indexed by each domain it has cookies for, so a job's host finds its sets by
 * the host and its parent domains.
 */
import { type CookieDomain, cookieDomainMatches } from "../lib/netscape_cookies.ts";
import type { SealedText } from "../lib/sealed_text.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export interface CookieSet {
  id: string;
  domains: CookieDomain[];
  addedBy: { id: number; name: string };
  addedAt: number;
  cookieCount: number;
  /** the earliest expiry (ms) of its persistent cookies; undefined when all are session ones */
  earliestExpiry?: number;
  /** refusals in a row since it last worked */
  failures: number;
  /** refused STALE_AFTER_FAILURES times in a row: tried after the others; admins were told */
  stale: boolean;
  sealed: SealedText;
}

/** A set refused this many times in a row is stale. */
export const STALE_AFTER_FAILURES = 3;
/** An admin's /cookies waits this long for the file. */
const COOKIE_UPLOAD_WAIT_MS = 5 * 60_000;

function cookieSetKey(id: string) {
  return ["cookie_sets", id] as const;
}
function cookieSetsByDomainKey(domain: string, id: string) {
  return ["cookie_sets_by_domain", domain, id] as const;
}
function cookieUploadKey(adminId: number) {
  return ["cookie_uploads", adminId] as const;
}

/** Stores a new set and its domain index in one atomic. */
export async function createCookieSet(kv: Deno.Kv, set: CookieSet): Promise<void> {
  const op = kv.atomic().check({ key: cookieSetKey(set.id), versionstamp: null })
    .set(cookieSetKey(set.id), set);
  for (const { domain, subdomains } of set.domains) {
    op.set(cookieSetsByDomainKey(domain, set.id), { subdomains });
  }
  if (!(await op.commit()).ok) throw new Error(`cookie set ${set.id} already exists`);
}

/** Every set, oldest first (ids are ULIDs). */
export async function listCookieSets(kv: Deno.Kv): Promise<CookieSet[]> {
  const sets: CookieSet[] = [];
  for await (const entry of kv.list<CookieSet>({ prefix: ["cookie_sets"] })) sets.push(entry.value);
  return sets;
}

/** Removes a set and its index entries; false when it was already gone. */
export function removeCookieSet(kv: Deno.Kv, id: string): Promise<boolean> {
  return retryAtomic(kv, async (op) => {
    const entry = await kv.get<CookieSet>(cookieSetKey(id));
    if (!entry.value) return false;
    op.check(entry).delete(cookieSetKey(id));
    for (const { domain } of entry.value.domains) op.delete(cookieSetsByDomainKey(domain, id));
    return commit(true);
  }, { what: `cookie set ${id}`, attempts: 5 });
}

/**
 * The sets a browser would send cookies from to the host, looked up under its candidate domains
 * (the host and its parents: lib/netscape_cookies.ts's cookieDomainsFor): a parent's set counts
 * only when its cookies include subdomains.
 */
export async function cookieSetsForDomains(
  kv: Deno.Kv,
  host: string,
  domains: readonly string[],
): Promise<CookieSet[]> {
  const ids = new Set<string>();
  for (const domain of domains) {
    const prefix = ["cookie_sets_by_domain", domain];
    for await (const entry of kv.list<{ subdomains: boolean }>({ prefix })) {
      const { subdomains } = entry.value;
      if (cookieDomainMatches(host, { domain, subdomains })) ids.add(String(entry.key[2]));
    }
  }
  const entries = await kv.getMany<CookieSet[]>([...ids].map((id) => cookieSetKey(id)));
  return entries.flatMap((entry) => entry.value ? [entry.value] : []);
}

/**
 * Records how a site took a set: a success clears its refusals (and staleness), a refusal adds
 * one. Returns the set when this refusal made it stale, so exactly one caller tells the admins.
 */
export function recordCookieOutcome(
  kv: Deno.Kv,
  id: string,
  worked: boolean,
): Promise<CookieSet | undefined> {
  return retryAtomic(kv, async (op) => {
    const entry = await kv.get<CookieSet>(cookieSetKey(id));
    const set = entry.value;
    if (!set) return undefined;
    const failures = worked ? 0 : set.failures + 1;
    const stale = !worked && (set.stale || failures >= STALE_AFTER_FAILURES);
    if (failures === set.failures && stale === set.stale) return undefined;
    const updated = { ...set, failures, stale };
    op.check(entry).set(cookieSetKey(id), updated);
    return commit(stale && !set.stale ? updated : undefined);
  }, { what: `cookie set ${id}`, attempts: 10 });
}

/** The admin sent /cookies alone: their next document within the wait is the file. */
export async function expectCookieUpload(kv: Deno.Kv, adminId: number, now: number) {
  const until = now + COOKIE_UPLOAD_WAIT_MS;
  await kv.set(cookieUploadKey(adminId), { until }, { expireIn: COOKIE_UPLOAD_WAIT_MS });
}

/** Whether the admin's /cookies is still waiting for a file; it stops waiting either way. */
export async function takeCookieUpload(kv: Deno.Kv, adminId: number, now: number) {
  const entry = await kv.get<{ until: number }>(cookieUploadKey(adminId));
  if (!entry.value) return false;
  const taken = await kv.atomic().check(entry).delete(cookieUploadKey(adminId)).commit();
  // KV deletes expired entries lazily: the entry's own date decides
  return taken.ok && entry.value.until > now;
}
