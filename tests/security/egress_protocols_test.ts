/**
 * Pages that point the downloader at other schemes than http(s): ftp, rtmp, rtsp and mms sources,
 * redirects to ftp:, file: and rtmp:, HLS playlists whose segments are ftp: or file:, a "video"
 * that is a playlist of files on the worker's disk, and IPv6 forms of private addresses. A canary
 * (raw TCP: ftp is not http) listens on loopback; the egress guard's policy counts the pages'
 * host as public, so what keeps the canary silent is the protocol defence, not the address one.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import { buttons } from "../support/chat.ts";
import { CANARY_BANNER, startTcpCanary, type TcpCanary } from "../support/canary.ts";
import { fixturePath, fixtureRoot, prepareFixtures } from "../support/media_lab.ts";
import { reportHostile } from "../support/hostile_report.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { publicAddressOf, UrlGuard } from "../../lib/url_guard.ts";
import { EGRESS_REFUSAL, startEgressGuard } from "../../workers/egress_guard.ts";
import { runProcess, useEgressProxy } from "../../workers/process.ts";
import { YTDLP_BASE_ARGS } from "../../workers/ytdlp_run.ts";

/** The hostile site's name: the guard's policy takes it for a public host (it is on loopback). */
const SITE_HOST = "public.test";
const sitePolicy = (host: string) =>
  host === SITE_HOST ? Promise.resolve("127.0.0.1") : publicAddressOf(host);

interface HostileSite extends AsyncDisposable {
  /** http://public.test:<port> */
  base: string;
}

/** Pages, redirects and playlists that lead to the canary (or to files on disk) by their scheme. */
async function startHostileSite(canary: TcpCanary): Promise<HostileSite> {
  await prepareFixtures();
  const at = `127.0.0.1:${canary.port}`;
  const clip360 = await Deno.readFile(fixturePath("clip360.mp4"));
  const segment = await Deno.readFile(`${fixtureRoot()}/hls/360p/seg000.ts`);
  const page = (sources: string) =>
    new Response(
      `<!doctype html><html><head><title>Hostile</title></head><body><video controls>${sources}</video></body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );
  const source = (src: string, label = "720p") =>
    `<source src="${src}" type="video/mp4" label="${label}" res="${parseInt(label)}">`;
  const playlist = (segments: string[]) =>
    new Response(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        ...segments.flatMap((uri) => ["#EXTINF:2.0,", uri]),
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
      { headers: { "content-type": "application/vnd.apple.mpegurl" } },
    );
  const redirect = (location: string) => new Response(null, { status: 302, headers: { location } });
  const routes: Record<string, () => Response> = {
    "/page/ftp": () => page(source(`ftp://${at}/clip.mp4`)),
    "/page/rtmp": () => page(source(`rtmp://${at}/live/clip`)),
    "/page/rtmpe": () => page(source(`rtmpe://${at}/live/clip`)),
    "/page/rtsp": () => page(source(`rtsp://${at}/clip`)),
    "/page/mms": () => page(source(`mms://${at}/clip`)),
    "/page/mixed": () =>
      page(source(`ftp://${at}/hd.mp4`, "1080p") + source("/media/clip360.mp4", "360p")),
    "/page/redirect-ftp": () => page(source("/go/ftp.mp4")),
    "/page/redirect-file": () => page(source("/go/file.mp4")),
    "/page/redirect-rtmp": () => page(source("/go/rtmp.mp4")),
    "/page/disguised": () => page(source("/media/disguised.mp4")),
    "/go/ftp.mp4": () => redirect(`ftp://${at}/clip.mp4`),
    "/go/file.mp4": () => redirect("file:///etc/passwd"),
    "/go/rtmp.mp4": () => redirect(`rtmp://${at}/live/clip`),
    "/hls/ftp-segments.m3u8": () => playlist([`ftp://${at}/seg0.ts`, `ftp://${at}/seg1.ts`]),
    "/hls/file-segments.m3u8": () => playlist(["file:///etc/passwd", "file:///etc/hostname"]),
    "/hls/seg0.ts": () => new Response(segment, { headers: { "content-type": "video/mp2t" } }),
    "/media/clip360.mp4": () => new Response(clip360, { headers: { "content-type": "video/mp4" } }),
    // served as a video; it is an HLS playlist of another file on the worker's disk
    "/media/disguised.mp4": () =>
      new Response(
        `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nfile:${fixturePath("series2.mp4")}\n` +
          "#EXT-X-ENDLIST\n",
        { headers: { "content-type": "video/mp4" } },
      ),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const route = routes[new URL(req.url).pathname];
    return route ? route() : new Response("not found", { status: 404 });
  });
  return {
    base: `http://${SITE_HOST}:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

type Outcome = { preview: BotMessage } | { text: string } | { file: BotMessage };

/** The first of: a file, one of `endings` as a message's text, or a preview (after that message). */
function nextOutcome(
  telegram: FakeTelegram,
  user: FakeUser,
  endings: string[],
  after = 0,
): Promise<Outcome> {
  return telegram.waitFor(() => {
    const messages = telegram.messages(user.id, { after }).filter((m) => !m.deleted);
    const file = messages.find((m) => m.media && m.media.kind !== "photo");
    if (file) return { file };
    const ending = messages.find((m) => endings.includes(m.text ?? ""));
    if (ending) return { text: ending.text! };
    const preview = messages.find((m) => buttons(m).some((b) => b.data.startsWith("dl:")));
    if (preview) return { preview };
  }, { timeoutMs: 120_000 });
}

Deno.test("[security] pages leading to ftp, rtmp, rtsp, mms and file: reach nothing, and the user gets a generic failure", async () => {
  const canary = startTcpCanary();
  await using site = await startHostileSite(canary);
  await using bed = await startTestSystem({}, { egressPolicy: sitePolicy });
  const { telegram } = bed;
  const t = translatorFor(await createI18n(), "en");
  const unsupported = t("error-unsupported");
  const failed = t("error-failed");
  const endings = ["error-unsupported", "error-unavailable", "error-failed", "error-timeout"]
    .map((key) => t(key));
  const cases: { path: string; expected: string }[] = [
    // never offered: the probe keeps no format fetched otherwise than over http(s), HLS or DASH
    ...["ftp", "rtmp", "rtmpe", "rtsp", "mms"].map((scheme) => ({
      path: `/page/${scheme}`,
      expected: unsupported,
    })),
    // offered (the source is http), refused by the guard when the download follows it
    ...["redirect-ftp", "redirect-file", "redirect-rtmp"].map((name) => ({
      path: `/page/${name}`,
      expected: failed,
    })),
    { path: "/hls/ftp-segments.m3u8", expected: failed },
    { path: "/hls/file-segments.m3u8", expected: failed },
    // ffmpeg reads the downloaded file as media only, never as a playlist of files on disk
    { path: "/page/disguised", expected: failed },
  ];
  const results = await Promise.all(cases.map(async ({ path, expected }, index) => {
    const user = telegram.user(970_000 + index, { languageCode: "en" });
    user.sendText(`${site.base}${path}`);
    let outcome = await nextOutcome(telegram, user, endings);
    if ("preview" in outcome) {
      const { preview } = outcome;
      const quality = buttons(preview).find((b) => b.data.startsWith("dl:"))!;
      user.pressButton(preview.message, quality.data);
      outcome = await nextOutcome(telegram, user, endings, preview.messageId);
    }
    return { path, expected, outcome, user };
  }));
  let wrongFiles = 0;
  const wrongAnswers: string[] = [];
  for (const { path, expected, outcome, user } of results) {
    if ("file" in outcome) wrongFiles++;
    const ending = "text" in outcome ? outcome.text : "file" in outcome ? "a file" : "a preview";
    if (ending !== expected) wrongAnswers.push(`${path}: ${ending}`);
    const said = telegram.messages(user.id).map((m) => `${m.text ?? ""} ${m.caption ?? ""}`);
    // (a title may name the playlist, "ftp-segments"; what answered must not show)
    for (const leak of [CANARY_BANNER, `:${canary.port}`, "127.0.0.1", "passwd", EGRESS_REFUSAL]) {
      if (said.some((text) => text.includes(leak))) wrongAnswers.push(`${path}: shows ${leak}`);
    }
  }
  const escapes = canary.connections;
  await canary.close();
  await reportHostile({
    name: "ftp/rtmp/rtsp/mms sources, redirects and segments, and disguised local playlists",
    inputs: cases.length,
    escapes,
    wrongFiles,
    crashes: 0,
  });
  assertEquals(escapes, 0, "no connection reached the canary");
  assertEquals(wrongFiles, 0, "no file was delivered for a hostile link");
  assertEquals(wrongAnswers, [], "each answer is the generic one expected, and leaks nothing");
});

Deno.test("[security] a page with an ftp source beside an http one offers and delivers only the http one", async () => {
  const canary = startTcpCanary();
  await using site = await startHostileSite(canary);
  await using bed = await startTestSystem({}, { egressPolicy: sitePolicy });
  const { telegram } = bed;
  const t = translatorFor(await createI18n(), "en");
  const endings = ["error-unsupported", "error-unavailable", "error-failed"].map((key) => t(key));
  const user = telegram.user(971_000, { languageCode: "en" });
  user.sendText(`${site.base}/page/mixed`);
  const outcome = await nextOutcome(telegram, user, endings);
  assert("preview" in outcome, "a preview");
  const labels = buttons(outcome.preview).map((b) => b.text);
  const best = buttons(outcome.preview).find((b) => b.data.endsWith(":best"));
  assert(best, `a best quality button: ${labels}`);
  user.pressButton(outcome.preview.message, best.data);
  const delivered = await nextOutcome(telegram, user, endings, outcome.preview.messageId);
  const got360p = "file" in delivered && delivered.file.media?.height === 360;
  const escapes = canary.connections;
  await canary.close();
  await reportHostile({
    name: "ftp source beside an http one",
    inputs: 1,
    escapes,
    wrongFiles: "file" in delivered && !got360p ? 1 : 0,
    crashes: 0,
  });
  assertEquals(escapes, 0, "no connection reached the canary");
  assert(!labels.includes("1080p"), `the ftp source is not offered: ${labels}`);
  assert(got360p, "the http source is delivered");
});

Deno.test("[security] ffmpeg started by yt-dlp reads only http(s), even when handed ftp, rtmp, rtsp or HLS ftp:/file: segments", async () => {
  const canary = startTcpCanary();
  await using site = await startHostileSite(canary);
  const guard = startEgressGuard(sitePolicy);
  const release = useEgressProxy(guard.url);
  const dir = await Deno.makeTempDir();
  // yt-dlp run without the bot's format filter, its downloads handed to ffmpeg
  const runs = [
    ["/page/ftp", "ffmpeg"],
    ["/page/rtmp", "rtmp:ffmpeg"],
    ["/page/rtsp", "ffmpeg"],
    ["/hls/ftp-segments.m3u8", "m3u8:ffmpeg"],
    ["/hls/file-segments.m3u8", "m3u8:ffmpeg"],
  ];
  let written = 0;
  try {
    for (const [index, [path, downloader]] of runs.entries()) {
      const args = [
        ...YTDLP_BASE_ARGS,
        ...["--downloader", downloader, "--no-warnings", "--socket-timeout", "5"],
        ...["--paths", dir, "--output", `out${index}.%(ext)s`, "--", `${site.base}${path}`],
      ];
      await runProcess("yt-dlp", args, { timeoutMs: 120_000 });
    }
    for await (const entry of Deno.readDir(dir)) {
      if ((await Deno.stat(`${dir}/${entry.name}`)).size > 0) written++;
    }
  } finally {
    release();
    await guard.close();
    await Deno.remove(dir, { recursive: true });
  }
  const escapes = canary.connections;
  await canary.close();
  await reportHostile({
    name: "ftp, rtmp and rtsp URLs and ftp:/file: HLS segments handed to yt-dlp's ffmpeg",
    inputs: runs.length,
    escapes,
    wrongFiles: written,
    crashes: 0,
  });
  assertEquals(escapes, 0, "no connection reached the canary");
  assertEquals(written, 0, "no file came of it");
});

Deno.test("[security] IPv6 forms of loopback and private addresses are refused by the link check and the egress guard", async () => {
  const canary = startTcpCanary();
  const forms = [
    "::7f00:1",
    "::127.0.0.1",
    "::a00:1",
    "::a9fe:a9fe",
    "::ffff:7f00:1",
    "::ffff:127.0.0.1",
    "64:ff9b:1::7f00:1",
    "64:ff9b:1::a9fe:a9fe",
    "64:ff9b::7f00:1",
    "0:0:0:0:0:0:7f00:1",
  ];
  const guard = startEgressGuard(sitePolicy);
  const links = new UrlGuard(false);
  let accepted = 0;
  try {
    for (const form of forms) {
      const link = `http://[${form}]:${canary.port}/`;
      if ((await links.check(link)).ok) accepted++;
      const port = Number(new URL(guard.url).port);
      for (const request of [`CONNECT [${form}]:${canary.port}`, `GET ${link}`]) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(new TextEncoder().encode(`${request} HTTP/1.1\r\nHost: x\r\n\r\n`));
        const buffer = new Uint8Array(256);
        const n = await conn.read(buffer);
        conn.close();
        const answer = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
        if (!answer.startsWith("HTTP/1.1 403 ")) accepted++;
      }
    }
  } finally {
    await guard.close();
  }
  const escapes = canary.connections;
  await canary.close();
  await reportHostile({
    name: "IPv6 forms of private addresses (IPv4-compatible, mapped, NAT64)",
    inputs: forms.length * 3,
    escapes: escapes + accepted,
    wrongFiles: 0,
    crashes: 0,
  });
  assertEquals(accepted, 0, "every form refused by the link check and by the guard");
  assertEquals(escapes, 0, "no connection reached the canary");
});
