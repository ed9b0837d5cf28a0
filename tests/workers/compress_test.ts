/** Re-encoding to a size, splitting into parts and sizing sources, with the real ffmpeg and yt-dlp. */
import { compressAudioToFit, compressToFit, ffmpegProgressReader } from "../../workers/compress.ts";
import { MIN_BITS_PER_PIXEL, planCompression } from "../../media/compression_plan.ts";
import { splitIntoParts } from "../../workers/split.ts";
import { downloadFitted } from "../../workers/fit.ts";
import { ffprobeMedia } from "../../workers/ffmpeg.ts";
import { probeMedia } from "../../workers/ytdlp.ts";
import { MediaError } from "../../media/media_types.ts";
import { fillMissingSizes } from "../../workers/probe_sizes.ts";
import { UrlGuard } from "../../lib/url_guard.ts";
import { fixturePath, LAB_CLIP, LAB_SONG, startMediaLab } from "../support/media_lab.ts";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";

const KB = 1024;

async function withScratch(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mediabot-compress-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[workers/compress] -progress blocks become percents of the duration", () => {
  const read = ffmpegProgressReader(10);
  const lines = [
    "frame=10",
    "out_time_us=N/A",
    "progress=continue",
    "out_time_us=2500000",
    "out_time_ms=2500000",
    "progress=continue",
    "out_time_ms=7500000",
    "progress=continue",
    "progress=end",
  ];
  assertEquals(lines.map(read).filter((p) => p !== undefined), [25, 75, 100]);
  assertEquals(ffmpegProgressReader(0)("progress=continue"), undefined);
});

Deno.test("[workers/compress] the plan keeps the picture while bits allow and scales down when not", () => {
  const roomy = planCompression({
    targetBytes: 50 * 1024 * KB,
    durationSeconds: 13,
    width: 1920,
    height: 1080,
    frameRate: 25,
  })!;
  assertEquals(roomy.height, undefined);
  assertEquals(roomy.audioBps, 128_000);
  assertEquals(roomy.x264Preset, "superfast", "plenty of bits: the faster preset");
  // everything together stays within the target, buffer included
  assert((roomy.videoMaxrate * 14 + roomy.audioBps * 13) / 8 <= 50 * 1024 * KB);

  const tight = planCompression({
    targetBytes: 50 * 1024 * KB,
    durationSeconds: 15 * 60,
    width: 1920,
    height: 1080,
    frameRate: 30,
  })!;
  assertEquals(tight.height, 360);
  assertEquals(tight.x264Preset, "veryfast");
  assert(tight.bitsPerPixel >= MIN_BITS_PER_PIXEL, `${tight.bitsPerPixel}`);

  const hopeless = planCompression({ targetBytes: 50 * 1024 * KB, durationSeconds: 10 * 3600 });
  assertEquals(hopeless, undefined);
});

Deno.test("[workers/compress] a 720p clip is re-encoded under its target, with progress", async () => {
  await startMediaLab().then((lab) => lab.close());
  await withScratch(async (dir) => {
    const percents: number[] = [];
    const target = 150 * KB;
    const result = await compressToFit(fixturePath("clip720.mp4"), {
      targetBytes: target,
      durationSeconds: LAB_CLIP.durationSeconds,
      width: 1280,
      height: 720,
      frameRate: 25,
      outPath: `${dir}/out.mp4`,
      timeoutMs: 60_000,
      onProgress: (p) => percents.push(p),
    });
    assert(result.size <= target, `${result.size} bytes`);
    const out = await ffprobeMedia(result.path);
    assert(out.hasVideo && out.hasAudio, "picture and sound");
    assert(Math.abs(out.duration! - LAB_CLIP.durationSeconds) < 0.3, `duration ${out.duration}`);
    assertEquals(percents.at(-1), 100);
    assert(percents.every((p, i) => i === 0 || p >= percents[i - 1]), `${percents}`);
  });
});

Deno.test("[workers/compress] sound is re-encoded to AAC under its target; hopeless targets fail clearly", async () => {
  await startMediaLab().then((lab) => lab.close());
  await withScratch(async (dir) => {
    const result = await compressAudioToFit(fixturePath("song.m4a"), {
      targetBytes: 24 * KB,
      durationSeconds: LAB_SONG.durationSeconds,
      outPath: `${dir}/out.m4a`,
      timeoutMs: 30_000,
    });
    assert(result.size <= 24 * KB, `${result.size} bytes`);
    assert(!(await ffprobeMedia(result.path)).hasVideo);
    const error = await assertRejects(() =>
      compressAudioToFit(fixturePath("song.m4a"), {
        targetBytes: 2 * KB,
        durationSeconds: LAB_SONG.durationSeconds,
        outPath: `${dir}/tiny.m4a`,
        timeoutMs: 30_000,
      })
    );
    assert(error instanceof MediaError && error.code === "too_large", String(error));
  });
});

Deno.test("[workers/compress] an MP3 made smaller stays an MP3 with its tags and cover", async () => {
  await startMediaLab().then((lab) => lab.close());
  await withScratch(async (dir) => {
    const source = `${dir}/song.mp3`;
    const made = await new Deno.Command("ffmpeg", {
      args: [
        ...["-v", "error", "-i", fixturePath("song.m4a"), "-i", fixturePath("poster.jpg")],
        ...["-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-b:a", "320k", "-c:v", "copy"],
        ...["-disposition:v", "attached_pic", "-id3v2_version", "3", source],
      ],
    }).output();
    assert(made.success, "the 320 kbit/s MP3 with a cover was made");
    const { size } = await Deno.stat(source);
    const result = await compressAudioToFit(source, {
      targetBytes: Math.floor(size * 0.8),
      durationSeconds: LAB_SONG.durationSeconds,
      outPath: `${dir}/fitted.mp3`,
      timeoutMs: 30_000,
    });
    assert(result.size <= size * 0.8, `${result.size} of ${size} bytes`);
    const probe = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", result.path],
    }).output();
    const info = JSON.parse(new TextDecoder().decode(probe.stdout));
    assertEquals(info.format.format_name, "mp3");
    assertEquals(info.format.tags.title, LAB_SONG.title);
    assert(
      info.streams.some((s: { disposition?: { attached_pic?: number } }) =>
        s.disposition?.attached_pic === 1
      ),
      "the cover is kept",
    );
  });
});

Deno.test("[workers/split] a clip is cut by stream copy into ordered parts within the limit", async () => {
  await startMediaLab().then((lab) => lab.close());
  await withScratch(async (dir) => {
    const limit = 150 * KB;
    const parts = await splitIntoParts(fixturePath("clip720.mp4"), {
      maxPartBytes: limit,
      durationSeconds: LAB_CLIP.durationSeconds,
      outDir: dir,
      timeoutMs: 30_000,
    });
    assert(parts.length >= 3, `${parts.length} parts`);
    let total = 0;
    for (const part of parts) {
      assert((await Deno.stat(part)).size <= limit, part);
      const info = await ffprobeMedia(part);
      assertEquals(info.height, 720, "stream copy keeps the picture");
      total += info.duration!;
    }
    assert(Math.abs(total - LAB_CLIP.durationSeconds) < 0.3, `${total} s in all`);
    await assertRejects(
      () =>
        splitIntoParts(fixturePath("clip720.mp4"), {
          maxPartBytes: limit,
          durationSeconds: LAB_CLIP.durationSeconds,
          outDir: dir,
          timeoutMs: 30_000,
          maxParts: 2,
        }),
      /at most 2 parts/,
    );
  });
});

Deno.test("[workers/fit] the probe learns sizes by HEAD, and a preset download comes out at its height", async () => {
  await using lab = await startMediaLab();
  const info = await probeMedia(lab.urls.page, {
    timeoutMs: 60_000,
    sizeLookup: { urlGuard: new UrlGuard(true) },
  });
  const clip720 = await Deno.stat(fixturePath("clip720.mp4"));
  assertEquals(info.formats.find((f) => f.height === 720)?.filesize, clip720.size);
  const heads = () => lab.requests.filter((r) => r.method === "HEAD").length;
  assert(lab.requests.some((r) => r.method === "HEAD" && r.path.endsWith("clip720.mp4")));

  // where the guard refuses the address (loopback, in production), nothing is asked
  const before = heads();
  const unsized = { ...info, formats: info.formats.map((f) => ({ ...f, filesize: undefined })) };
  const json = { formats: [{ format_id: "720p", url: lab.urls.clip720, protocol: "http" }] };
  const refused = await fillMissingSizes(unsized, json, { urlGuard: new UrlGuard(false) });
  assert(refused.formats.every((f) => f.filesize === undefined), "no size learnt");
  assertEquals(heads(), before, "no request sent");

  await withScratch(async (dir) => {
    const phases: string[] = [];
    const media = await downloadFitted(lab.urls.page, {
      variant: "c_low",
      info,
      outDir: dir,
      maxBytes: 1024 * KB,
      timeoutMs: 60_000,
      onProgress: (p) => phases.push(p.phase),
    });
    assertEquals([media.kind, media.height, media.width], ["video", 480, 854]);
    assert(media.size <= 1024 * KB && media.thumbnailPath !== undefined);
    assert(phases.includes("processing"), `phases ${[...new Set(phases)]}`);
  });
});
