/** Live detection (yt-dlp and HLS playlists), recording arguments and durations. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { firstVariantUrl, inspectStream, isLivePlaylist } from "../../workers/live_stream.ts";
import { buildRecordArgs, recordStream } from "../../workers/record.ts";
import { parseRecordDuration } from "../../bot/features/record.ts";
import { UrlGuard } from "../../lib/url_guard.ts";

const MEDIA_PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n1.ts\n#EXTINF:1.0,\n2.ts\n";

Deno.test("[record] an HLS media playlist is live until it has #EXT-X-ENDLIST", () => {
  assert(isLivePlaylist(MEDIA_PLAYLIST));
  assert(!isLivePlaylist(`${MEDIA_PLAYLIST}#EXT-X-ENDLIST\n`));
  assert(!isLivePlaylist(MEDIA_PLAYLIST.replace("\n", "\n#EXT-X-PLAYLIST-TYPE:VOD\n")));
  assert(!isLivePlaylist("<html>not a playlist</html>"));
  const master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n";
  assertEquals(
    firstVariantUrl(master, "https://cdn.example/live/master.m3u8?t=1"),
    "https://cdn.example/live/low/index.m3u8",
  );
  assertEquals(firstVariantUrl(MEDIA_PLAYLIST, "https://cdn.example/a.m3u8"), undefined);
  assertEquals(
    firstVariantUrl("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nfile:///etc/passwd\n", "https://x/"),
    undefined,
    "only http(s) variants",
  );
});

Deno.test("[record] the lab's live stream is live, its HLS VOD is not, private addresses are refused", async () => {
  await using lab = await startMediaLab();
  const live = lab.startLive();
  try {
    const options = { timeoutMs: 60_000, urlGuard: new UrlGuard(true) };
    const guarded = { ...options, urlGuard: new UrlGuard(false) };
    const [liveInfo, vod] = await Promise.all([
      inspectStream(live.url, options),
      inspectStream(lab.urls.hlsVod, options),
      // the worker reads a playlist yt-dlp does not call live itself, and fetches no private address
      assertRejects(() => inspectStream(lab.urls.hlsVod, guarded), /refused \(private_address\)/),
    ]);
    assert(liveInfo.live, "no #EXT-X-ENDLIST: live");
    assertEquals(liveInfo.inputs.map((i) => i.url), [live.url]);
    assert(!vod.live, "a VOD playlist ends");
    assert(vod.info.formats.length > 0, "what a download would offer");
  } finally {
    live.stop();
  }
});

Deno.test("[record] ffmpeg gets network-only inputs with the site's headers, stream copy, a length", () => {
  const args = buildRecordArgs(
    [
      { url: "https://cdn.example/v.m3u8", headers: { "User-Agent": "UA", Referer: "https://x/" } },
      { url: "https://cdn.example/a.m3u8", headers: { "X-Bad": "a\r\nInjected: 1" } },
    ],
    "/tmp/out.ts",
    90,
  );
  const at = (flag: string, from = 0) => args.indexOf(flag, from);
  assertEquals(args[at("-protocol_whitelist") + 1], "http,https,tcp,tls,crypto,httpproxy");
  assertEquals(args[at("-user_agent") + 1], "UA");
  assertEquals(args[at("-headers") + 1], "Referer: https://x/\r\n");
  assertEquals(
    args.filter((a) => a === "-headers").length,
    1,
    "a header with a line break is dropped",
  );
  assertEquals(args.filter((a) => a === "-i").length, 2);
  assertEquals(args.slice(at("-map"), at("-map") + 4), ["-map", "0:v:0", "-map", "1:a:0"]);
  assertEquals(args[at("-t") + 1], "90.000");
  assertEquals(args[at("-c") + 1], "copy");
  assertEquals(args.at(-1), "file:/tmp/out.ts");
  assert(!args.includes("-fs"), "no size limit unless one is given");
  const capped = buildRecordArgs(
    [{ url: "https://cdn.example/v.m3u8", headers: {} }],
    "/o.ts",
    9,
    5e6,
  );
  assertEquals(capped[capped.indexOf("-fs") + 1], "5000000");
});

Deno.test("[record] a recording stops at the bytes its quota reserved, long before its length", async () => {
  await using lab = await startMediaLab();
  const live = lab.startLive();
  const dir = await Deno.makeTempDir({ prefix: "mediabot-record-" });
  try {
    const path = `${dir}/recording.ts`;
    // the lab's stream sends about 40 kB a second: 60 kB is under two seconds of 30 asked
    const recorded = await recordStream([{ url: live.url, headers: {} }], path, 30, {
      ffmpegPath: "ffmpeg",
      ffprobePath: "ffprobe",
      signal: new AbortController().signal,
      stopSignal: new AbortController().signal,
      onProgress: () => {},
      maxBytes: 60_000,
    });
    const { size } = await Deno.stat(path);
    assert(size >= 60_000 && size < 120_000, `${size} bytes for a 60 kB limit`);
    assert(recorded.seconds < 10, `${recorded.seconds} s recorded`);
  } finally {
    live.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[record] durations read as minutes, or with a unit", () => {
  assertEquals(parseRecordDuration("15"), 900);
  assertEquals(parseRecordDuration("1.5"), 90);
  assertEquals(parseRecordDuration("0,5"), 30);
  assertEquals(parseRecordDuration("4s"), 4);
  assertEquals(parseRecordDuration("10min"), 600);
  assertEquals(parseRecordDuration("1h"), 3600);
  assertEquals(parseRecordDuration("0s"), undefined);
  assertEquals(parseRecordDuration("soon"), undefined);
  assertEquals(parseRecordDuration("-5"), undefined);
});
