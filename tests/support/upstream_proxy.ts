/**
 * A proxy on loopback standing for one of PROXY_URLS: it speaks HTTP CONNECT or SOCKS5 (with an
 * optional user and password), counts and records the tunnels asked of it, and either forwards
 * them, refuses them (403, or a SOCKS refusal), or opens them and answers every request inside
 * with 429 (`blocked`: a site refusing this proxy's address).
 *
 *   await using proxy = startUpstreamProxy();            // proxy.url → "http://127.0.0.1:40123"
 *   await using socks = startUpstreamProxy({ scheme: "socks5", user: "u", password: "p" });
 */
export type UpstreamProxyMode = "forward" | "refuse" | "blocked";

export interface UpstreamProxyOptions {
  scheme?: "http" | "socks5";
  mode?: UpstreamProxyMode;
  user?: string;
  password?: string;
}

export interface UpstreamProxy extends AsyncDisposable {
  /** with the credentials, e.g. socks5://u:p@127.0.0.1:40123 */
  readonly url: string;
  /** the `host:port` of every tunnel asked, in order, refused ones included */
  readonly targets: string[];
  /** requests answered 429 inside `blocked` tunnels */
  readonly blockedRequests: number;
  /** connections whose credentials were missing or wrong */
  readonly unauthorized: number;
  close(): Promise<void>;
}

export function startUpstreamProxy(options: UpstreamProxyOptions = {}): UpstreamProxy {
  const { scheme = "http", mode = "forward" } = options;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { targets: [] as string[], blockedRequests: 0, unauthorized: 0 };
  const open = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      const session = scheme === "socks5"
        ? socksSession(conn, options, mode, state)
        : httpSession(conn, options, mode, state);
      session.catch(() => {}).finally(() => {
        open.delete(conn);
        closeQuietly(conn);
      });
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  const credentials = options.user
    ? `${encodeURIComponent(options.user)}:${encodeURIComponent(options.password ?? "")}@`
    : "";
  const close = async () => {
    listener.close();
    for (const conn of open) closeQuietly(conn);
    await serving;
  };
  return {
    url: `${scheme}://${credentials}127.0.0.1:${port}`,
    targets: state.targets,
    get blockedRequests() {
      return state.blockedRequests;
    },
    get unauthorized() {
      return state.unauthorized;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

type ProxyState = { targets: string[]; blockedRequests: number; unauthorized: number };

async function httpSession(
  conn: Deno.Conn,
  options: UpstreamProxyOptions,
  mode: UpstreamProxyMode,
  state: ProxyState,
) {
  const head = await readHead(conn);
  const [method, target] = head.split("\r\n")[0].split(" ");
  if (method !== "CONNECT") return await write(conn, "HTTP/1.1 405 Method Not Allowed\r\n\r\n");
  state.targets.push(target);
  if (options.user) {
    const expected = `Basic ${btoa(`${options.user}:${options.password ?? ""}`)}`;
    if (!head.split("\r\n").some((line) => line === `Proxy-Authorization: ${expected}`)) {
      state.unauthorized++;
      return await write(conn, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
    }
  }
  if (mode === "refuse") return await write(conn, "HTTP/1.1 403 Forbidden\r\n\r\n");
  const [host, port] = splitTarget(target);
  const upstream = mode === "forward"
    ? await Deno.connect({ hostname: host, port }).catch(() => null)
    : null;
  if (mode === "forward" && !upstream) return await write(conn, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
  await write(conn, "HTTP/1.1 200 Connection Established\r\n\r\n");
  await tunnel(conn, upstream, state);
}

async function socksSession(
  conn: Deno.Conn,
  options: UpstreamProxyOptions,
  mode: UpstreamProxyMode,
  state: ProxyState,
) {
  const [, count] = await readExactly(conn, 2);
  const methods = [...await readExactly(conn, count)];
  const wanted = options.user ? 2 : 0;
  if (!methods.includes(wanted)) return await conn.write(Uint8Array.of(5, 0xff));
  await conn.write(Uint8Array.of(5, wanted));
  if (wanted === 2) {
    const [, userLength] = await readExactly(conn, 2);
    const user = new TextDecoder().decode(await readExactly(conn, userLength));
    const [passwordLength] = await readExactly(conn, 1);
    const password = new TextDecoder().decode(await readExactly(conn, passwordLength));
    const accepted = user === options.user && password === (options.password ?? "");
    await conn.write(Uint8Array.of(1, accepted ? 0 : 1));
    if (!accepted) {
      state.unauthorized++;
      return;
    }
  }
  const [, command, , addressType] = await readExactly(conn, 4);
  const address = addressType === 1
    ? [...await readExactly(conn, 4)].join(".")
    : addressType === 4
    ? ipv6Text(await readExactly(conn, 16))
    : new TextDecoder().decode(await readExactly(conn, (await readExactly(conn, 1))[0]));
  const portBytes = await readExactly(conn, 2);
  const port = portBytes[0] * 256 + portBytes[1];
  state.targets.push(addressType === 4 ? `[${address}]:${port}` : `${address}:${port}`);
  const reply = (code: number) => conn.write(Uint8Array.of(5, code, 0, 1, 0, 0, 0, 0, 0, 0));
  if (command !== 1 || mode === "refuse") return await reply(2); // connection not allowed
  const upstream = mode === "forward"
    ? await Deno.connect({ hostname: address, port }).catch(() => null)
    : null;
  if (mode === "forward" && !upstream) return await reply(5); // connection refused
  await reply(0);
  await tunnel(conn, upstream, state);
}

/** Pipes both ways; without an upstream (blocked), answers each request inside with 429. */
async function tunnel(conn: Deno.Conn, upstream: Deno.Conn | null, state: ProxyState) {
  if (!upstream) {
    await readHead(conn);
    state.blockedRequests++;
    await write(
      conn,
      "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    return;
  }
  try {
    await Promise.all([
      conn.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
      upstream.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {}),
    ].map((piped) => piped.finally(() => (closeQuietly(conn), closeQuietly(upstream)))));
  } finally {
    closeQuietly(upstream);
  }
}

function splitTarget(target: string): [string, number] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return match ? [match[1], Number(match[2])] : [target, 80];
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(":");
}

async function readHead(conn: Deno.Conn): Promise<string> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (bytes.length < 65536) {
    if ((await conn.read(one)) === null) break;
    bytes.push(one[0]);
    const n = bytes.length;
    if (
      n >= 4 && bytes[n - 4] === 13 && bytes[n - 3] === 10 && bytes[n - 2] === 13 &&
      bytes[n - 1] === 10
    ) {
      break;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) throw new Error("the client hung up");
    filled += n;
  }
  return buffer;
}

async function write(conn: Deno.Conn, text: string) {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
