/** The media lab checked with the real yt-dlp, ffmpeg and ffprobe. */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  fixtureRoot,
  LAB_BIG,
  LAB_BIG_HLS,
  LAB_CLIP,
  LAB_HLS,
  LAB_LIVE,
  LAB_SERIES,
  LAB_SONG,
  LAB_YTDLP_ERRORS,
  type MediaLab,
  MEDIALAB_VERSION,
  startMediaLab,
} from "./media_lab.ts";

const YTDLP = Deno.env.get("YTDLP_PATH") ?? "yt-dlp";
const FFMPEG = Deno.env.get("FFMPEG_PATH") ?? "ffmpeg";
const FFPROBE = Deno.env.get("FFPROBE_PATH") ?? "ffprobe";

interface YtFormat {
  format_id: string;
  ext: string;
  protocol: string;
  url: string;
  height?: number | null;
  width?: number | null;
  vcodec?: string | null;
  filesize?: number | null;
}

interface YtInfo {
  _type?: string;
  id: string;
  title: string;
  thumbnail?: string | null;
  formats?: YtFormat[];
  subtitles?: Record<string, { url: string; ext: string }[]>;
  is_live?: boolean | null;
  entries?: YtInfo[];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<Run> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function ytdlpJson(url: string, extra: string[] = []): Promise<YtInfo> {
  const result = await run(YTDLP, ["-J", "--no-warnings", ...extra, "--", url]);
  assertEquals(result.code, 0, `yt-dlp -J ${url} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as YtInfo;
}

interface Probe {
  duration: number;
  video?: { codec: string; width: number; height: number; frames?: number };
  audio?: { codec: string };
  tags: Record<string, string>;
}

async function probe(path: string): Promise<Probe> {
  const result = await run(FFPROBE, [
    ...["-v", "error", "-print_format", "json", "-count_packets"],
    ...["-show_streams", "-show_format", "--", path],
  ]);
  assertEquals(result.code, 0, `ffprobe ${path}: ${result.stderr}`);
  const info = JSON.parse(result.stdout) as {
    streams: {
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      nb_read_packets?: string;
    }[];
    format: { duration: string; tags?: Record<string, string> };
  };
  const video = info.streams.find((s) => s.codec_type === "video");
  const audio = info.streams.find((s) => s.codec_type === "audio");
  return {
    duration: Number(info.format.duration),
    video: video && {
      codec: video.codec_name,
      width: video.width ?? 0,
      height: video.height ?? 0,
      frames: video.nb_read_packets ? Number(video.nb_read_packets) : undefined,
    },
    audio: audio && { codec: audio.codec_name },
    tags: info.format.tags ?? {},
  };
}

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

function paths(lab: MediaLab): string[] {
  return lab.requests.map((r) => r.path);
}

Deno.test("[media-lab] fixtures are made once and a second lab reuses them", async () => {
  await using first = await startMediaLab();
  const marker = JSON.parse(await Deno.readTextFile(`${first.fixtureDir}/ready`)) as {
    version: string;
  };
  assertEquals(marker.version, MEDIALAB_VERSION);
  assertEquals(first.fixtureDir, fixtureRoot());

  const started = performance.now();
  await using second = await startMediaLab();
  assert(performance.now() - started < 1000, "the second lab should not regenerate anything");
  assertEquals(second.fixtureDir, first.fixtureDir);
  assert(second.baseUrl !== first.baseUrl, "each lab listens on its own port");

  const clip = await probe(`${first.fixtureDir}/clip720.mp4`);
  assertEquals(clip.video?.codec, "h264");
  assertEquals([clip.video?.width, clip.video?.height], [1280, 720]);
  assertEquals(clip.audio?.codec, "aac");
  assertNear(clip.duration, LAB_CLIP.durationSeconds, 0.2, "clip720 duration");
  const small = await probe(`${first.fixtureDir}/clip360.mp4`);
  assertEquals([small.video?.width, small.video?.height], [640, 360]);

  const head = await Deno.readFile(`${first.fixtureDir}/clip720.mp4`);
  const text = new TextDecoder("latin1").decode(head.subarray(0, 64 * 1024));
  assert(text.indexOf("moov") < text.indexOf("mdat"), "clip720.mp4 is not faststart");
  for (const name of ["clip720.mp4", "clip360.mp4"]) {
    const { size } = await Deno.stat(`${first.fixtureDir}/${name}`);
    assert(size > 50_000 && size < 1_000_000, `${name} is ${size} bytes`);
  }
});

Deno.test("[media-lab] two processes preparing a fresh cache at once share one set of fixtures", async () => {
  const parent = await Deno.makeTempDir({ prefix: "medialab-race-" });
  const dir = `${parent}/lab`;
  try {
    // a lock left by a dead process must not block anyone
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(`${dir}.lock`, JSON.stringify({ pid: dead.pid }));

    const script = `import { prepareFixtures } from ${
      JSON.stringify(new URL("./media_lab.ts", import.meta.url).href)
    };\nconsole.log(await prepareFixtures());`;
    const both = await Promise.all(
      [1, 2].map(() => run(Deno.execPath(), ["eval", script], { MEDIALAB_DIR: dir })),
    );
    for (const result of both) {
      assertEquals(result.code, 0, result.stderr);
      assertEquals(result.stdout.trim(), dir);
    }
    const entries = [];
    for await (const entry of Deno.readDir(parent)) entries.push(entry.name);
    assertEquals(entries, ["lab"], "no lock or build directory is left behind");
    for (const name of ["ready", "clip720.mp4", "hls/master.m3u8", "live/seg007.ts", "song.m4a"]) {
      assert((await Deno.stat(`${dir}/${name}`)).isFile, `${name} is missing`);
    }
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("[media-lab] serves files with Content-Type, Content-Length and byte ranges", async () => {
  await using lab = await startMediaLab();
  const { size } = await Deno.stat(`${lab.fixtureDir}/clip720.mp4`);

  const head = await fetch(lab.urls.clip720, { method: "HEAD" });
  await head.body?.cancel();
  assertEquals(head.status, 200);
  assertEquals(head.headers.get("content-type"), "video/mp4");
  assertEquals(head.headers.get("content-length"), String(size));
  assertEquals(head.headers.get("accept-ranges"), "bytes");

  const part = await fetch(lab.urls.clip720, { headers: { range: "bytes=100-199" } });
  const bytes = new Uint8Array(await part.arrayBuffer());
  assertEquals(part.status, 206);
  assertEquals(part.headers.get("content-range"), `bytes 100-199/${size}`);
  assertEquals(bytes.length, 100);
  const file = await Deno.readFile(`${lab.fixtureDir}/clip720.mp4`);
  assertEquals(bytes, file.subarray(100, 200));

  const tail = await fetch(lab.urls.clip720, { headers: { range: "bytes=-10" } });
  assertEquals((await tail.arrayBuffer()).byteLength, 10);
  assertEquals(tail.headers.get("content-range"), `bytes ${size - 10}-${size - 1}/${size}`);

  const beyond = await fetch(lab.urls.clip720, { headers: { range: `bytes=${size}-` } });
  await beyond.body?.cancel();
  assertEquals(beyond.status, 416);

  const whole = await fetch(lab.urls.clip720);
  assertEquals((await whole.arrayBuffer()).byteLength, size);

  const types: [string, string][] = [
    [lab.urls.page, "text/html; charset=utf-8"],
    [lab.urls.poster, "image/jpeg"],
    [lab.urls.subsEn, "text/vtt; charset=utf-8"],
    [lab.urls.song, "audio/mp4"],
    [lab.urls.hlsVod, "application/vnd.apple.mpegurl"],
  ];
  for (const [url, type] of types) {
    const res = await fetch(url);
    await res.arrayBuffer();
    assertEquals(res.headers.get("content-type"), type, url);
  }
  const sneaky = await fetch(`${lab.baseUrl}/media/..%2Fready`);
  await sneaky.body?.cancel();
  assertEquals(sneaky.status, 404);

  assertEquals(lab.requests.slice(0, 3), [
    { method: "HEAD", path: "/media/clip720.mp4", status: 200 },
    { method: "GET", path: "/media/clip720.mp4", status: 206, range: "bytes=100-199" },
    { method: "GET", path: "/media/clip720.mp4", status: 206, range: "bytes=-10" },
  ]);
});

Deno.test("[media-lab] yt-dlp reads the HTML5 page with two qualities and two subtitle languages", async () => {
  await using lab = await startMediaLab();
  const info = await ytdlpJson(lab.urls.page);
  // The generic extractor's html5 embeds add " (n)" to the page title, even to a lone video.
  assertEquals(info.title, `${LAB_CLIP.title} (1)`);
  assertEquals(info.thumbnail, lab.urls.poster);
  const formats = info.formats ?? [];
  assertEquals(formats.map((f) => f.height).sort(), [...LAB_CLIP.heights].sort());
  for (const height of LAB_CLIP.heights) {
    const format = formats.find((f) => f.height === height);
    assertEquals(format?.format_id, `${height}p`);
    assertEquals(format?.ext, "mp4");
    assertEquals(format?.protocol, "http");
    assertEquals(format?.url, height === 720 ? lab.urls.clip720 : lab.urls.clip360);
  }
  assertEquals(Object.keys(info.subtitles ?? {}).sort(), [...LAB_CLIP.subtitleLanguages]);
  assertEquals(info.subtitles?.en?.[0], { url: lab.urls.subsEn, ext: "vtt" });
  assertEquals(info.subtitles?.fr?.[0], { url: lab.urls.subsFr, ext: "vtt" });
  // -J only reads the page: no media bytes are fetched
  assertEquals(paths(lab), ["/watch/clip"]);

  const subs = await fetch(lab.urls.subsFr);
  const vtt = await subs.text();
  assertMatch(vtt, /^WEBVTT\n/);
  assert(vtt.includes(LAB_CLIP.firstCue.fr), vtt);
});

Deno.test("[media-lab] yt-dlp reads the audio page as one audio-only m4a", async () => {
  await using lab = await startMediaLab();
  const info = await ytdlpJson(lab.urls.audioPage);
  assert(info.title.startsWith(LAB_SONG.title), info.title);
  const formats = info.formats ?? [];
  assertEquals(formats.length, 1);
  assertEquals(formats[0].ext, LAB_SONG.ext);
  assertEquals(formats[0].vcodec, "none");
  assertEquals(formats[0].url, lab.urls.song);

  const song = await probe(`${lab.fixtureDir}/song.m4a`);
  assertEquals(song.video, undefined);
  assertEquals(song.audio?.codec, "aac");
  assertEquals(song.tags.title, LAB_SONG.title);
  assertEquals(song.tags.artist, LAB_SONG.artist);
  assertNear(song.duration, LAB_SONG.durationSeconds, 0.2, "song duration");
});

Deno.test("[media-lab] yt-dlp reads the HLS VOD master with 720p and 360p variants", async () => {
  await using lab = await startMediaLab();
  const master = await (await fetch(lab.urls.hlsVod)).text();
  assertMatch(master, /BANDWIDTH=\d+,RESOLUTION=1280x720/);
  assertMatch(master, /BANDWIDTH=\d+,RESOLUTION=640x360/);
  const media = await (await fetch(`${lab.baseUrl}/hls/720p/index.m3u8`)).text();
  assertMatch(media, /#EXT-X-ENDLIST/);
  assertEquals(media.match(/#EXTINF:/g)?.length, LAB_HLS.durationSeconds / LAB_HLS.segmentSeconds);

  const info = await ytdlpJson(lab.urls.hlsVod);
  const formats = info.formats ?? [];
  assertEquals(formats.map((f) => f.height).sort(), [...LAB_HLS.heights].sort());
  for (const format of formats) {
    assertEquals(format.protocol, "m3u8_native");
    assertEquals(format.ext, "mp4");
    assertMatch(format.format_id, /^\d+$/, "format_id is the bandwidth in kbit/s");
  }
  assert(info.is_live !== true, "a VOD playlist is not live");
});

Deno.test("[media-lab] live HLS slides with wall time and ffmpeg records it by stream copy", async () => {
  await using lab = await startMediaLab();
  const dir = await Deno.makeTempDir({ prefix: "medialab-live-" });
  try {
    const live = lab.startLive();
    const first = await (await fetch(live.url)).text();
    assert(!first.includes("#EXT-X-ENDLIST"), first);
    assertMatch(first, /#EXT-X-MEDIA-SEQUENCE:0\n/);
    assertEquals(first.match(/#EXTINF:/g)?.length, LAB_LIVE.windowSegments);
    const future = await fetch(live.url.replace("index.m3u8", "999.ts"));
    await future.body?.cancel();
    assertEquals(future.status, 404, "segments from the future do not exist yet");

    const info = await ytdlpJson(live.url);
    assertEquals(info.formats?.[0]?.protocol, "m3u8_native");
    assertEquals(info.is_live, true);

    // Eight seconds go past the end of the eight-segment loop: timestamps must keep rising.
    const seconds = LAB_LIVE.loopSegments * LAB_LIVE.segmentSeconds;
    const out = `${dir}/live.mp4`;
    const record = await run(FFMPEG, [
      ...["-nostdin", "-hide_banner", "-loglevel", "warning", "-i", live.url],
      ...["-c", "copy", "-t", String(seconds), "-y", out],
    ]);
    assertEquals(record.code, 0, record.stderr);
    // without rewritten timestamps ffmpeg reports corrupt / out-of-order packets at the wrap
    assert(
      !/corrupt|out of order|monoton|continuity|discontinuity/i.test(record.stderr),
      record.stderr,
    );
    const recorded = await probe(out);
    assertEquals(recorded.video?.height, LAB_LIVE.height);
    assertNear(recorded.duration, seconds, 0.3, "recorded duration");
    assertEquals(recorded.video?.frames, seconds * 25);

    const later = await (await fetch(live.url)).text();
    const sequence = Number(later.match(/#EXT-X-MEDIA-SEQUENCE:(\d+)/)?.[1]);
    assert(sequence >= 3, `media sequence should advance, got ${sequence}`);
    assert(lab.requests.some((r) => /^\/live\/\w+\/8\.ts$/.test(r.path)), "wrapped segment");

    live.stop();
    const ended = await (await fetch(live.url)).text();
    assertMatch(ended, /#EXT-X-ENDLIST\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[media-lab] yt-dlp lists the three videos of /series as a playlist", async () => {
  await using lab = await startMediaLab();
  const info = await ytdlpJson(lab.urls.series, ["--flat-playlist"]);
  assertEquals(info._type, "playlist");
  assertEquals(info.title, LAB_SERIES.title);
  const entries = info.entries ?? [];
  assertEquals(entries.length, LAB_SERIES.count);
  assertEquals(
    entries.map((e) => e.formats?.[0]?.url),
    [1, 2, 3].map((n) => `${lab.baseUrl}/media/series${n}.mp4`),
  );
  assertEquals(new Set(entries.map((e) => e.id)).size, LAB_SERIES.count);
});

Deno.test("[media-lab] yt-dlp fails on /missing, /text and /gone with distinct errors", async () => {
  await using lab = await startMediaLab();
  const cases = [
    [lab.urls.missing, LAB_YTDLP_ERRORS.missing, 404],
    [lab.urls.text, LAB_YTDLP_ERRORS.text, 200],
    [lab.urls.gone, LAB_YTDLP_ERRORS.gone, 410],
  ] as const;
  for (const [url, expected, status] of cases) {
    const result = await run(YTDLP, ["-J", "--no-warnings", "--", url]);
    assertEquals(result.code, 1, `${url}: ${result.stdout}`);
    const error = result.stderr.split("\n").find((line) => line.startsWith("ERROR: "));
    assert(error?.includes(expected), `${url}: ${result.stderr}`);
    const path = new URL(url).pathname;
    assertEquals(lab.requests.findLast((r) => r.path === path)?.status, status);
  }
});

Deno.test("[media-lab] yt-dlp downloads the 720p file and the 360p HLS variant", async () => {
  await using lab = await startMediaLab();
  const dir = await Deno.makeTempDir({ prefix: "medialab-dl-" });
  try {
    const http = await run(YTDLP, [
      ...["--no-warnings", "--no-progress", "-f", "720p", "-o", `${dir}/page.%(ext)s`],
      ...["--", lab.urls.page],
    ]);
    assertEquals(http.code, 0, http.stderr);
    const clip = await probe(`${dir}/page.mp4`);
    assertEquals([clip.video?.codec, clip.video?.width, clip.video?.height], ["h264", 1280, 720]);
    assertEquals(clip.audio?.codec, "aac");
    assertNear(clip.duration, LAB_CLIP.durationSeconds, 0.2, "downloaded duration");
    assert(lab.requests.some((r) => r.path === "/media/clip720.mp4" && r.status < 300));
    assert(!paths(lab).includes("/media/clip360.mp4"));

    const hls = await run(YTDLP, [
      ...["--no-warnings", "--no-progress", "-f", "b[height=360]", "-o", `${dir}/hls.%(ext)s`],
      ...["--", lab.urls.hlsVod],
    ]);
    assertEquals(hls.code, 0, hls.stderr);
    const variant = await probe(`${dir}/hls.mp4`);
    assertEquals([variant.video?.width, variant.video?.height], [640, 360]);
    assertNear(variant.duration, LAB_HLS.durationSeconds, 0.3, "HLS duration");
    const segments = paths(lab).filter((p) => p.endsWith(".ts"));
    assertEquals(segments, ["/hls/360p/seg000.ts", "/hls/360p/seg001.ts", "/hls/360p/seg002.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[media-lab] throttling slows bodies and can be lifted mid-download", async () => {
  await using lab = await startMediaLab({ throttleBytesPerSecond: 100_000 });
  const { size } = await Deno.stat(`${lab.fixtureDir}/clip360.mp4`);
  let started = performance.now();
  assertEquals((await (await fetch(lab.urls.clip360)).arrayBuffer()).byteLength, size);
  const throttled = (performance.now() - started) / 1000;
  assert(throttled > size / 100_000 * 0.8, `took ${throttled}s at 100 kB/s`);

  // 400 kB at 20 kB/s would take 20 s; lifting the limit finishes it at once
  lab.setThrottle(20_000);
  started = performance.now();
  const response = await fetch(lab.urls.clip720);
  const body = response.arrayBuffer();
  setTimeout(() => lab.setThrottle(undefined), 500);
  const { size: bigSize } = await Deno.stat(`${lab.fixtureDir}/clip720.mp4`);
  assertEquals((await body).byteLength, bigSize);
  const lifted = (performance.now() - started) / 1000;
  assert(lifted < 3, `took ${lifted}s after the limit was lifted`);
});

Deno.test("[media-lab] close() ends a throttled download in flight", async () => {
  const lab = await startMediaLab({ throttleBytesPerSecond: 5_000 });
  const response = await fetch(lab.urls.clip720);
  const reader = response.body!.getReader();
  await reader.read();
  const started = performance.now();
  await lab.close();
  assert(performance.now() - started < 2000, "close() waited for a slow client");
  await reader.read().then(() => reader.cancel(), () => {});
});

Deno.test("[media-lab] bigClip makes a cached 1080p mp4 of about the asked size", async () => {
  await using lab = await startMediaLab();
  const url = await lab.bigClip(3);
  const again = await lab.bigClip(3);
  assertEquals(again, url);
  const page = await (await fetch(url)).text();
  assert(page.includes(LAB_BIG.title(3)), page);
  const file = page.match(/src="([^"]+\.mp4)"/)?.[1];
  assert(file, page);
  const head = await fetch(new URL(file, url), { method: "HEAD" });
  await head.body?.cancel();
  const bytes = Number(head.headers.get("content-length"));
  assertNear(bytes / (3 * 1024 * 1024), 1, 0.2, "size ratio");
  const clip = await probe(`${lab.fixtureDir}${file.replace("/media", "")}`);
  assertEquals([clip.video?.width, clip.video?.height], [LAB_BIG.width, LAB_BIG.height]);
});

Deno.test("[media-lab] refuseRanges answers every request with the whole file and no Accept-Ranges", async () => {
  await using lab = await startMediaLab({ refuseRanges: true });
  const { size } = await Deno.stat(`${lab.fixtureDir}/clip720.mp4`);
  const part = await fetch(lab.urls.clip720, { headers: { range: "bytes=100-199" } });
  const body = await part.bytes();
  assertEquals(part.status, 200);
  assertEquals(part.headers.get("accept-ranges"), null);
  assertEquals(part.headers.get("content-range"), null);
  assertEquals(body.length, size);
});

Deno.test("[media-lab] bigHls makes a cached 1080p HLS VOD of about the asked size in 2 s segments", async () => {
  await using lab = await startMediaLab();
  const url = await lab.bigHls(8);
  assertEquals(await lab.bigHls(8), url);
  const master = await (await fetch(url)).text();
  assertMatch(master, /RESOLUTION=1920x1080/);
  const media = await (await fetch(new URL("index.m3u8", url))).text();
  const segments = media.match(/^seg\d+\.ts$/gm) ?? [];
  assertEquals(segments.length, LAB_BIG_HLS.durationSeconds / LAB_BIG_HLS.segmentSeconds);
  let bytes = 0;
  for (const segment of segments) {
    bytes += (await Deno.stat(`${lab.fixtureDir}/bighls/8/${segment}`)).size;
  }
  assertNear(bytes / (8 * 1024 * 1024), 1, 0.2, "size ratio");
});
