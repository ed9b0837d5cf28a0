/**
 * Downloads over several connections (aria2c's ranged parts, HLS fragments side by side) go
 * through the egress guard like every other: a page whose media, a redirect, a fragment or a
 * ranged part leads to a private address reaches nothing there. A canary (raw TCP) listens on
 * loopback; the guard's policy counts the pages' host as public, the canary's address as private.
 */
import { assertEquals } from "../support/assert.ts";
import { startTcpCanary } from "../support/canary.ts";
import { fixtureRoot, startMediaLab } from "../support/media_lab.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { publicAddressOf } from "../../lib/url_guard.ts";
import { startEgressGuard } from "../../workers/egress_guard.ts";
import { useEgressProxy } from "../../workers/process.ts";
import { MediaError } from "../../media/media_types.ts";
import { downloadMedia, probeMedia } from "../../workers/ytdlp.ts";

const SITE_HOST = "public.test";
const sitePolicy = (host: string) =>
  host === SITE_HOST ? Promise.resolve("127.0.0.1") : publicAddressOf(host);
const TIMEOUT_MS = 120_000;
const CONNECTIONS = 4;

Deno.test("[security] media, redirects, HLS fragments and ranged parts that lead to a private address reach nothing with several connections", async () => {
  const canary = startTcpCanary();
  const at = `http://127.0.0.1:${canary.port}`;
  // a file big enough for aria2c to split it (two parts of 1 MiB at least)
  const lab = await startMediaLab();
  await lab.bigClip(4);
  await lab.close();
  const bigClip = await Deno.readFile(`${fixtureRoot()}/big/big-4mib.mp4`);
  const page = (src: string) =>
    new Response(
      `<!doctype html><html><head><title>Hostile</title></head><body><video controls><source src="${src}" type="video/mp4" label="720p" res="720"></video></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  const routes: Record<string, (req: Request) => Response> = {
    "/page/private": () => page(`${at}/clip.mp4`),
    "/page/redirect": () => page("/go/private.mp4"),
    "/page/ranged": () => page("/media/ranged.mp4"),
    "/go/private.mp4": () => new Response(null, { status: 302, headers: { location: `${at}/a` } }),
    // the whole file to a plain request; every ranged part is sent to the private address
    "/media/ranged.mp4": (req) =>
      req.headers.has("range")
        ? new Response(null, { status: 302, headers: { location: `${at}/part.mp4` } })
        : new Response(bigClip, {
          headers: { "content-type": "video/mp4", "accept-ranges": "bytes" },
        }),
    "/hls/private.m3u8": () =>
      new Response(
        [
          "#EXTM3U",
          "#EXT-X-VERSION:3",
          "#EXT-X-TARGETDURATION:2",
          "#EXT-X-PLAYLIST-TYPE:VOD",
          ...[0, 1, 2, 3].flatMap((i) => ["#EXTINF:2.0,", `${at}/seg${i}.ts`]),
          "#EXT-X-ENDLIST",
          "",
        ].join("\n"),
        { headers: { "content-type": "application/vnd.apple.mpegurl" } },
      ),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const route = routes[new URL(req.url).pathname];
    return route ? route(req) : new Response("not found", { status: 404 });
  });
  const base = `http://${SITE_HOST}:${server.addr.port}`;
  const guard = startEgressGuard(sitePolicy);
  const release = useEgressProxy(guard.url);
  const scratch = await Deno.makeTempDir({ prefix: "egress-parallel-test-" });
  // a file from these must never come; the ranged page's whole file may (it is the site's own)
  const mustFail = ["/page/private", "/page/redirect", "/hls/private.m3u8"];
  const links = [...mustFail, "/page/ranged"];
  let wrongFiles = 0;
  let crashes = 0;
  try {
    for (const path of links) {
      const url = `${base}${path}`;
      try {
        const info = await probeMedia(url, { timeoutMs: TIMEOUT_MS });
        const media = await downloadMedia(url, {
          variant: "best",
          info,
          outDir: await Deno.makeTempDir({ dir: scratch }),
          maxBytes: 50_000_000,
          timeoutMs: TIMEOUT_MS,
          connections: CONNECTIONS,
        });
        if (mustFail.includes(path)) wrongFiles++;
        else if (media.size !== bigClip.length) wrongFiles++;
      } catch (error) {
        if (!(error instanceof MediaError)) crashes++;
      }
    }
  } finally {
    release();
    await guard.close();
    await server.shutdown();
    await Deno.remove(scratch, { recursive: true });
  }
  const escapes = canary.connections;
  await canary.close();
  await reportHostile({
    name: "private media, redirects, HLS fragments and ranged parts with several connections",
    inputs: links.length,
    escapes,
    wrongFiles,
    crashes,
  });
  assertEquals(escapes, 0, "no connection reached the canary");
  assertEquals(wrongFiles, 0, "no file came from the private address");
  assertEquals(crashes, 0, "every failure is a MediaError");
});
