/** runYtdlp against a fake yt-dlp that records how it was run: flags, `--`, failures, stopping. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeYtdlp, type FakeYtdlpRun, isRunning } from "../support/fake_ytdlp.ts";
import { waitUntil } from "../support/wait.ts";
import { MediaError } from "../../media/media_types.ts";
import {
  parseProgressLine,
  runYtdlp,
  YTDLP_BASE_ARGS,
  type YtdlpRequest,
} from "../../workers/ytdlp_run.ts";

/** a link that would be read as an option if it came before `--` */
const LINK = "--exec=touch /tmp/pwned https://example.test/v";
const TIMEOUT_MS = 30_000;
const HTTP_ONLY =
  "[protocol~='^(http|https|m3u8|m3u8_native|http_dash_segments|http_dash_segments_generator)$']";

/** Runs one request against a fake yt-dlp printing `stdout`; what the fake was run with. */
async function recordRun(request: YtdlpRequest, stdout = "{}"): Promise<FakeYtdlpRun> {
  await using ytdlp = await FakeYtdlp.create({ stdout });
  const options = { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS };
  if (request.mode === "json" || request.mode === "listing") await runYtdlp(request, options);
  else await runYtdlp(request, options);
  const run = await ytdlp.run(1);
  assert(run, "the fake yt-dlp ran");
  return run;
}

function valueOf(args: string[], flag: string): string | undefined {
  const index = args.lastIndexOf(flag);
  return index < 0 ? undefined : args[index + 1];
}

/** An empty directory for a run's output, removed when the test is done with it. */
async function scratchDir() {
  const path = await Deno.makeTempDir({ prefix: "ytdlp-run-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

// --- arguments -------------------------------------------------------------------------------------

Deno.test("[workers/ytdlp_run] every mode carries the flags for every run; a link comes last, after --", async () => {
  await using scratch = await scratchDir();
  const dir = scratch.path;
  const output = { dir, template: "media.%(ext)s" };
  const requests: YtdlpRequest[] = [
    { mode: "json", url: LINK },
    { mode: "listing", url: LINK, maxEntries: 10 },
    { mode: "download", url: LINK, format: "b", maxFilesize: 1, output, onLine: () => {} },
    {
      mode: "subtitles",
      infoJsonPath: `${dir}/info.json`,
      language: "en",
      automatic: false,
      output,
    },
  ];
  for (const request of requests) {
    const { argv } = await recordRun(request);
    const base = argv.indexOf(YTDLP_BASE_ARGS[0]);
    assertEquals(argv.slice(base, base + YTDLP_BASE_ARGS.length), YTDLP_BASE_ARGS, request.mode);
    const network = [["--socket-timeout", "20"], ["--retries", "3"], ["--fragment-retries", "5"]];
    for (const [flag, value] of network) {
      assertEquals(valueOf(argv, flag), value, `${request.mode} ${flag}`);
    }
    assert(argv.includes("--ignore-config") && argv.includes("--no-cache-dir"), request.mode);
    assert(argv.includes("--no-warnings"), request.mode);
    const separators = argv.filter((arg) => arg === "--").length;
    if (request.mode === "subtitles") {
      assertEquals(separators, 0, "a run from saved JSON has no link");
      assertEquals(valueOf(argv, "--load-info-json"), `${dir}/info.json`);
    } else {
      assertEquals(argv.slice(-2), ["--", LINK], request.mode);
      assertEquals(separators, 1, request.mode);
    }
  }
});

Deno.test("[workers/ytdlp_run] no config but the operator's file, yt-dlp's cache where the worker says, and the worker's own Deno for JavaScript", async () => {
  await using scratch = await scratchDir();
  const dir = scratch.path;
  const configFile = `${dir}/yt-dlp.conf`;
  await Deno.writeTextFile(configFile, "--extractor-args youtube:lang=fr\n");
  await using ytdlp = await FakeYtdlp.create({ stdout: "{}" });
  await runYtdlp({ mode: "json", url: LINK }, {
    ytdlpPath: ytdlp.path,
    cacheDir: `${dir}/ytdlp-cache`,
    configFile,
    timeoutMs: TIMEOUT_MS,
  });
  const { argv } = (await ytdlp.run(1))!;
  assertEquals(argv.slice(0, 3), ["--ignore-config", "--config-locations", configFile]);
  assertEquals(valueOf(argv, "--cache-dir"), `${dir}/ytdlp-cache`);
  assert(!argv.includes("--no-cache-dir"));
  assertEquals(valueOf(argv, "--js-runtimes"), `deno:${Deno.execPath()}`);

  const bare = await recordRun({ mode: "json", url: LINK });
  assertEquals(bare.argv[0], "--ignore-config");
  assert(!bare.argv.includes("--config-locations") && bare.argv.includes("--no-cache-dir"));
  assertEquals(valueOf(bare.argv, "--js-runtimes"), `deno:${Deno.execPath()}`);
});

Deno.test("[workers/ytdlp_run] the ffmpeg yt-dlp starts reads only the network when it downloads, only local media files when it converts", () => {
  assertEquals(
    valueOf(YTDLP_BASE_ARGS, "--downloader-args"),
    "ffmpeg_i:-protocol_whitelist http,https,tcp,tls,crypto,httpproxy",
  );
  const postprocessors = YTDLP_BASE_ARGS.filter((_, i) =>
    YTDLP_BASE_ARGS[i - 1] === "--postprocessor-args"
  );
  assert(postprocessors.length >= 8, `${postprocessors.length} postprocessors limited`);
  for (const value of postprocessors) {
    assert(/^\w+\+ffmpeg_i:-protocol_whitelist file -format_whitelist \S+$/.test(value), value);
  }
});

Deno.test("[workers/ytdlp_run] a JSON run is of one entry, the one asked for, and returns what yt-dlp printed", async () => {
  const first = await recordRun({ mode: "json", url: LINK }, '{"id": "a", "n": [1]}');
  assert(first.argv.includes("--no-playlist") && first.argv.includes("--dump-single-json"));
  assertEquals(valueOf(first.argv, "--playlist-items"), "1");
  assert(!first.argv.includes("-f"), "yt-dlp's own choice unless a format is given");

  const second = await recordRun({ mode: "json", url: LINK, playlistItem: 2, format: "b/bv*+ba" });
  assertEquals(valueOf(second.argv, "--playlist-items"), "2");
  assertEquals(valueOf(second.argv, "-f"), `(b/bv*+ba)${HTTP_ONLY}`);

  await using ytdlp = await FakeYtdlp.create({ stdout: '{"id": "a", "n": [1]}\n' });
  const json = await runYtdlp({ mode: "json", url: LINK }, {
    ytdlpPath: ytdlp.path,
    timeoutMs: TIMEOUT_MS,
  });
  assertEquals(json, { id: "a", n: [1] });
});

Deno.test("[workers/ytdlp_run] a listing run reads the whole playlist flat, up to maxEntries", async () => {
  const { argv } = await recordRun({ mode: "listing", url: LINK, maxEntries: 25 });
  assert(argv.includes("--yes-playlist") && argv.includes("--flat-playlist"));
  assert(!argv.includes("--no-playlist"));
  assertEquals(valueOf(argv, "--playlist-end"), "25");
  assert(argv.includes("--dump-single-json"));
});

Deno.test("[workers/ytdlp_run] a download stays in its directory, within the http filter and the size, and streams its lines", async () => {
  await using scratch = await scratchDir();
  const dir = scratch.path;
  await using ytdlp = await FakeYtdlp.create({
    stdout: '@@progress {"status": "downloading", "downloaded_bytes": 5}\r\n[Merger] Merging\n',
  });
  const lines: string[] = [];
  await runYtdlp({
    mode: "download",
    url: LINK,
    format: "136+140/best",
    maxFilesize: 50_000_000,
    output: { dir, template: "media.%(ext)s" },
    ffmpegPath: "ffmpeg",
    onLine: (line) => lines.push(line),
  }, { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS });
  assertEquals(lines, [
    '@@progress {"status": "downloading", "downloaded_bytes": 5}',
    "[Merger] Merging",
  ]);
  const run = await ytdlp.run(1);
  assert(run);
  const { argv } = run;
  assertEquals(run.cwd, dir, "yt-dlp's intermediate files land in the job's directory");
  assertEquals(valueOf(argv, "--paths"), dir);
  assertEquals(valueOf(argv, "--output"), "media.%(ext)s");
  assertEquals(valueOf(argv, "-f"), `(136+140/best)${HTTP_ONLY}`);
  assertEquals(valueOf(argv, "--max-filesize"), "50000000");
  assertEquals(valueOf(argv, "--merge-output-format"), "mp4");
  assertEquals(valueOf(argv, "--playlist-items"), "1");
  assert(argv.includes("--no-playlist"));
  assert(valueOf(argv, "--progress-template")?.startsWith("download:@@progress "));
  assert(!argv.includes("--ffmpeg-location"), "a bare name is left to yt-dlp's own lookup");
  assert(!argv.includes("--extract-audio"));
});

Deno.test("[workers/ytdlp_run] an audio download extracts audio and passes an ffmpeg path on", async () => {
  const { argv } = await recordRun({
    mode: "download",
    url: LINK,
    playlistItem: 3,
    format: "140",
    maxFilesize: 1,
    output: { dir: Deno.cwd(), template: "media.%(ext)s" },
    audio: { codec: "m4a", tags: { title: "Song" }, cover: false },
    ffmpegPath: "/opt/ffmpeg/bin/ffmpeg",
    onLine: () => {},
  });
  assertEquals(valueOf(argv, "--audio-format"), "m4a");
  assert(argv.includes("--extract-audio"));
  assert(!argv.includes("--embed-thumbnail"), "no cover asked for");
  assertEquals(valueOf(argv, "--ffmpeg-location"), "/opt/ffmpeg/bin/ffmpeg");
  assertEquals(valueOf(argv, "--playlist-items"), "3");
  assert(!argv.includes("--merge-output-format"));
});

Deno.test("[workers/ytdlp_run] an MP3 has its bitrate, tags taken literally and the thumbnail as its cover", async () => {
  const title = String.raw`100% %(id)s: a\1 \g<0> title`;
  const { argv } = await recordRun({
    mode: "download",
    url: LINK,
    format: "140",
    maxFilesize: 1,
    output: { dir: Deno.cwd(), template: "media.%(ext)s" },
    audio: {
      codec: "mp3",
      kbps: 320,
      tags: { title, artist: "Band\0", album: "Trip" },
      cover: true,
    },
    onLine: () => {},
  });
  assertEquals(valueOf(argv, "--audio-format"), "mp3");
  assertEquals(valueOf(argv, "--audio-quality"), "320K");
  assertEquals(valueOf(argv, "--convert-thumbnails"), "jpg");
  assert(argv.includes("--embed-metadata") && argv.includes("--embed-thumbnail"));
  // each tag: made from the id, then replaced whole by the text with its backslashes doubled
  const replaced = new Map<string, string>();
  argv.forEach((arg, i) => {
    if (arg === "--replace-in-metadata") replaced.set(argv[i + 1], argv[i + 3]);
  });
  assertEquals(Object.fromEntries(replaced), {
    meta_title: String.raw`100% %(id)s: a\\1 \\g<0> title`,
    meta_artist: "Band",
    meta_album: "Trip",
  });
  const parsed = argv.filter((_, i) => argv[i - 1] === "--parse-metadata");
  assertEquals(parsed, ["id:%(meta_title)s", "id:%(meta_artist)s", "id:%(meta_album)s"]);
  // the tag and cover steps run ffmpeg on local files only
  const limited = argv.filter((_, i) => argv[i - 1] === "--postprocessor-args");
  for (const pp of ["Metadata", "ThumbnailsConvertor", "EmbedThumbnail"]) {
    assert(limited.some((value) => value.startsWith(`${pp}+ffmpeg_i:`)), pp);
  }
});

Deno.test("[workers/ytdlp_run] a subtitles run writes the track asked for from the saved JSON, in its directory", async () => {
  await using scratch = await scratchDir();
  const dir = scratch.path;
  const request = {
    mode: "subtitles",
    infoJsonPath: `${dir}/info.json`,
    language: "fr-CA",
    automatic: true,
    output: { dir, template: "subs" },
  } as const;
  const automatic = await recordRun(request);
  assertEquals(automatic.cwd, dir);
  assert(
    automatic.argv.includes("--skip-download") && automatic.argv.includes("--write-auto-subs"),
  );
  assertEquals(valueOf(automatic.argv, "--sub-langs"), "fr-CA");
  assertEquals(valueOf(automatic.argv, "--output"), "subs");
  const manual = await recordRun({ ...request, automatic: false });
  assert(manual.argv.includes("--write-subs") && !manual.argv.includes("--write-auto-subs"));
});

// --- failures ----------------------------------------------------------------------------------------

Deno.test("[workers/ytdlp_run] a failed run is a MediaError classified from its stderr, whatever its mode", async () => {
  const failures = [
    {
      stderr: "[generic] Extracting URL\nERROR: [generic] None: Unable to download webpage: " +
        "HTTP Error 404: Not Found (caused by <HTTPError 404: 'Not Found'>)\n",
      code: "unavailable",
      retryable: false,
      message: "Unable to download webpage: HTTP Error 404: Not Found",
    },
    {
      stderr: "ERROR: Unable to download video data: HTTP Error 503: Service Unavailable\n",
      code: "network",
      retryable: true,
      message: "Unable to download video data: HTTP Error 503: Service Unavailable",
    },
  ];
  await using scratch = await scratchDir();
  const dir = scratch.path;
  for (const { stderr, code, retryable, message } of failures) {
    await using ytdlp = await FakeYtdlp.create({ stdout: "{}", stderr, exitCode: 1 });
    const options = { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS };
    const output = { dir, template: "media.%(ext)s" };
    const errors = [
      await assertRejects(() => runYtdlp({ mode: "json", url: LINK }, options)),
      await assertRejects(() =>
        runYtdlp({
          mode: "download",
          url: LINK,
          format: "b",
          maxFilesize: 1,
          output,
          onLine() {},
        }, options)
      ),
    ];
    for (const error of errors) {
      assert(error instanceof MediaError, String(error));
      assertEquals([error.code, error.retryable, error.message], [code, retryable, message]);
    }
  }
});

Deno.test("[workers/ytdlp_run] a JSON run that prints no JSON fails clearly", async () => {
  await using ytdlp = await FakeYtdlp.create({ stdout: "[generic] Extracting URL\n" });
  const error = await assertRejects(() =>
    runYtdlp({ mode: "json", url: LINK }, { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS })
  );
  assert(error instanceof MediaError, String(error));
  assertEquals([error.code, error.message], ["failed", "yt-dlp printed invalid JSON"]);
});

// --- stopping ------------------------------------------------------------------------------------------

/** The pids of a hanging fake's first run (itself and its child), once both have started. */
async function startedPids(ytdlp: FakeYtdlp): Promise<number[]> {
  const run = await waitUntil(() => ytdlp.run(1), "the fake yt-dlp to start");
  assertEquals(run.pids.length, 2, "the fake and its child");
  return run.pids;
}

Deno.test("[workers/ytdlp_run] a run past its timeout is stopped, its children too, and fails as a retryable timeout", async () => {
  await using ytdlp = await FakeYtdlp.create({ hang: true });
  const error = await assertRejects(() =>
    runYtdlp({ mode: "json", url: LINK }, { ytdlpPath: ytdlp.path, timeoutMs: 2_000 })
  );
  assert(error instanceof MediaError, String(error));
  assertEquals([error.code, error.retryable], ["timeout", true]);
  const pids = await startedPids(ytdlp);
  await waitUntil(() => Promise.resolve(!pids.some(isRunning)), "no process left behind");
});

Deno.test("[workers/ytdlp_run] a cancelled run stops, its children too; one cancelled before it starts never starts", async () => {
  await using ytdlp = await FakeYtdlp.create({ hang: true });
  const controller = new AbortController();
  await using scratch = await scratchDir();
  const dir = scratch.path;
  const running = runYtdlp({
    mode: "download",
    url: LINK,
    format: "b",
    maxFilesize: 1,
    output: { dir, template: "media.%(ext)s" },
    onLine: () => {},
  }, { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS, signal: controller.signal });
  const pids = await startedPids(ytdlp);
  assert(pids.every(isRunning), "both run until the cancel");
  controller.abort();
  const error = await assertRejects(() => running);
  assert(error instanceof MediaError && error.code === "cancelled", String(error));
  await waitUntil(() => Promise.resolve(!pids.some(isRunning)), "no process left behind");

  await assertRejects(
    () =>
      runYtdlp({ mode: "json", url: LINK }, {
        ytdlpPath: ytdlp.path,
        timeoutMs: TIMEOUT_MS,
        signal: controller.signal,
      }),
    /cancelled/,
  );
  assertEquals(await ytdlp.runCount(), 1, "the second run never started");
});

// --- progress -----------------------------------------------------------------------------------------

Deno.test("[workers/ytdlp_run] progress lines of our template are parsed, other lines ignored", () => {
  assertEquals(
    parseProgressLine(
      '@@progress {"status": "downloading", "downloaded_bytes": 1024, "total_bytes": 2431997, "speed": null, "eta": 4}',
    ),
    {
      status: "downloading",
      downloaded_bytes: 1024,
      total_bytes: 2431997,
      speed: undefined,
      eta: 4,
    },
  );
  assertEquals(parseProgressLine("[download] Destination: media.mp4"), undefined);
  assertEquals(parseProgressLine('@@progress {"status": "downloading", "speed": NaN}'), undefined);
});

Deno.test("[workers/ytdlp_run] a download with several connections fetches fragments side by side and single files by aria2c, which never turns to BitTorrent or Metalink", async () => {
  await using scratch = await scratchDir();
  const download = {
    mode: "download",
    url: LINK,
    format: "b",
    maxFilesize: 1,
    output: { dir: scratch.path, template: "media.%(ext)s" },
    onLine: () => {},
  } as const;
  const runWith = async (request: YtdlpRequest, connections?: number) => {
    await using ytdlp = await FakeYtdlp.create({ stdout: "{}" });
    const options = { ytdlpPath: ytdlp.path, timeoutMs: TIMEOUT_MS, connections };
    if (request.mode === "json" || request.mode === "listing") await runYtdlp(request, options);
    else await runYtdlp(request, options);
    return (await ytdlp.run(1))!.argv;
  };
  const parallel = await runWith(download, 6);
  assertEquals(valueOf(parallel, "--concurrent-fragments"), "6");
  assertEquals(valueOf(parallel, "--downloader"), "http:aria2c", "aria2c for http(s) only");
  const aria2c = valueOf(parallel, "--downloader-args")?.replace(/^aria2c:/, "").split(" ") ?? [];
  for (
    const flag of [
      "--split=6",
      "--max-connection-per-server=6",
      "--connect-timeout=20",
      "--timeout=20",
      "--follow-torrent=false",
      "--follow-metalink=false",
    ]
  ) assert(aria2c.includes(flag), `${flag} in ${aria2c}`);
  assert(!aria2c.some((arg) => /proxy/.test(arg)), "aria2c takes the egress guard from *_proxy");
  assertEquals(parallel.slice(-2), ["--", LINK]);

  for (const argv of [await runWith(download), await runWith(download, 1)]) {
    assert(!argv.includes("--concurrent-fragments") && !argv.includes("--downloader"), "one");
  }
  const probe = await runWith({ mode: "json", url: LINK }, 6);
  assert(!probe.includes("--concurrent-fragments") && !probe.includes("--downloader"), "a probe");
});

Deno.test("[workers/ytdlp_run] aria2c's readout is read as progress: sizes, speed and time left", () => {
  assertEquals(parseProgressLine("[#8cf3c1 7.7MiB/19MiB(39%) CN:4 DL:8.2MiB ETA:1m5s]"), {
    status: "downloading",
    downloaded_bytes: Math.floor(7.7 * 2 ** 20),
    total_bytes: 19 * 2 ** 20,
    speed: Math.floor(8.2 * 2 ** 20),
    eta: 65,
  });
  assertEquals(parseProgressLine("[#8cf3c1 0B/0B CN:1 DL:0B]"), {
    status: "downloading",
    downloaded_bytes: 0,
    total_bytes: undefined,
    speed: 0,
    eta: undefined,
  });
  assertEquals(parseProgressLine("[#8cf3c1 1,023GiB/1,100GiB(93%) CN:8 DL:512KiB ETA:1h]"), {
    status: "downloading",
    downloaded_bytes: 1023 * 2 ** 30,
    total_bytes: 1100 * 2 ** 30,
    speed: 512 * 2 ** 10,
    eta: 3600,
  });
  assertEquals(parseProgressLine("[#8cf3c1 SEED(0.0) CN:0 SD:0]"), undefined);
  assertEquals(parseProgressLine("[download] Destination: media.mp4"), undefined);
});
