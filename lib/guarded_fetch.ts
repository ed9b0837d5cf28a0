/**
 * The HTTP requests the bot makes itself (size HEADs, live playlists, preview thumbnails), under
 * the egress guard's rule: each hop's host is resolved once, and the connection goes to that very
 * address (node's `lookup` hook), so a DNS answer that changes between the check and the use
 * reaches nothing private. Redirects are followed one checked hop at a time, to http(s) only.
 */
import type { LookupFunction } from "node:net";
import type { UrlGuard } from "./url_guard.ts";

/** What the guarded fetch asks of a guard (UrlGuard; tests give their own answers). */
export type FetchGuard = Pick<UrlGuard, "check" | "addressOf">;

export interface GuardedRequest {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  /** a longer body fails the request */
  maxBodyBytes: number;
  maxRedirects: number;
  /** for the whole request, redirects included */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  /** the address that answered, after redirects */
  url: string;
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** The link or one of its redirects leads where the guard does not go (reason: the guard's). */
export class EgressRefusedError extends Error {
  override name = "EgressRefusedError";
}

/** The answer's body was longer than maxBodyBytes. */
export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
}

export async function guardedFetch(
  guard: FetchGuard,
  url: string,
  request: GuardedRequest,
): Promise<GuardedResponse> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  let next = url;
  for (let hop = 0; hop <= request.maxRedirects; hop++) {
    const checked = await guard.check(next);
    if (!checked.ok) throw new EgressRefusedError(`refused (${checked.reason})`);
    const address = checked.address ?? await guard.addressOf(checked.url.hostname);
    if (!address) throw new EgressRefusedError("refused (private_address)");
    const response = await send(checked.url, address, request, signal);
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) return response;
    next = new URL(location, checked.url).href;
  }
  throw new EgressRefusedError("refused (too many redirects)");
}

async function send(
  url: URL,
  address: string,
  request: GuardedRequest,
  signal: AbortSignal,
): Promise<GuardedResponse> {
  const family = address.includes(":") ? 6 : 4;
  // whatever the name, the connection goes to the address that was checked
  const lookup: LookupFunction = (_host, options, callback) =>
    options.all ? callback(null, [{ address, family }]) : callback(null, address, family);
  // Node's HTTP clients take a large share of a cold start: loaded at the first guarded request
  const { default: client } = url.protocol === "https:"
    ? await import("node:https")
    : await import("node:http");
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: request.method ?? "GET",
      headers: { "accept-encoding": "identity", ...request.headers },
      // a pooled socket could belong to an earlier answer: every request connects anew
      agent: false,
      lookup,
      signal,
    }, (res) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      res.on("data", (chunk: Uint8Array) => {
        size += chunk.byteLength;
        if (size <= request.maxBodyBytes) {
          chunks.push(chunk);
        } else {
          reject(new ResponseTooLargeError(`more than ${request.maxBodyBytes} bytes`));
          req.destroy();
        }
      });
      res.on("end", () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) {
            headers.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
        }
        // a promise settles once: after a refusal above this changes nothing
        resolve({ url: url.href, status: res.statusCode ?? 0, headers, body: concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
