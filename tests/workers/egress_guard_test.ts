import { assert, assertEquals } from "../support/assert.ts";
import { EGRESS_REFUSAL, startEgressGuard } from "../../workers/egress_guard.ts";
import { startTcpCanary } from "../support/canary.ts";
import { publicAddressOf } from "../../lib/url_guard.ts";

/** "public.test" stands for a public site (served on loopback); every other host gets the real check. */
const policy = (host: string) =>
  Promise.resolve(host === "public.test" ? "127.0.0.1" : null).then((a) =>
    a ?? publicAddressOf(host)
  );

function serve(handler: (req: Request) => Response) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
}

Deno.test("[workers/egress-guard] yt-dlp cannot be redirected by a public page to a private address", async () => {
  const canaryHits: string[] = [];
  const canary = serve((req) => {
    canaryHits.push(req.url);
    return new Response("secret");
  });
  const site = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/redirect") {
      return new Response(null, {
        status: 302,
        headers: { location: `http://127.0.0.1:${canary.port}/secret` },
      });
    }
    return new Response("<html><title>ok</title><video src='/clip.mp4'></video></html>", {
      headers: { "content-type": "text/html" },
    });
  });
  const guard = startEgressGuard(policy);
  try {
    const run = (url: string) =>
      new Deno.Command("yt-dlp", {
        args: ["-J", "--no-warnings", "--ignore-config", "--socket-timeout", "5", "--", url],
        env: { http_proxy: guard.url, https_proxy: guard.url },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const redirected = await run(`http://public.test:${site.port}/redirect`);
    assertEquals(redirected.success, false);
    assertEquals(canaryHits, [], "the private address was never reached");
    assert(guard.refused.includes("127.0.0.1"), `refused: ${guard.refused}`);

    const direct = await run(`http://127.0.0.1:${canary.port}/video`);
    assertEquals(direct.success, false);
    assertEquals(canaryHits, [], "nor directly");

    // the control: a public page is fetched through the guard
    const page = await run(`http://public.test:${site.port}/page`);
    const info = JSON.parse(new TextDecoder().decode(page.stdout) || "null");
    assertEquals(info?.title?.startsWith("ok"), true, new TextDecoder().decode(page.stderr));
  } finally {
    await guard.close();
    await site.close();
    await canary.close();
  }
});

Deno.test("[workers/egress-guard] CONNECT tunnels only to allowed hosts", async () => {
  const site = serve(() => new Response("through the tunnel"));
  const guard = startEgressGuard(policy);
  const port = Number(new URL(guard.url).port);
  const exchange = async (request: string) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(request));
    const chunks: string[] = [];
    const buffer = new Uint8Array(4096);
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(new TextDecoder().decode(buffer.subarray(0, n)));
      if (
        chunks.join("").includes("through the tunnel") || chunks.join("").startsWith("HTTP/1.1 403")
      ) break;
    }
    conn.close();
    return chunks.join("");
  };
  try {
    const refused = await exchange("CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert(refused.startsWith("HTTP/1.1 403"), refused);
    const allowed = await exchange(
      `CONNECT public.test:${site.port} HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: public.test\r\nConnection: close\r\n\r\n`,
    );
    assert(allowed.startsWith("HTTP/1.1 200 Connection Established"), allowed);
    assert(allowed.includes("through the tunnel"), allowed);
  } finally {
    await guard.close();
    await site.close();
  }
});

/** Sends one raw request to the guard and reads the whole answer (the guard closes after it). */
async function exchangeWith(guardUrl: string, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(guardUrl).port) });
  await conn.write(new TextEncoder().encode(request));
  let text = "";
  const buffer = new Uint8Array(4096);
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  conn.close();
  return text;
}

Deno.test("[workers/egress-guard] only http leaves through the guard: ftp requests and plain-http redirects to other schemes are refused", async () => {
  const canary = startTcpCanary();
  const redirects: Record<string, string> = {
    "/to-ftp": `ftp://127.0.0.1:${canary.port}/clip.mp4`,
    "/to-file": "file:///etc/passwd",
    "/to-rtmp": `rtmp://127.0.0.1:${canary.port}/live/x`,
    "/to-data": "data:video/mp4;base64,AAAA",
    "/to-http": "/clip.mp4",
  };
  const site = serve((req) =>
    new Response(null, { status: 302, headers: { location: redirects[new URL(req.url).pathname] } })
  );
  const guard = startEgressGuard(policy);
  const get = (url: string) =>
    exchangeWith(guard.url, `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  try {
    const ftp = await get(`ftp://127.0.0.1:${canary.port}/clip.mp4`);
    assert(ftp.startsWith(`HTTP/1.1 403 ${EGRESS_REFUSAL}`), ftp);
    for (const path of ["/to-ftp", "/to-file", "/to-rtmp", "/to-data"]) {
      const answer = await get(`http://public.test:${site.port}${path}`);
      assert(answer.startsWith(`HTTP/1.1 403 ${EGRESS_REFUSAL}`), `${path}: ${answer}`);
      assert(!answer.includes("location"), `${path}: the target is not passed on`);
    }
    const http = await get(`http://public.test:${site.port}/to-http`);
    assert(/^HTTP\/1\.1 302 /.test(http) && /location: \/clip\.mp4/i.test(http), http);
    assertEquals(guard.refused, [
      `ftp://127.0.0.1:${canary.port}`,
      `ftp://127.0.0.1:${canary.port}`,
      "file://",
      `rtmp://127.0.0.1:${canary.port}`,
      "data://",
    ]);
    assertEquals(canary.connections, 0);
  } finally {
    await guard.close();
    await site.close();
    await canary.close();
  }
});

Deno.test("[workers/egress-guard] IPv4-compatible and local-use NAT64 IPv6 targets are refused", async () => {
  const guard = startEgressGuard(policy);
  try {
    for (const host of ["[::7f00:1]", "[::127.0.0.1]", "[64:ff9b:1::7f00:1]"]) {
      const connect = await exchangeWith(
        guard.url,
        `CONNECT ${host}:80 HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert(connect.startsWith(`HTTP/1.1 403 ${EGRESS_REFUSAL}`), `${host}: ${connect}`);
      const get = await exchangeWith(
        guard.url,
        `GET http://${host}:80/ HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert(get.startsWith(`HTTP/1.1 403 ${EGRESS_REFUSAL}`), `${host}: ${get}`);
    }
    assertEquals(guard.refused.length, 6, `refused: ${guard.refused}`);
  } finally {
    await guard.close();
  }
});
