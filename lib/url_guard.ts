/**
 * SSRF guard: only http(s) links whose host resolves to public unicast addresses.
 * Loopback, private, link-local (cloud metadata), multicast and reserved ranges are refused.
 */
import ipaddr from "ipaddr.js";

export type UrlRefusal =
  | "not_a_url"
  | "bad_scheme"
  | "credentials"
  | "too_long"
  | "private_address"
  | "unresolvable";

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: UrlRefusal };

export type Resolver = (hostname: string) => Promise<string[]>;

export const MAX_URL_LENGTH = 2048;

export async function resolveHost(hostname: string): Promise<string[]> {
  const lookups = await Promise.allSettled([
    Deno.resolveDns(hostname, "A"),
    Deno.resolveDns(hostname, "AAAA"),
  ]);
  return lookups.flatMap((r) => r.status === "fulfilled" ? r.value : []);
}

/** True for an address a user's link may reach. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  return parsed.range() === "unicast";
}

export class UrlGuard {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: Resolver = resolveHost,
  ) {}

  async check(raw: string): Promise<UrlCheck> {
    if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: "too_long" };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, reason: "not_a_url" };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { ok: false, reason: "bad_scheme" };
    }
    if (url.username || url.password) return { ok: false, reason: "credentials" };
    if (this.allowPrivate) return { ok: true, url };
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (ipaddr.isValid(host)) {
      return isPublicAddress(host) ? { ok: true, url } : { ok: false, reason: "private_address" };
    }
    if (!host.includes(".") || /\.(localhost|local|internal|localdomain)$/i.test(host)) {
      return { ok: false, reason: "private_address" };
    }
    const addresses = await this.resolve(host);
    if (addresses.length === 0) return { ok: false, reason: "unresolvable" };
    if (!addresses.every(isPublicAddress)) return { ok: false, reason: "private_address" };
    return { ok: true, url };
  }
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/i;

interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

/** The first link of a message: URL entities first (they are Telegram's own parse), then plain text. */
export function extractUrl(
  text: string | undefined,
  entities: readonly Entity[] = [],
): string | undefined {
  // updates are not validated by the Bot API client: a forged one may carry anything
  if (typeof text !== "string") return undefined;
  for (const entity of entities) {
    if (entity.type === "text_link" && entity.url) return entity.url;
    if (entity.type === "url" && text) {
      const value = text.slice(entity.offset, entity.offset + entity.length);
      return /^https?:\/\//i.test(value) ? value : `https://${value}`;
    }
  }
  return text?.match(URL_PATTERN)?.[0].replace(/[.,;:!?)\]]+$/, "");
}
