/**
 * An HTTP proxy on loopback that every yt-dlp and ffmpeg run goes through (http_proxy,
 * https_proxy, ftp_proxy and all_proxy in their environment). Each request, including each
 * redirect hop, names its host again; the guard resolves it and connects only where the policy
 * allows (public addresses unless ALLOW_PRIVATE_URLS), so a public page cannot lead the downloader
 * to a private one. It speaks http only: a proxied ftp:// (or any other scheme) request and a plain
 * http redirect to one are refused. HTTPS goes through CONNECT, checked the same way.
 * With an upstream proxy (PROXY_URLS), the guard still resolves and checks every destination,
 * then reaches the address it allowed through the proxy (workers/upstream_proxy.ts).
 */
import { type AddressPolicy, publicAddressOf } from "../lib/url_guard.ts";
import { connectThrough } from "./upstream_proxy.ts";

/** The reason phrase of the guard's refusals, which yt-dlp repeats in its error line. */
export const EGRESS_REFUSAL = "Refused by the egress guard";

export interface EgressGuard {
  /** e.g. http://127.0.0.1:40123, for the *_proxy variables */
  url: string;
  /** what was refused so far, a host or a scheme and host (for logs and tests) */
  refused: string[];
  /** connections the upstream proxy refused or failed to open: the job may move to another */
  readonly upstreamFailures: number;
  close(): Promise<void>;
}

export interface EgressGuardOptions {
  /** an upstream proxy (http, https or socks5) every allowed connection goes through */
  upstream?: URL;
}

interface GuardState {
  policy: AddressPolicy;
  refused: string[];
  upstream?: URL;
  upstreamFailures: number;
}

const HEAD_LIMIT = 64 * 1024;

export function startEgressGuard(
  policy: AddressPolicy = (host) => publicAddressOf(host),
  options: EgressGuardOptions = {},
): EgressGuard {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state: GuardState = {
    policy,
    refused: [],
    upstream: options.upstream,
    upstreamFailures: 0,
  };
  const connections = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      connections.add(conn);
      handle(conn, state)
        .catch(() => {})
        .finally(() => {
          connections.delete(conn);
          try {
            conn.close();
          } catch {
            // already closed
          }
        });
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    refused: state.refused,
    get upstreamFailures() {
      return state.upstreamFailures;
    },
    async close() {
      listener.close();
      for (const conn of connections) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await serving;
    },
  };
}

async function handle(client: Deno.Conn, state: GuardState): Promise<void> {
  const { refused } = state;
  const { head, rest } = await readHead(client);
  const [requestLine, ...headerLines] = head.split("\r\n");
  const [method, target] = requestLine.split(" ");
  let host: string;
  let port: number;
  let forwardHead: string | undefined;
  if (method === "CONNECT") {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target ?? "");
    if (!match) return await answer(client, 400, "Bad Request");
    host = match[1];
    port = Number(match[2]);
  } else {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return await answer(client, 400, "Bad Request");
    }
    if (url.protocol !== "http:") {
      refused.push(`${url.protocol}//${url.host}`);
      return await answer(client, 403, EGRESS_REFUSAL);
    }
    host = url.hostname;
    port = Number(url.port || 80);
    // origin-form upstream, one request per connection so every hop is checked again
    const headers = headerLines.filter((line) =>
      !/^(proxy-connection|connection|keep-alive):/i.test(line)
    );
    forwardHead = [
      `${method} ${url.pathname}${url.search} HTTP/1.1`,
      ...headers,
      "Connection: close",
      "",
      "",
    ]
      .join("\r\n");
  }
  const address = await state.policy(host);
  if (!address) {
    refused.push(host);
    return await answer(client, 403, EGRESS_REFUSAL);
  }
  const upstream = await connectTo(state, address, port);
  if (!upstream) return await answer(client, 502, "Bad Gateway");
  const pipe = (from: Deno.Conn, to: Deno.Conn) =>
    relay(from, to).catch(() => {}).finally(() => closeBoth(client, upstream));
  try {
    if (forwardHead === undefined) {
      await writeAll(client, "HTTP/1.1 200 Connection Established\r\n\r\n");
      if (rest.length > 0) await upstream.write(rest);
      await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
      return;
    }
    await writeAll(upstream, forwardHead);
    if (rest.length > 0) await upstream.write(rest);
    const requestBody = pipe(client, upstream);
    const response = await readHead(upstream);
    const foreign = foreignRedirect(response.head, target);
    if (foreign) {
      refused.push(foreign);
      await answer(client, 403, EGRESS_REFUSAL);
      return;
    }
    await writeAll(client, `${response.head}\r\n\r\n`);
    if (response.rest.length > 0) await client.write(response.rest);
    await Promise.all([requestBody, pipe(upstream, client)]);
  } finally {
    closeBoth(client, upstream);
  }
}

/** A connection to an allowed address, through the upstream proxy when there is one. */
async function connectTo(state: GuardState, address: string, port: number) {
  if (!state.upstream) return await Deno.connect({ hostname: address, port }).catch(() => null);
  try {
    return await connectThrough(state.upstream, address, port);
  } catch {
    state.upstreamFailures++;
    return null;
  }
}

/** A redirect's target when it leaves http(s) (ftp:, file:, rtmp:…), for the refused list. */
function foreignRedirect(head: string, requestUrl: string): string | undefined {
  const status = Number(head.slice(9, 12));
  const location = /^location:[ \t]*(.*)$/im.exec(head)?.[1].trim();
  if (status < 300 || status >= 400 || !location) return undefined;
  let target: URL;
  try {
    target = new URL(location, requestUrl);
  } catch {
    return undefined;
  }
  if (target.protocol === "http:" || target.protocol === "https:") return undefined;
  return `${target.protocol}//${target.host}`;
}

function closeBoth(a: Deno.Conn, b: Deno.Conn) {
  for (const conn of [a, b]) {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Bytes relayed per read: a 1 GiB download is 16,384 reads and writes. */
const RELAY_CHUNK = 64 * 1024;

/**
 * Copies one direction until it ends, through one buffer: pipeTo allocated a chunk per read, and a
 * 1 GiB download left about 70 MiB of them to the garbage collector, in the worker's own RSS.
 */
async function relay(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(RELAY_CHUNK);
  for (let n = await from.read(buffer); n !== null; n = await from.read(buffer)) {
    let written = 0;
    while (written < n) written += await to.write(buffer.subarray(written, n));
  }
}

async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array }> {
  const buffer = new Uint8Array(HEAD_LIMIT);
  let length = 0;
  while (length < HEAD_LIMIT) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) break;
    const from = Math.max(0, length - 3);
    length += n;
    for (let i = from; i + 3 < length; i++) {
      if (
        buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10
      ) {
        return {
          head: new TextDecoder().decode(buffer.subarray(0, i)),
          rest: buffer.slice(i + 4, length),
        };
      }
    }
  }
  throw new Error("request head too large or incomplete");
}

async function answer(conn: Deno.Conn, status: number, reason: string): Promise<void> {
  await writeAll(
    conn,
    `HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
  );
}

async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
