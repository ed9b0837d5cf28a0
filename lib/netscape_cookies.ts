/**
 * Netscape cookies.txt files, the format browsers' export extensions write and yt-dlp's
 * `--cookies` reads: one cookie a line, seven tab-separated fields (domain, include subdomains,
 * path, secure, expiry in Unix seconds or 0 for a session cookie, name, value); `#` starts a
 * comment except in `#HttpOnly_`, which marks an HttpOnly cookie's domain.
 */

export interface Cookie {
  /** lower-case, without the leading dot */
  domain: string;
  /** sent to the domain's subdomains too (TRUE, or a leading dot) */
  subdomains: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Unix seconds; 0 for a session cookie */
  expires: number;
  name: string;
  value: string;
}

/** A domain a file has cookies for, and whether its subdomains get them too. */
export interface CookieDomain {
  domain: string;
  subdomains: boolean;
}

export interface CookieFile {
  cookies: Cookie[];
  domains: CookieDomain[];
  /** what yt-dlp is given: the header it requires, then the cookies still valid */
  text: string;
  /** the earliest expiry (ms) among the persistent cookies; undefined when all are session ones */
  earliestExpiry?: number;
  /** cookies already expired, left out */
  expiredDropped: number;
}

export type CookieFileProblem =
  | { kind: "empty" }
  | { kind: "bad_line"; line: number }
  | { kind: "bad_domain"; line: number }
  | { kind: "all_expired" };

const HEADER = "# Netscape HTTP Cookie File";
const HTTP_ONLY_PREFIX = "#HttpOnly_";
/** host names with at least one dot, and IPv4 addresses: never a bare "com" or "localhost" */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{1,63}$/;
const FLAG = /^(TRUE|FALSE)$/i;
const EXPIRY = /^-?\d{1,12}(\.\d+)?$/;
/** values this short are common words: redacting them would garble messages, not protect them */
const SECRET_MIN_LENGTH = 6;

export function readCookieFile(
  text: string,
  now = Date.now(),
): { ok: true; file: CookieFile } | { ok: false; problem: CookieFileProblem } {
  const cookies: Cookie[] = [];
  let expiredDropped = 0;
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, "");
    const httpOnly = line.startsWith(HTTP_ONLY_PREFIX);
    if (!httpOnly && (line.trim() === "" || line.startsWith("#"))) continue;
    const fields = (httpOnly ? line.slice(HTTP_ONLY_PREFIX.length) : line).split("\t");
    const [domainField, subdomains, path, secure, expiry, name, value] = fields;
    const wellFormed = fields.length === 7 && FLAG.test(subdomains) && path.startsWith("/") &&
      FLAG.test(secure) && EXPIRY.test(expiry) && name !== "";
    if (!wellFormed) return { ok: false, problem: { kind: "bad_line", line: index + 1 } };
    const domain = domainField.toLowerCase().replace(/^\./, "");
    if (!DOMAIN.test(domain)) {
      return { ok: false, problem: { kind: "bad_domain", line: index + 1 } };
    }
    const expires = Math.max(0, Math.floor(Number(expiry)));
    if (expires > 0 && expires * 1000 <= now) {
      expiredDropped++;
      continue;
    }
    cookies.push({
      domain,
      subdomains: /^TRUE$/i.test(subdomains) || domainField.startsWith("."),
      path,
      secure: /^TRUE$/i.test(secure),
      httpOnly,
      expires,
      name,
      value,
    });
  }
  if (cookies.length === 0) {
    return { ok: false, problem: { kind: expiredDropped > 0 ? "all_expired" : "empty" } };
  }
  const persistent = cookies.filter((cookie) => cookie.expires > 0).map((c) => c.expires * 1000);
  return {
    ok: true,
    file: {
      cookies,
      domains: domainsOf(cookies),
      text: [HEADER, ...cookies.map(cookieLine), ""].join("\n"),
      earliestExpiry: persistent.length > 0 ? Math.min(...persistent) : undefined,
      expiredDropped,
    },
  };
}

function domainsOf(cookies: Cookie[]): CookieDomain[] {
  const domains = new Map<string, boolean>();
  for (const { domain, subdomains } of cookies) {
    domains.set(domain, (domains.get(domain) ?? false) || subdomains);
  }
  return [...domains].map(([domain, subdomains]) => ({ domain, subdomains }));
}

/** Python's cookie jar wants a leading dot exactly when subdomains are included. */
function cookieLine(cookie: Cookie): string {
  const flag = (value: boolean) => value ? "TRUE" : "FALSE";
  return [
    `${cookie.httpOnly ? HTTP_ONLY_PREFIX : ""}${cookie.subdomains ? "." : ""}${cookie.domain}`,
    flag(cookie.subdomains),
    cookie.path,
    flag(cookie.secure),
    String(cookie.expires),
    cookie.name,
    cookie.value,
  ].join("\t");
}

/** A URL's host as cookie domains are compared with it: lower-case, no trailing dot. */
export function cookieHostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return undefined;
  }
}

/**
 * The domains whose cookies a browser would send to this host: the host itself and each parent
 * domain with at least two labels (www.youtube.com → www.youtube.com, youtube.com). An IP
 * address has no parents.
 */
export function cookieDomainsFor(host: string): string[] {
  if (/^[\d.]+$/.test(host) || host.includes(":")) return [host];
  const labels = host.split(".");
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join("."));
}

/** A browser's rule: the domain itself, or one of its subdomains when the cookie allows them. */
export function cookieDomainMatches(host: string, cookieDomain: CookieDomain): boolean {
  return host === cookieDomain.domain ||
    (cookieDomain.subdomains && host.endsWith(`.${cookieDomain.domain}`));
}

/** The values in a cookies file worth redacting wherever text leaves the worker. */
export function cookieValues(text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const fields = line.replace(/\r$/, "").split("\t");
    const value = fields.length === 7 ? fields[6] : "";
    return value.length >= SECRET_MIN_LENGTH ? [value] : [];
  });
}
