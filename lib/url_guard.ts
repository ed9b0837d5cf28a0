/**
 * SSRF guard: only http(s) links whose host resolves to public unicast addresses.
 * Loopback, private, link-local (cloud metadata), multicast and reserved ranges are refused.
 */
import type Ipaddr from "ipaddr.js";

export type UrlRefusal =
  | "not_a_url"
  | "bad_scheme"
  | "credentials"
  | "too_long"
  | "private_address"
  | "unresolvable";

/** address: the one the check approved, when it looked one up (not with ALLOW_PRIVATE_URLS) */
export type UrlCheck = { ok: true; url: URL; address?: string } | { ok: false; reason: UrlRefusal };

export type Resolver = (hostname: string) => Promise<string[]>;

export const MAX_URL_LENGTH = 2048;

async function resolveHost(hostname: string): Promise<string[]> {
  const lookups = await Promise.allSettled([
    Deno.resolveDns(hostname, "A"),
    Deno.resolveDns(hostname, "AAAA"),
  ]);
  return lookups.flatMap((r) => r.status === "fulfilled" ? r.value : []);
}

type AddressParser = typeof Ipaddr;
type Cidr = [Ipaddr.IPv4 | Ipaddr.IPv6, number];

/**
 * ipaddr.js, loaded at the first address checked: a CommonJS package costs a cold start tens of
 * ms, and an update that carries no link needs none.
 */
let parser: Promise<{ ipaddr: AddressParser; refusedV6Blocks: Cidr[] }> | undefined;
function addressParser() {
  parser ??= import("ipaddr.js").then(({ default: ipaddr }) => ({
    ipaddr,
    /** IPv6 blocks ipaddr.js counts as unicast that lead to IPv4 hosts, private ones included. */
    refusedV6Blocks: [
      // IPv4-compatible (deprecated): ::7f00:1 is 127.0.0.1 on stacks that still route it
      ipaddr.parseCIDR("::/96"),
      // local-use NAT64 (RFC 8215): a translator inside the network reaches its IPv4 hosts
      ipaddr.parseCIDR("64:ff9b:1::/48"),
    ],
  }));
  return parser;
}

/** True for an address a user's link may reach. */
export async function isPublicAddress(address: string): Promise<boolean> {
  const { ipaddr, refusedV6Blocks } = await addressParser();
  const canonical = address.includes(":") ? canonicalIpv6(address) : address;
  if (canonical === undefined || !ipaddr.isValid(canonical)) return false;
  let parsed = ipaddr.parse(canonical);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as Ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (refusedV6Blocks.some((block) => v6.match(block))) return false;
  }
  return parsed.range() === "unicast";
}

/** True when every address may be reached. */
async function allPublic(addresses: string[]): Promise<boolean> {
  return (await Promise.all(addresses.map(isPublicAddress))).every(Boolean);
}

/**
 * The URL standard's form of an IPv6 literal ("::127.0.0.1" → "::7f00:1"): ipaddr.js reads an
 * embedded dotted quad as IPv4-mapped whatever comes before it.
 */
function canonicalIpv6(address: string): string | undefined {
  try {
    return new URL(`http://[${address.replace(/^\[|\]$/g, "")}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Where a connection to a host may go: one address, resolved once, so the answer that was checked
 * is the answer used (a second lookup could bring a private address). Null when refused.
 */
export type AddressPolicy = (host: string) => Promise<string | null>;

/** The policy for user links: the host's first address, if every address it has is public. */
export function publicAddressOf(
  host: string,
  resolve: Resolver = resolveHost,
): Promise<string | null> {
  return addressOf(host, false, resolve);
}

async function addressOf(
  host: string,
  allowPrivate: boolean,
  resolve: Resolver,
): Promise<string | null> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIpLiteral(bare)) return allowPrivate || await isPublicAddress(bare) ? bare : null;
  const addresses = await resolve(bare);
  if (addresses.length === 0) return null;
  if (!allowPrivate && !(await allPublic(addresses))) return null;
  return addresses[0];
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

export class UrlGuard {
  constructor(
    private readonly allowPrivate: boolean,
    private readonly resolve: Resolver = resolveHost,
  ) {}

  /** Where the guarded fetches and the egress guard may connect for a host, under this guard's rules. */
  readonly addressOf: AddressPolicy = (host) => addressOf(host, this.allowPrivate, this.resolve);

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
    if ((await addressParser()).ipaddr.isValid(host)) {
      return await isPublicAddress(host)
        ? { ok: true, url, address: host }
        : { ok: false, reason: "private_address" };
    }
    if (!host.includes(".") || /\.(localhost|local|internal|localdomain)$/i.test(host)) {
      return { ok: false, reason: "private_address" };
    }
    const addresses = await this.resolve(host);
    if (addresses.length === 0) return { ok: false, reason: "unresolvable" };
    if (!(await allPublic(addresses))) return { ok: false, reason: "private_address" };
    return { ok: true, url, address: addresses[0] };
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
