import {
  downloadMedia,
  type DownloadOptions,
  probeMedia,
  progressReader,
  toProbeInfo,
} from "../../workers/ytdlp.ts";
import { ffprobeMedia } from "../../workers/ffmpeg.ts";
import { availableVariants } from "../../media/formats.ts";
import {
  type DownloadedMedia,
  MediaError,
  type ProbeInfo,
  type Variant,
} from "../../media/media_types.ts";
import { assert, assertEquals, assertExists, assertRejects } from "../support/assert.ts";
import { LAB_CLIP, LAB_HLS, startMediaLab } from "../support/media_lab.ts";
import { startEgressGuard } from "../../workers/egress_guard.ts";
import { useEgressProxy } from "../../workers/process.ts";

// --- probe JSON ----------------------------------------------------------------------------------

const YTDLP_JSON = {
  id: "index-1",
  title: "Lab clip",
  extractor: "html5",
  extractor_key: "Generic",
  webpage_url: "http://127.0.0.1/page",
  uploader: null,
  duration: 3.0,
  thumbnail: "http://127.0.0.1/poster.jpg",
  is_live: null,
  live_status: "not_live",
  description: "x".repeat(10_000),
  view_count: 1_234_567,
  // one odd value does not fail the probe: it is left out
  like_count: "many",
  formats: [
    { format_id: "sb0", ext: "mhtml", vcodec: "none", acodec: "none", protocol: "mhtml" },
    { format_id: "360p", ext: "mp4", height: 360, vcodec: null, tbr: null, protocol: "http" },
    {
      format_id: "137",
      ext: "mp4",
      width: 1920,
      height: 1080,
      vcodec: "avc1.640028",
      acodec: "none",
      filesize: 1234,
      filesize_approx: 2000,
      tbr: 4000.5,
      vbr: 4000.5,
      abr: 0,
      http_headers: { "User-Agent": "x" },
    },
    { format_id: "drm", ext: "mp4", height: 720, has_drm: true },
  ],
};

Deno.test("[workers/ytdlp] yt-dlp's JSON is trimmed to ProbeInfo", () => {
  assertEquals(toProbeInfo(YTDLP_JSON, "http://127.0.0.1/page"), {
    id: "index-1",
    extractor: "html5",
    webpageUrl: "http://127.0.0.1/page",
    title: "Lab clip",
    // only its start is kept, for language detection
    description: "x".repeat(500),
    uploader: undefined,
    duration: 3,
    thumbnail: "http://127.0.0.1/poster.jpg",
    viewCount: 1_234_567,
    likeCount: undefined,
    isLive: false,
    formats: [
      {
        id: "360p",
        ext: "mp4",
        protocol: "http",
        width: undefined,
        height: 360,
        vcodec: undefined,
        acodec: undefined,
        filesize: undefined,
        filesizeApprox: undefined,
        tbr: undefined,
        abr: undefined,
        vbr: undefined,
      },
      {
        id: "137",
        ext: "mp4",
        protocol: undefined,
        width: 1920,
        height: 1080,
        vcodec: "avc1.640028",
        acodec: "none",
        filesize: 1234,
        filesizeApprox: 2000,
        tbr: 4000.5,
        abr: 0,
        vbr: 4000.5,
      },
    ],
  });
});

Deno.test("[workers/ytdlp] live status comes from is_live or live_status", () => {
  assert(toProbeInfo({ ...YTDLP_JSON, is_live: true, live_status: null }, "u").isLive);
  assert(toProbeInfo({ ...YTDLP_JSON, live_status: "is_live" }, "u").isLive);
  assert(!toProbeInfo({ ...YTDLP_JSON, live_status: "was_live" }, "u").isLive);
});

Deno.test("[workers/ytdlp] a playlist yields its first entry, an empty one is unsupported", () => {
  const playlist = { _type: "playlist", id: "list", title: "List", entries: [YTDLP_JSON] };
  assertEquals(toProbeInfo(playlist, "u").id, "index-1");
  const error = catchError(() => toProbeInfo({ ...playlist, entries: [] }, "u"));
  assert(error instanceof MediaError && error.code === "unsupported");
});

Deno.test("[workers/ytdlp] the (1) yt-dlp adds to a lone HTML5 video is dropped", () => {
  assertEquals(toProbeInfo({ ...YTDLP_JSON, title: "Clip (1)" }, "u").title, "Clip");
  const series = { _type: "playlist", id: "s", entries: [{ ...YTDLP_JSON, title: "Series (1)" }] };
  assertEquals(toProbeInfo(series, "u").title, "Series (1)", "the first of several keeps it");
  const other = { ...YTDLP_JSON, extractor: "youtube", title: "Song (1)" };
  assertEquals(toProbeInfo(other, "u").title, "Song (1)");
});

Deno.test("[workers/ytdlp] a single-format result and missing fields still make a ProbeInfo", () => {
  const direct = {
    id: "clip",
    extractor: "generic",
    format_id: "mp4",
    ext: "mp4",
    url: "http://x/clip.mp4",
  };
  assertEquals(toProbeInfo(direct, "http://x/clip.mp4"), {
    id: "clip",
    extractor: "generic",
    webpageUrl: "http://x/clip.mp4",
    title: "clip",
    description: undefined,
    uploader: undefined,
    duration: undefined,
    thumbnail: undefined,
    viewCount: undefined,
    likeCount: undefined,
    isLive: false,
    formats: [{
      id: "mp4",
      ext: "mp4",
      protocol: undefined,
      width: undefined,
      height: undefined,
      vcodec: undefined,
      acodec: undefined,
      filesize: undefined,
      filesizeApprox: undefined,
      tbr: undefined,
      abr: undefined,
      vbr: undefined,
    }],
  });
});

Deno.test("[workers/ytdlp] output that is not a yt-dlp info object fails clearly", () => {
  const error = catchError(() => toProbeInfo("nonsense", "u"));
  assert(error instanceof MediaError && error.code === "failed");
});

Deno.test("[workers/ytdlp] only formats fetched over http(s), HLS or DASH are offered", () => {
  const video = { ext: "mp4", height: 720, vcodec: "avc1", acodec: "mp4a" };
  const formats = [
    { ...video, format_id: "ftp", protocol: "ftp", url: "ftp://10.0.0.1/v.mp4" },
    { ...video, format_id: "rtmp", protocol: "rtmp", url: "rtmp://10.0.0.1/live/v" },
    { ...video, format_id: "rtmpe", protocol: "rtmpe", url: "rtmpe://10.0.0.1/live/v" },
    { ...video, format_id: "rtsp", protocol: "rtsp", url: "rtsp://10.0.0.1/v" },
    { ...video, format_id: "mms", protocol: "mms", url: "mms://10.0.0.1/v" },
    { ...video, format_id: "f4m", protocol: "f4m", url: "https://cdn.example/v.f4m" },
    { ...video, format_id: "merged", protocol: "https+rtmp", url: "https://cdn.example/v" },
    // http itself, but an address of another scheme inside
    { ...video, format_id: "file-url", protocol: "https", url: "file:///etc/passwd" },
    {
      ...video,
      format_id: "hls-file-manifest",
      protocol: "m3u8_native",
      url: "https://cdn.example/v.m3u8",
      manifest_url: "file:///etc/hosts",
    },
    {
      ...video,
      format_id: "dash-ftp-base",
      protocol: "http_dash_segments",
      url: "https://cdn.example/v.mpd",
      fragment_base_url: "ftp://10.0.0.1/",
      fragments: [{ path: "seg1.m4s" }],
    },
    {
      ...video,
      format_id: "dash-data-fragment",
      protocol: "http_dash_segments",
      url: "https://cdn.example/v.mpd",
      fragments: [{ url: "https://cdn.example/1.m4s" }, { url: "data:video/mp4;base64,AAAA" }],
    },
    // the usable ones
    { ...video, format_id: "http", protocol: "http", url: "http://cdn.example/v.mp4" },
    { ...video, format_id: "hls", protocol: "m3u8_native", url: "https://cdn.example/v.m3u8" },
    {
      ...video,
      format_id: "dash",
      protocol: "http_dash_segments",
      url: "https://cdn.example/v.mpd",
      fragment_base_url: "https://cdn.example/",
      fragments: [{ path: "seg1.m4s" }, { url: "https://cdn2.example/seg2.m4s" }],
    },
  ];
  const info = toProbeInfo({ ...YTDLP_JSON, formats }, "u");
  assertEquals(info.formats.map((f) => f.id), ["http", "hls", "dash"]);
  const hostile = formats.filter((f) => !["http", "hls", "dash"].includes(f.format_id));
  const error = catchError(() => toProbeInfo({ ...YTDLP_JSON, formats: hostile }, "u"));
  assert(error instanceof MediaError && error.code === "unsupported", String(error));
  const single = catchError(() =>
    toProbeInfo({ id: "x", format_id: "0", protocol: "ftp", url: "ftp://10.0.0.1/x.mp4" }, "u")
  );
  assert(single instanceof MediaError && single.code === "unsupported", String(single));
});

// --- progress ------------------------------------------------------------------------------------

Deno.test("[workers/ytdlp] progress adds up the parts of a merged download", () => {
  const read = progressReader(1_000);
  const line = (fields: Record<string, unknown>) => `@@progress ${JSON.stringify(fields)}`;
  const seen = [
    line({ status: "downloading", downloaded_bytes: 300, total_bytes: 800, speed: 1000.4, eta: 1 }),
    line({ status: "finished", downloaded_bytes: 800, total_bytes: 800 }),
    line({ status: "downloading", downloaded_bytes: 100, total_bytes_estimate: 300 }),
    '[Merger] Merging formats into "media.mp4"',
    "Deleting original file media.f137.mp4 (pass -k to keep)",
  ].map(read);
  assertEquals(seen, [
    {
      phase: "downloading",
      downloadedBytes: 300,
      totalBytes: 1_000,
      speed: 1000,
      eta: 1,
      percent: 30,
    },
    {
      phase: "downloading",
      downloadedBytes: 800,
      totalBytes: 1_000,
      speed: undefined,
      eta: undefined,
      percent: 80,
    },
    {
      phase: "downloading",
      downloadedBytes: 900,
      totalBytes: 1_100,
      speed: undefined,
      eta: undefined,
      percent: 81.8,
    },
    { phase: "processing", downloadedBytes: 900 },
    undefined,
  ]);
});

Deno.test("[workers/ytdlp] progress of fragments fetched side by side never goes back", () => {
  const read = progressReader();
  // yt-dlp's fragment threads print the sum of all of them, but a thread may print a stale one
  const reports = [1024, 5120, 3072, 7168, 2048].map((bytes) =>
    read(`@@progress {"status": "downloading", "downloaded_bytes": ${bytes}}`)?.downloadedBytes
  );
  assertEquals(reports, [1024, 5120, 5120, 7168, 7168]);
  const finished = read(
    '@@progress {"status": "finished", "downloaded_bytes": 9000, "total_bytes": 9000}',
  );
  assertEquals(finished?.downloadedBytes, 9000);
  const nextPart = read('@@progress {"status": "downloading", "downloaded_bytes": 100}');
  assertEquals(nextPart?.downloadedBytes, 9100, "a second part starts from its own zero");
});

Deno.test("[workers/ytdlp] progress without any size has no total or percent", () => {
  const progress = progressReader()('@@progress {"status": "downloading", "downloaded_bytes": 5}');
  assertEquals(progress, {
    phase: "downloading",
    downloadedBytes: 5,
    totalBytes: undefined,
    speed: undefined,
    eta: undefined,
    percent: undefined,
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

// --- against the media lab (real yt-dlp and ffmpeg on loopback) -----------------------------------

const LIMIT = 50_000_000;
const TIMEOUT_MS = 60_000;

Deno.test("[workers/ytdlp] the media lab, end to end", async (t) => {
  const lab = await startMediaLab();
  const scratch = await Deno.makeTempDir({ prefix: "ytdlp-test-" });
  /** each download gets its own empty directory, as the worker gives each job */
  const download = async (
    url: string,
    info: ProbeInfo,
    variant: Variant,
    options: Partial<DownloadOptions> = {},
  ) =>
    await downloadMedia(url, {
      variant,
      info,
      outDir: await Deno.makeTempDir({ dir: scratch }),
      maxBytes: LIMIT,
      timeoutMs: TIMEOUT_MS,
      ...options,
    });
  let page: ProbeInfo | undefined;
  const probedPage = () => {
    assertExists(page, "the probe step should have run first");
    return page;
  };
  try {
    await t.step("probe of the page finds 720p and 360p and the title", async () => {
      page = await probeMedia(lab.urls.page, { timeoutMs: TIMEOUT_MS });
      assertEquals(page.title, LAB_CLIP.title);
      assertEquals(page.isLive, false);
      assertEquals(page.formats.map((f) => f.height).sort(), [360, 720]);
      assertEquals(availableVariants(page), ["best", "720", "360", "audio"]);
    });

    await t.step("downloads of 720, 360 and audio are what they claim", async () => {
      const info = probedPage();
      const [hd, sd, audio] = await Promise.all(
        (["720", "360", "audio"] as const).map((variant) => download(lab.urls.page, info, variant)),
      );
      await assertVideo(hd, 1280, 720, LAB_CLIP.durationSeconds);
      await assertVideo(sd, 640, 360, LAB_CLIP.durationSeconds);
      assertEquals([audio.kind, audio.mimeType], ["audio", "audio/mp4"]);
      assert(audio.path.endsWith("/media.m4a"), audio.path);
      const probe = await ffprobeMedia(audio.path);
      assertEquals([probe.hasVideo, probe.hasAudio], [false, true]);
      assertAbout(audio.duration, LAB_CLIP.durationSeconds);
    });

    await t.step(
      "a download uses only the probe's extractors, and all of them when the link no longer fits",
      async () => {
        await using ytdlp = await recordingYtdlp();
        const info = probedPage();
        const media = await download(lab.urls.page, info, "360", { ytdlpPath: ytdlp.path });
        await assertVideo(media, 640, 360, LAB_CLIP.durationSeconds);
        assertEquals(await ytdlp.extractorsByRun(), ["html5,generic"]);
        // a probe made when the link went to another extractor (the site changed, or redirected)
        const moved = { ...info, extractor: "youtube" };
        const again = await download(lab.urls.page, moved, "360", { ytdlpPath: ytdlp.path });
        await assertVideo(again, 640, 360, LAB_CLIP.durationSeconds);
        assertEquals(await ytdlp.extractorsByRun(), ["html5,generic", "youtube", undefined]);
        // a media found on another site than the link's: yt-dlp follows the page as it finds it
        const elsewhere = { ...info, webpageUrl: "https://video.example/watch/1" };
        await download(lab.urls.page, elsewhere, "360", { ytdlpPath: ytdlp.path });
        assertEquals((await ytdlp.extractorsByRun()).at(-1), undefined);
      },
    );

    await t.step("an HLS VOD downloads into an mp4", async () => {
      const info = await probeMedia(lab.urls.hlsVod, { timeoutMs: TIMEOUT_MS });
      assertEquals(info.formats.map((f) => f.height).sort(), [...LAB_HLS.heights].sort());
      assertEquals(info.duration, LAB_HLS.durationSeconds, "yt-dlp adds up the segments");
      const progress: number[] = [];
      const media = await download(lab.urls.hlsVod, info, "720", {
        onProgress: (p) => progress.push(p.downloadedBytes),
      });
      await assertVideo(media, 1280, 720, LAB_HLS.durationSeconds);
      assert(progress.length > 0, "progress should be reported");
      assert(progress.every((bytes, i) => i === 0 || bytes >= progress[i - 1]), `${progress}`);
    });

    await t.step("missing, text and gone pages fail with clear codes", async () => {
      const failures = await Promise.all(
        [lab.urls.missing, lab.urls.text, lab.urls.gone].map(async (url) => {
          const error = await assertRejects(() => probeMedia(url, { timeoutMs: TIMEOUT_MS }));
          assert(error instanceof MediaError, String(error));
          return { code: error.code, retryable: error.retryable };
        }),
      );
      assertEquals(failures, [
        { code: "unavailable", retryable: false },
        { code: "unsupported", retryable: false },
        { code: "unavailable", retryable: false },
      ]);
    });

    await t.step("a file over maxBytes fails with too_large", async () => {
      const info = probedPage();
      const error = await assertRejects(() =>
        download(lab.urls.page, info, "720", { maxBytes: 100_000 })
      );
      assert(error instanceof MediaError && error.code === "too_large", String(error));
    });

    await t.step("cancelling through the AbortSignal stops yt-dlp within 2 s", async () => {
      const info = probedPage();
      lab.setThrottle(30_000);
      const outDir = await Deno.makeTempDir({ dir: scratch });
      const controller = new AbortController();
      let abortedAt = 0;
      const error = await assertRejects(() =>
        download(lab.urls.page, info, "720", {
          outDir,
          signal: controller.signal,
          onProgress: () => {
            abortedAt ||= Date.now();
            controller.abort();
          },
        })
      );
      const stoppedAfter = Date.now() - abortedAt;
      lab.setThrottle(undefined);
      assert(error instanceof MediaError && error.code === "cancelled", String(error));
      assert(abortedAt > 0, "the download should have started");
      assert(stoppedAfter < 2_000, `stopped ${stoppedAfter} ms after the abort`);
      assertEquals(processesMentioning(outDir), []);
    });

    await t.step("a download slower than its timeout fails with timeout", async () => {
      const info = probedPage();
      lab.setThrottle(30_000);
      const started = Date.now();
      const error = await assertRejects(() =>
        download(lab.urls.page, info, "720", { timeoutMs: 2_500 })
      );
      lab.setThrottle(undefined);
      assert(error instanceof MediaError && error.code === "timeout", String(error));
      assert(error.retryable);
      assert(Date.now() - started < 5_000, "should stop soon after the timeout");
    });
  } finally {
    await lab.close();
    await Deno.remove(scratch, { recursive: true });
  }
});

// --- several connections (aria2c for single files, fragments side by side) -------------------------

const KiB = 1024;
const MiB = 1024 * KiB;
const CONNECTIONS = 4;

Deno.test("[workers/ytdlp] several connections: ranged parts through the egress guard, one connection where ranges are refused, limits and cancellation", async (t) => {
  // the media lab counts as a public site: every connection goes through the guard, as in a worker
  const guard = startEgressGuard((host) => Promise.resolve(host === "127.0.0.1" ? host : null));
  const releaseProxy = useEgressProxy(guard.url);
  const lab = await startMediaLab();
  const refusing = await startMediaLab({ refuseRanges: true });
  const scratch = await Deno.makeTempDir({ prefix: "ytdlp-parallel-test-" });
  const bigPage = await lab.bigClip(4);
  const bigFile = `${lab.fixtureDir}/big/big-4mib.mp4`;
  const bigSize = (await Deno.stat(bigFile)).size;
  const download = async (url: string, options: Partial<DownloadOptions> = {}) => {
    const info = await probeMedia(url, { timeoutMs: TIMEOUT_MS });
    return await downloadMedia(url, {
      variant: "best",
      info,
      outDir: await Deno.makeTempDir({ dir: scratch }),
      maxBytes: LIMIT,
      timeoutMs: TIMEOUT_MS,
      connections: CONNECTIONS,
      ...options,
    });
  };
  const fileRequests = (from: typeof lab) =>
    from.requests.filter((r) => r.path === "/media/big/big-4mib.mp4" && r.method === "GET");
  try {
    /**
     * The big clip at 512 KiB/s: whole, its progress moving while the file comes (not all at once
     * when aria2c exits), never back, and ending at its exact size.
     */
    const downloadWithMovingProgress = async (options: Partial<DownloadOptions> = {}) => {
      lab.setThrottle(512 * KiB);
      const progress: number[] = [];
      let movedWhileFetching = false;
      const media = await download(bigPage, {
        ...options,
        onProgress: (p) => {
          if (p.phase !== "downloading") return;
          progress.push(p.downloadedBytes);
          movedWhileFetching ||= p.downloadedBytes > 0 && lab.bodiesInFlight > 0;
        },
      }).finally(() => lab.setThrottle(undefined));
      assert(movedWhileFetching, `progress while the file was coming: ${progress}`);
      assertEquals(media.size, bigSize);
      assertEquals(await Deno.readFile(media.path), await Deno.readFile(bigFile));
      assert(progress.some((bytes) => bytes > 0 && bytes < bigSize), `moving: ${progress}`);
      assertEquals(progress.at(-1), bigSize, "the last report is the file's exact size");
      assert(progress.every((bytes, i) => i === 0 || bytes >= progress[i - 1]), `${progress}`);
    };

    await t.step(
      "a file comes in ranged parts side by side, its progress moving to its exact size",
      async () => {
        await downloadWithMovingProgress();
        const ranged = fileRequests(lab).filter((r) => r.status === 206);
        assert(ranged.length >= 2, `ranged requests: ${JSON.stringify(fileRequests(lab))}`);
        assert(guard.refused.length === 0, `refused: ${guard.refused}`);
      },
    );

    await t.step(
      "without coreutils' libstdbuf, progress still moves while the file comes, read from the disk",
      () => downloadWithMovingProgress({ libstdbufPath: "/nonexistent/coreutils/libstdbuf.so" }),
    );

    await t.step(
      "a server that refuses ranges still gives the whole file, over one connection",
      async () => {
        const page = await refusing.bigClip(4);
        const media = await download(page);
        assertEquals(await Deno.readFile(media.path), await Deno.readFile(bigFile));
        const requests = fileRequests(refusing);
        assert(requests.every((r) => r.status === 200), JSON.stringify(requests));
        // aria2c asks for its other parts too, and drops each connection whose answer is not 206
        assertEquals(requests.filter((r) => r.range === undefined).length, 1, "one whole file");
      },
    );

    await t.step("a file announced over the limit stops at aria2c's first readout", async () => {
      lab.setThrottle(512 * KiB);
      const progress: number[] = [];
      const error = await assertRejects(() =>
        download(bigPage, {
          maxBytes: 3 * MiB,
          onProgress: (p) => progress.push(p.downloadedBytes),
        })
      );
      lab.setThrottle(undefined);
      assert(error instanceof MediaError && error.code === "too_large", String(error));
      // with one connection yt-dlp refuses it from its Content-Length; aria2c has no such check
      assert(progress.every((bytes) => bytes === 0), `reported before stopping: ${progress}`);
    });

    await t.step("cancelling stops yt-dlp and every aria2c connection", async () => {
      lab.setThrottle(64 * KiB);
      const outDir = await Deno.makeTempDir({ dir: scratch });
      const controller = new AbortController();
      const info = await probeMedia(bigPage, { timeoutMs: TIMEOUT_MS });
      let aria2cSeen = false;
      const error = await assertRejects(() =>
        downloadMedia(bigPage, {
          variant: "best",
          info,
          outDir,
          maxBytes: LIMIT,
          timeoutMs: TIMEOUT_MS,
          connections: CONNECTIONS,
          signal: controller.signal,
          onProgress: () => {
            aria2cSeen ||= processesNamedIn("aria2c", outDir).length > 0;
            controller.abort();
          },
        })
      );
      lab.setThrottle(undefined);
      assert(error instanceof MediaError && error.code === "cancelled", String(error));
      assert(aria2cSeen, "aria2c was downloading when the job was cancelled");
      assertEquals(processesMentioning(outDir), []);
      assertEquals(processesNamedIn("aria2c", outDir), [], "no aria2c left behind");
    });

    await t.step(
      "an HLS stream's fragments come side by side into one mp4, progress never going back",
      async () => {
        const progress: number[] = [];
        const media = await download(lab.urls.hlsVod, {
          variant: "720",
          onProgress: (p) => progress.push(p.downloadedBytes),
        });
        await assertVideo(media, 1280, 720, LAB_HLS.durationSeconds);
        assert(progress.length > 0, "progress should be reported");
        assert(progress.every((bytes, i) => i === 0 || bytes >= progress[i - 1]), `${progress}`);
      },
    );
  } finally {
    releaseProxy();
    await guard.close();
    await lab.close();
    await refusing.close();
    await Deno.remove(scratch, { recursive: true });
  }
});

async function assertVideo(media: DownloadedMedia, width: number, height: number, seconds: number) {
  assertEquals([media.kind, media.mimeType], ["video", "video/mp4"]);
  assertEquals([media.width, media.height], [width, height]);
  assertAbout(media.duration, seconds);
  assertEquals(media.size, (await Deno.stat(media.path)).size);
  assertExists(media.thumbnailPath, "a video gets a thumbnail");
  const thumbnail = await ffprobeMedia(media.thumbnailPath);
  assert(Math.max(thumbnail.width ?? 0, thumbnail.height ?? 0) <= 320, "thumbnail within 320 px");
  assert((await Deno.stat(media.thumbnailPath)).size < 200_000, "thumbnail under 200 kB");
}

function assertAbout(actual: number | undefined, expected: number, tolerance = 0.5) {
  assert(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `expected about ${expected}, got ${actual}`,
  );
}

/** Live processes whose command line names the given text (zombies have none). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).includes(text)) {
        pids.push(Number(entry.name));
      }
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Live processes of that name working in the given directory (yt-dlp runs its downloaders there). */
function processesNamedIn(name: string, dir: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
      if (comm === name && Deno.readLinkSync(`/proc/${entry.name}/cwd`) === dir) {
        pids.push(Number(entry.name));
      }
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * The real yt-dlp behind a script that keeps each run's arguments, to see what a download asked.
 */
async function recordingYtdlp() {
  const dir = await Deno.makeTempDir({ prefix: "recording-ytdlp-" });
  const which = await new Deno.Command("sh", { args: ["-c", "command -v yt-dlp"] }).output();
  const real = new TextDecoder().decode(which.stdout).trim();
  const path = `${dir}/yt-dlp`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nprintf '%s\\0' "$@" > "$(mktemp -p '${dir}' run.XXXXXX)"\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    path,
    /** each run's --use-extractors value, oldest first */
    async extractorsByRun(): Promise<(string | undefined)[]> {
      const runs: { at: number; argv: string[] }[] = [];
      for await (const entry of Deno.readDir(dir)) {
        if (!entry.name.startsWith("run.")) continue;
        const file = `${dir}/${entry.name}`;
        const argv = (await Deno.readTextFile(file)).split("\0");
        runs.push({ at: (await Deno.stat(file)).mtime!.getTime(), argv });
      }
      return runs.sort((a, b) => a.at - b.at).map(({ argv }) => {
        const index = argv.indexOf("--use-extractors");
        return index < 0 ? undefined : argv[index + 1];
      });
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}
