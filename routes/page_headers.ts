/**
 * The security headers of the server-rendered pages, by Hono's secureHeaders: a strict CSP whose
 * styles (and, where a page has one, script) run by a per-response nonce, no referrer, no sniffing.
 */
import type { Context, MiddlewareHandler } from "hono";
import { type ContentSecurityPolicyOptionHandler, NONCE, secureHeaders } from "hono/secure-headers";

export interface PagePolicy {
  /** script sources beyond none; "nonce" for the page's own inline script */
  scripts?: string[];
  /** frames the page may show (the Telegram Login Widget's) */
  frames?: string[];
  images: string[];
  /** where its forms may post */
  forms: string;
  /** who may show the page in a frame: `'none'`, or Telegram's web client for a Mini App */
  framedBy: string[];
}

const sources = (list: string[]): (string | ContentSecurityPolicyOptionHandler)[] =>
  list.map((source) => (source === "nonce" ? NONCE : source));

/** The headers of pages under `policy`. */
export function pageHeaders(policy: PagePolicy): MiddlewareHandler {
  const framed = !policy.framedBy.includes("'none'");
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      imgSrc: policy.images,
      styleSrc: [NONCE],
      ...(policy.scripts ? { scriptSrc: sources(policy.scripts) } : {}),
      ...(policy.frames ? { frameSrc: policy.frames } : {}),
      formAction: [policy.forms],
      baseUri: ["'none'"],
      frameAncestors: policy.framedBy,
    },
    // a page that another site shows in a frame cannot say SAMEORIGIN; frame-ancestors rules
    xFrameOptions: framed ? false : "DENY",
    // the Login Widget's popup talks to its opener, and Telegram's clients frame the Mini App
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    // HTTPS is the deployment's to enforce, for its whole domain
    strictTransportSecurity: false,
  });
}

/** A page rendered under `headers`, its body given the nonce that its CSP allows. */
export async function renderUnder(
  c: Context,
  headers: MiddlewareHandler,
  render: (nonce: string) => Response | Promise<Response>,
): Promise<Response> {
  // no copy of a page (a session's, a signed-in admin's) stays in a cache
  c.header("cache-control", "no-store");
  await headers(c, async () => {
    // the CSP's nonce is drawn before the page is rendered
    c.res = await render(c.get("secureHeadersNonce")!);
  });
  return c.res;
}
