/**
 * The egress guard chained to an upstream proxy (PROXY_URLS): the real yt-dlp fetches through
 * the guard, which checks the destination and then asks the upstream (HTTP CONNECT or SOCKS5) for
 * the address it allowed; a proxy that refuses shows as a 502 and is counted.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startUpstreamProxy } from "../support/upstream_proxy.ts";
import { publicAddressOf } from "../../lib/url_guard.ts";
import { startEgressGuard } from "../../workers/egress_guard.ts";

/** "public.test" stands for a public site (served on loopback); every other host gets the real check. */
const policy = (host: string) =>
  host === "public.test" ? Promise.resolve("127.0.0.1") : publicAddressOf(host);

function serveSite() {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<html><title>through the proxy</title><video src='/clip.mp4'></video></html>", {
        headers: { "content-type": "text/html" },
      }),
  );
  return { port: server.addr.port, [Symbol.asyncDispose]: () => server.shutdown() };
}

async function ytdlpThrough(guardUrl: string, url: string) {
  const output = await new Deno.Command("yt-dlp", {
    args: ["-J", "--no-warnings", "--ignore-config", "--socket-timeout", "10", "--", url],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", http_proxy: guardUrl, https_proxy: guardUrl },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    ok: output.success,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

for (const scheme of ["http", "socks5"] as const) {
  Deno.test(`[workers/upstream-proxy] through a ${scheme} upstream with a user and password, yt-dlp gets the page; the proxy is asked for the checked address, never the name`, async () => {
    await using site = serveSite();
    await using proxy = startUpstreamProxy({ scheme, user: "bot user", password: "p@ss:word" });
    const guard = startEgressGuard(policy, { upstream: new URL(proxy.url) });
    try {
      const run = await ytdlpThrough(guard.url, `http://public.test:${site.port}/page`);
      assert(run.ok, run.stderr);
      assertEquals(JSON.parse(run.stdout).title.startsWith("through the proxy"), true);
      assertEquals(proxy.targets, [`127.0.0.1:${site.port}`], "every hop, by address");
      assertEquals([proxy.unauthorized, guard.upstreamFailures], [0, 0]);
    } finally {
      await guard.close();
    }
  });
}

Deno.test("[workers/upstream-proxy] a proxy that refuses, or refuses our credentials, fails the request with 502 and is counted", async () => {
  await using site = serveSite();
  await using refusing = startUpstreamProxy({ mode: "refuse" });
  await using strict = startUpstreamProxy({ scheme: "socks5", user: "u", password: "right" });
  const wrongPassword = new URL(strict.url);
  wrongPassword.password = "wrong";
  for (const upstream of [new URL(refusing.url), wrongPassword]) {
    const guard = startEgressGuard(policy, { upstream });
    try {
      const run = await ytdlpThrough(guard.url, `http://public.test:${site.port}/page`);
      assertEquals(run.ok, false);
      assert(/HTTP Error 502/.test(run.stderr), run.stderr);
      assert(guard.upstreamFailures >= 1, `${upstream.protocol} failures counted`);
    } finally {
      await guard.close();
    }
  }
  assertEquals(strict.unauthorized >= 1, true);
});
