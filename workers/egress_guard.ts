/**
 * An HTTP proxy on loopback that every yt-dlp and ffmpeg run goes through (http_proxy and
 * https_proxy in their environment). Each request, including each redirect hop, names its host
 * again; the guard resolves it and connects only to public addresses, so a public page cannot
 * lead the downloader to a private one. HTTPS goes through CONNECT, checked the same way.
 */
import { isPublicAddress, resolveHost } from "../lib/url_guard.ts";

export type AddressPolicy = (host: string) => Promise<string | null>;

/** The default policy: the first address of the host if every address it has is public. */
export async function publicAddressOf(host: string): Promise<string | null> {
  const bare = host.replace(/^\[|\]$/g, "");
  const addresses = isIpLiteral(bare) ? [bare] : await resolveHost(bare);
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) return null;
  return addresses[0];
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

export interface EgressGuard {
  /** e.g. http://127.0.0.1:40123, for http_proxy and https_proxy */
  url: string;
  /** hosts refused so far (for logs and tests) */
  refused: string[];
  close(): Promise<void>;
}

const HEAD_LIMIT = 64 * 1024;

export function startEgressGuard(policy: AddressPolicy = publicAddressOf): EgressGuard {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refused: string[] = [];
  const connections = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      connections.add(conn);
      handle(conn, policy, refused)
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
    refused,
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

async function handle(client: Deno.Conn, policy: AddressPolicy, refused: string[]): Promise<void> {
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
    if (url.protocol !== "http:") return await answer(client, 400, "Bad Request");
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
  const address = await policy(host);
  if (!address) {
    refused.push(host);
    return await answer(client, 403, "Forbidden");
  }
  const upstream = await Deno.connect({ hostname: address, port }).catch(() => null);
  if (!upstream) return await answer(client, 502, "Bad Gateway");
  try {
    if (forwardHead === undefined) {
      await writeAll(client, "HTTP/1.1 200 Connection Established\r\n\r\n");
    } else {
      await writeAll(upstream, forwardHead);
    }
    if (rest.length > 0) await upstream.write(rest);
    await Promise.all([
      client.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
      upstream.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}),
    ].map((p) => p.finally(() => closeBoth(client, upstream))));
  } finally {
    closeBoth(client, upstream);
  }
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
