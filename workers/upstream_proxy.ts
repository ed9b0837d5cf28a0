/**
 * Connections through an upstream proxy (PROXY_URLS): http and https proxies by CONNECT, socks5
 * by its CONNECT command (RFC 1928, user and password by RFC 1929). The egress guard hands over
 * an address it has already checked, never a host name, so the proxy cannot resolve the name to
 * somewhere else: what the guard allowed is what the proxy reaches.
 */
import ipaddr from "ipaddr.js";

/** The proxy answered but would not connect us (a CONNECT not answered 200, a SOCKS refusal). */
class UpstreamRefusal extends Error {
  override name = "UpstreamRefusal";
}

const CONNECT_TIMEOUT_MS = 15_000;
const HEAD_LIMIT = 16 * 1024;

export async function connectThrough(
  proxy: URL,
  address: string,
  port: number,
): Promise<Deno.Conn> {
  const conn = await withDeadline(openToProxy(proxy), CONNECT_TIMEOUT_MS, (late) => late.close());
  try {
    const handshake = proxy.protocol.startsWith("socks5")
      ? socksConnect(conn, proxy, address, port)
      : httpConnect(conn, proxy, address, port);
    await withDeadline(handshake, CONNECT_TIMEOUT_MS);
    return conn;
  } catch (error) {
    conn.close();
    throw error;
  }
}

function openToProxy(proxy: URL): Promise<Deno.Conn> {
  const hostname = proxy.hostname.replace(/^\[|\]$/g, "");
  if (proxy.protocol === "https:") {
    return Deno.connectTls({ hostname, port: Number(proxy.port || 443) });
  }
  const port = Number(proxy.port || (proxy.protocol === "http:" ? 80 : 1080));
  return Deno.connect({ hostname, port });
}

async function httpConnect(conn: Deno.Conn, proxy: URL, address: string, port: number) {
  const authority = `${address.includes(":") ? `[${address}]` : address}:${port}`;
  const credentials = proxy.username
    ? [`Proxy-Authorization: Basic ${btoa(`${userOf(proxy)}:${passwordOf(proxy)}`)}`]
    : [];
  const head = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...credentials, "", ""];
  await writeAll(conn, new TextEncoder().encode(head.join("\r\n")));
  const answer = await readResponseHead(conn);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
  if (status !== "200") throw new UpstreamRefusal(`the proxy answered ${status ?? "garbage"}`);
}

/** Reads up to the blank line byte by byte: nothing of the tunnel may be read past it. */
async function readResponseHead(conn: Deno.Conn): Promise<string> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (bytes.length < HEAD_LIMIT) {
    if ((await conn.read(one)) === null) throw new UpstreamRefusal("the proxy hung up");
    bytes.push(one[0]);
    const n = bytes.length;
    if (
      n >= 4 && bytes[n - 4] === 13 && bytes[n - 3] === 10 && bytes[n - 2] === 13 && one[0] === 10
    ) {
      return new TextDecoder().decode(new Uint8Array(bytes));
    }
  }
  throw new UpstreamRefusal("the proxy's answer is too long");
}

const SOCKS_VERSION = 5;
const NO_AUTHENTICATION = 0;
const USER_PASSWORD = 2;

async function socksConnect(conn: Deno.Conn, proxy: URL, address: string, port: number) {
  const withPassword = proxy.username !== "";
  const methods = withPassword ? [NO_AUTHENTICATION, USER_PASSWORD] : [NO_AUTHENTICATION];
  await writeAll(conn, Uint8Array.of(SOCKS_VERSION, methods.length, ...methods));
  const [version, method] = await readExactly(conn, 2);
  if (version !== SOCKS_VERSION || !methods.includes(method)) {
    throw new UpstreamRefusal("the SOCKS proxy accepts none of our methods");
  }
  if (method === USER_PASSWORD) {
    const user = new TextEncoder().encode(userOf(proxy));
    const password = new TextEncoder().encode(passwordOf(proxy));
    await writeAll(conn, Uint8Array.of(1, user.length, ...user, password.length, ...password));
    const [, status] = await readExactly(conn, 2);
    if (status !== 0) throw new UpstreamRefusal("the SOCKS proxy refused our credentials");
  }
  const ip = ipaddr.parse(address);
  const addressType = ip.kind() === "ipv4" ? 1 : 4;
  await writeAll(
    conn,
    Uint8Array.of(SOCKS_VERSION, 1, 0, addressType, ...ip.toByteArray(), port >> 8, port & 255),
  );
  const [, reply, , boundType] = await readExactly(conn, 4);
  if (reply !== 0) throw new UpstreamRefusal(`the SOCKS proxy refused to connect (${reply})`);
  const boundLength = boundType === 1 ? 4 : boundType === 4 ? 16 : (await readExactly(conn, 1))[0];
  await readExactly(conn, boundLength + 2);
}

function userOf(proxy: URL): string {
  return decodeURIComponent(proxy.username);
}

function passwordOf(proxy: URL): string {
  return decodeURIComponent(proxy.password);
}

async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await conn.read(buffer.subarray(filled));
    if (n === null) throw new UpstreamRefusal("the SOCKS proxy hung up");
    filled += n;
  }
  return buffer;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** The promise's value, or an error after ms; what arrives too late goes to onLate. */
function withDeadline<T>(promise: Promise<T>, ms: number, onLate?: (value: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired = false;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(new Error("the upstream proxy did not answer in time"));
    }, ms);
  });
  promise.then((value) => expired && onLate?.(value), () => {});
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
