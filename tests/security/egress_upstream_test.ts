/**
 * With an upstream proxy, the egress guard still decides where a job may connect: private and
 * metadata addresses, directly or by a public page's redirect, are refused before the upstream is
 * asked for anything, so a proxy (which would happily reach its own network) never sees them.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startTcpCanary } from "../support/canary.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { startUpstreamProxy } from "../support/upstream_proxy.ts";
import { publicAddressOf } from "../../lib/url_guard.ts";
import { startEgressGuard } from "../../workers/egress_guard.ts";

const policy = (host: string) =>
  host === "public.test" ? Promise.resolve("127.0.0.1") : publicAddressOf(host);

Deno.test("[security] through an upstream proxy, private, loopback and metadata targets are refused before the proxy is asked", async () => {
  const canary = startTcpCanary();
  const site = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const to = new URL(req.url).searchParams.get("to") ?? "";
    return new Response(null, { status: 302, headers: { location: to } });
  });
  const at = `127.0.0.1:${canary.port}`;
  const targets = [
    `http://${at}/`,
    `http://localhost:${canary.port}/`,
    `http://[::1]:${canary.port}/`,
    `http://[::ffff:127.0.0.1]:${canary.port}/`,
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
  ];
  const links = [
    ...targets,
    // a public page that sends the downloader on to each of them
    ...targets.map((to) => `http://public.test:${site.addr.port}/go?to=${encodeURIComponent(to)}`),
  ];
  let crashes = 0;
  await using proxy = startUpstreamProxy();
  const guard = startEgressGuard(policy, { upstream: new URL(proxy.url) });
  try {
    for (const link of links) {
      const run = await new Deno.Command("yt-dlp", {
        args: ["-J", "--no-warnings", "--ignore-config", "--socket-timeout", "5", "--", link],
        clearEnv: true,
        env: { PATH: Deno.env.get("PATH") ?? "", http_proxy: guard.url, https_proxy: guard.url },
        stdout: "null",
        stderr: "piped",
      }).output();
      if (run.success) crashes++; // nothing there is media: success would mean something answered
    }
  } finally {
    await guard.close();
    await site.shutdown();
  }
  const privateAsked = proxy.targets.filter((target) => !target.endsWith(`:${site.addr.port}`));
  const escapes = canary.connections + privateAsked.length;
  await canary.close();
  await reportHostile({
    name: "private targets through an upstream proxy, directly and by redirect",
    inputs: links.length,
    escapes,
    wrongFiles: 0,
    crashes,
  });
  assertEquals(privateAsked, [], "the proxy was never asked for a private address");
  assertEquals(escapes, 0);
  assertEquals(crashes, 0);
  assert(guard.refused.length >= targets.length, `refused: ${guard.refused}`);
  assertEquals(guard.upstreamFailures, 0);
});
