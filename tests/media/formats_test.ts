import {
  availableVariants,
  estimateDownloadBytes,
  estimateSize,
  estimateVariantSizes,
  selectFormat,
} from "../../media/formats.ts";
import { MediaError, type ProbeFormat, type ProbeInfo } from "../../media/media_types.ts";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";

const MB = 1_000_000;

function probe(formats: ProbeFormat[], duration?: number): ProbeInfo {
  return {
    id: "sample",
    extractor: "test",
    webpageUrl: "https://example.test/watch",
    title: "Sample",
    duration,
    isLive: false,
    formats,
  };
}

/** YouTube-like: separate video-only and audio-only streams with known sizes, worst to best. */
const dash = probe([
  { id: "139", ext: "m4a", vcodec: "none", acodec: "mp4a.40.5", abr: 48, filesize: 2 * MB },
  { id: "249", ext: "webm", vcodec: "none", acodec: "opus", abr: 50, filesize: 2 * MB },
  { id: "140", ext: "m4a", vcodec: "none", acodec: "mp4a.40.2", abr: 129, filesize: 5 * MB },
  { id: "251", ext: "webm", vcodec: "none", acodec: "opus", abr: 135, filesize: 6 * MB },
  { id: "160", ext: "mp4", height: 144, vcodec: "avc1.4d400c", acodec: "none", filesize: 3 * MB },
  { id: "134", ext: "mp4", height: 360, vcodec: "avc1.4d401e", acodec: "none", filesize: 10 * MB },
  { id: "135", ext: "mp4", height: 480, vcodec: "avc1.4d401f", acodec: "none", filesize: 20 * MB },
  { id: "247", ext: "webm", height: 720, vcodec: "vp9", acodec: "none", filesize: 30 * MB },
  { id: "136", ext: "mp4", height: 720, vcodec: "avc1.4d401f", acodec: "none", filesize: 40 * MB },
  { id: "137", ext: "mp4", height: 1080, vcodec: "avc1.640028", acodec: "none", filesize: 80 * MB },
], 600);

/** A plain HTML5 page: two progressive mp4 files, nothing known about sizes or codecs. */
const progressive = probe([
  { id: "360p", ext: "mp4", height: 360, protocol: "http" },
  { id: "720p", ext: "mp4", height: 720, protocol: "http" },
]);

/** A podcast-like source: audio only. */
const audioOnly = probe([
  { id: "mp3-128", ext: "mp3", vcodec: "none", acodec: "mp3", abr: 128, filesizeApprox: 3 * MB },
  { id: "opus-64", ext: "opus", vcodec: "none", acodec: "opus", abr: 64 },
], 180);

Deno.test("[media/formats] estimateSize prefers filesize, then filesize_approx, then bitrate × duration", () => {
  assertEquals(estimateSize({ id: "a", ext: "mp4", filesize: 123, filesizeApprox: 456 }, 10), 123);
  assertEquals(estimateSize({ id: "a", ext: "mp4", filesizeApprox: 456, tbr: 1000 }, 10), 456);
  assertEquals(estimateSize({ id: "a", ext: "mp4", tbr: 800 }, 10), 1_000_000);
  assertEquals(estimateSize({ id: "a", ext: "mp4", vbr: 700, abr: 100 }, 10), 1_000_000);
  assertEquals(estimateSize({ id: "a", ext: "mp4", vbr: 800 }, 10), 1_000_000);
});

Deno.test("[media/formats] estimateSize is unknown without a size, a bitrate or a duration", () => {
  assertEquals(estimateSize({ id: "a", ext: "mp4" }, 10), undefined);
  assertEquals(estimateSize({ id: "a", ext: "mp4", tbr: 800 }), undefined);
  assertEquals(estimateSize({ id: "a", ext: "mp4", tbr: 800 }, 0), undefined);
  assertEquals(
    estimateSize({ id: "a", ext: "mp4", filesize: 0, tbr: 0, abr: 0, vbr: 0 }, 10),
    undefined,
  );
});

Deno.test("[media/formats] a DASH source offers every height band it has, best and audio", () => {
  assertEquals(availableVariants(dash), ["best", "1080", "720", "480", "360", "audio"]);
});

Deno.test("[media/formats] a 720p source offers 720, 360 … but never 1080", () => {
  assertEquals(availableVariants(progressive), ["best", "720", "360", "audio"]);
});

Deno.test("[media/formats] an audio-only source offers only audio", () => {
  assertEquals(availableVariants(audioOnly), ["audio"]);
});

Deno.test("[media/formats] heights above 1080 and below 360 fall into best and 360", () => {
  const info = probe([
    { id: "low", ext: "mp4", height: 240 },
    { id: "uhd", ext: "mp4", height: 2160 },
  ]);
  assertEquals(availableVariants(info), ["best", "360", "audio"]);
});

Deno.test("[media/formats] estimateVariantSizes adds the best audio to video-only streams", () => {
  assertEquals(estimateVariantSizes(dash), {
    best: 85 * MB,
    "1080": 85 * MB,
    "720": 45 * MB,
    "480": 25 * MB,
    "360": 15 * MB,
    audio: 5 * MB,
  });
});

Deno.test("[media/formats] estimateVariantSizes leaves unknown sizes out", () => {
  assertEquals(estimateVariantSizes(progressive), {});
  assertEquals(estimateVariantSizes(audioOnly), { audio: 3 * MB });
});

Deno.test("[media/formats] an MP3's size is its bitrate times the duration; an M4A's is the source's audio", () => {
  // 600 s: 128 kbit/s is 9.6 MB, 320 kbit/s 24 MB, whatever the 5 MB m4a source
  assertEquals(estimateVariantSizes(dash, "mp3_128").audio, 9.6 * MB);
  assertEquals(estimateVariantSizes(dash, "mp3_320").audio, 24 * MB);
  assertEquals(estimateVariantSizes(dash, "m4a").audio, 5 * MB);
  assertEquals(estimateVariantSizes(dash, "mp3_192")["720"], 45 * MB, "video is not affected");
  // the file: the sound plus room for its cover
  const cover = 250_000;
  assertEquals(estimateDownloadBytes(dash, "audio_mp3_192"), 14.4 * MB + cover);
  assertEquals(estimateDownloadBytes(dash, "audio_m4a"), 5 * MB + cover);
  assertEquals(estimateDownloadBytes(audioOnly, "audio_mp3_320"), 7.2 * MB + cover);
  assertEquals(estimateDownloadBytes(dash, "720"), 45 * MB);
  assertEquals(estimateDownloadBytes(dash, "split"), 85 * MB);
  // an MP3 without a duration has no size to tell
  assertEquals(estimateDownloadBytes(progressive, "audio_mp3_192"), undefined);
});

Deno.test("[media/formats] an audio format's variant selects audio only", () => {
  for (const variant of ["audio_mp3_128", "audio_mp3_320", "audio_m4a"] as const) {
    const selection = selectFormat(dash, variant, 50 * MB);
    assertEquals([selection.audioOnly, selection.height], [true, undefined]);
    assertEquals(selection.selector.split("/")[0], "140");
  }
});

Deno.test("[media/formats] selectFormat caps the height and prefers mp4 video with m4a audio", () => {
  const selection = selectFormat(dash, "720", 1000 * MB);
  assertEquals(selection, {
    selector: "136+140/bestvideo[height<=720][ext=mp4]+bestaudio[ext=m4a]/" +
      "bestvideo[height<=720]+bestaudio/best[height<=720]",
    estimatedBytes: 45 * MB,
    height: 720,
    audioOnly: false,
  });
});

Deno.test("[media/formats] selectFormat for best takes the highest format", () => {
  const selection = selectFormat(dash, "best", 1000 * MB);
  assertEquals(selection.selector.split("/")[0], "137+140");
  assertEquals(selection.height, 1080);
});

Deno.test("[media/formats] selectFormat takes another codec at the same height before stepping down", () => {
  const selection = selectFormat(dash, "720", 38 * MB);
  assertEquals(selection.selector.split("/")[0], "247+140");
  assertEquals(selection.estimatedBytes, 35 * MB);
});

Deno.test("[media/formats] selectFormat steps down to the largest version that fits", () => {
  const fromBest = selectFormat(dash, "best", 30 * MB);
  assertEquals(fromBest.selector.split("/")[0], "135+140");
  assertEquals(fromBest.height, 480);
  assert(fromBest.selector.includes("bestvideo[height<=480]"), fromBest.selector);
  const from720 = selectFormat(dash, "720", 16 * MB);
  assertEquals(from720.selector.split("/")[0], "134+140");
});

Deno.test("[media/formats] selectFormat throws too_large when nothing fits", () => {
  const error = mediaErrorOf(() => selectFormat(dash, "720", 5 * MB));
  assertEquals([error.code, error.retryable], ["too_large", false]);
  assertMatch(error.message, /smallest 144p version is about 8\.0 MB, more than the 5\.0 MB limit/);
});

Deno.test("[media/formats] selectFormat picks m4a for audio and steps down to smaller audio", () => {
  assertEquals(selectFormat(dash, "audio", 50 * MB), {
    selector: "140/bestaudio[ext=m4a]/bestaudio/best",
    estimatedBytes: 5 * MB,
    height: undefined,
    audioOnly: true,
  });
  assertEquals(selectFormat(dash, "audio", 3 * MB).selector.split("/")[0], "139");
});

Deno.test("[media/formats] selectFormat accepts unknown sizes of a progressive source", () => {
  assertEquals(selectFormat(progressive, "720", 1 * MB), {
    selector: "720p/bestvideo[height<=720][ext=mp4]+bestaudio[ext=m4a]/" +
      "bestvideo[height<=720]+bestaudio/best[height<=720]",
    estimatedBytes: undefined,
    height: 720,
    audioOnly: false,
  });
  assertEquals(selectFormat(progressive, "480", 1 * MB).selector.split("/")[0], "360p");
});

Deno.test("[media/formats] audio of a progressive-only source is extracted from its smallest file", () => {
  const selection = selectFormat(progressive, "audio", 1 * MB);
  assertEquals(selection.selector, "360p/bestaudio[ext=m4a]/bestaudio/best");
  assert(selection.audioOnly);
  assertEquals(selection.height, undefined);
});

Deno.test("[media/formats] best on an audio-only source downloads the audio as it is", () => {
  const selection = selectFormat(audioOnly, "best", 50 * MB);
  assertEquals(selection.selector, "mp3-128/bestaudio[ext=m4a]/bestaudio/best");
  assert(selection.audioOnly, "so it is extracted to m4a rather than remuxed to mp4");
  assertEquals(selection.estimatedBytes, 3 * MB);
});

Deno.test("[media/formats] a height below every format is not offered and cannot be selected", () => {
  const info = probe([{ id: "hd", ext: "mp4", height: 720 }]);
  assertEquals(availableVariants(info), ["best", "720", "audio"]);
  const error = mediaErrorOf(() => selectFormat(info, "360", 10 * MB));
  assertEquals(error.code, "failed");
  assertMatch(error.message, /No 360p or lower version/);
});

Deno.test("[media/formats] bitrates and duration give sizes when filesize is missing", () => {
  const info = probe([
    { id: "a", ext: "m4a", vcodec: "none", acodec: "mp4a.40.2", abr: 128 },
    { id: "v", ext: "mp4", height: 720, vcodec: "avc1", acodec: "none", vbr: 2000 },
  ], 100);
  // (2000 + 128) kbit/s × 100 s / 8
  assertEquals(selectFormat(info, "720", 100 * MB).estimatedBytes, 26_600_000);
});

Deno.test("[media/formats] with room to compress, the best version within the source cap is taken", () => {
  // only 144p fits 10 MB as it is; up to 40 MB may be downloaded and compressed instead
  const selection = selectFormat(dash, "best", 10 * MB, 40 * MB);
  assertEquals(selection.selector.split("/")[0], "247+140");
  assertEquals([selection.height, selection.estimatedBytes], [720, 35 * MB]);
  // a version of 360p or more that fits as it is needs no compression
  assertEquals(selectFormat(dash, "best", 20 * MB, 80 * MB).height, 360);
  // presets and parts start from the best video
  assertEquals(selectFormat(dash, "c_low", 100 * MB).height, 1080);
  assertEquals(selectFormat(dash, "split", 10 * MB, 400 * MB).height, 1080);
  assertEquals(mediaErrorOf(() => selectFormat(dash, "best", 1 * MB, 4 * MB)).code, "too_large");
});

function mediaErrorOf(fn: () => unknown): MediaError {
  try {
    fn();
  } catch (error) {
    assert(error instanceof MediaError, `expected a MediaError, got ${error}`);
    return error;
  }
  throw new Error("expected a MediaError");
}
