import {
  mediaOffers,
  type RecommendationInput,
  recommendVariant,
  scoreVariants,
  unattendedVariant,
  WEIGHTS,
} from "../../media/quality.ts";
import type { ProbeFormat, ProbeInfo } from "../../media/media_types.ts";
import { DEFAULT_PREFERENCES } from "../../kv/users.ts";
import { assert, assertEquals } from "../support/assert.ts";

const MB = 1_000_000;

function probe(
  formats: ProbeFormat[],
  duration?: number,
  extra: Partial<ProbeInfo> = {},
): ProbeInfo {
  return {
    id: "sample",
    extractor: "test",
    webpageUrl: "https://example.test/watch",
    title: "Sample",
    duration,
    isLive: false,
    formats,
    ...extra,
  };
}

/** Ten minutes, YouTube-like: best 85 MB, 720p 45 MB, 480p 25 MB, 360p 15 MB, audio 5 MB. */
const tenMinutes = probe([
  { id: "140", ext: "m4a", vcodec: "none", acodec: "mp4a.40.2", abr: 129, filesize: 5 * MB },
  { id: "134", ext: "mp4", height: 360, vcodec: "avc1", acodec: "none", filesize: 10 * MB },
  { id: "135", ext: "mp4", height: 480, vcodec: "avc1", acodec: "none", filesize: 20 * MB },
  { id: "136", ext: "mp4", height: 720, vcodec: "avc1", acodec: "none", filesize: 40 * MB },
  { id: "137", ext: "mp4", height: 1080, vcodec: "avc1", acodec: "none", filesize: 80 * MB },
], 600);

function input(overrides: Partial<RecommendationInput> = {}): RecommendationInput {
  return {
    info: tenMinutes,
    limits: { maxUploadBytes: 50 * MB, quotaLeftBytes: 500 * MB },
    prefs: DEFAULT_PREFERENCES,
    history: { site: {}, length: {} },
    ...overrides,
  };
}

Deno.test("[media/quality] the best quality that fits the upload limit as it is wins", () => {
  const recommendation = recommendVariant(input());
  assertEquals(recommendation?.variant, "720");
  assertEquals(recommendation?.reason, { code: "fits", sizeBytes: 45 * MB });
  const best = recommendation!.scores.find((s) => s.variant === "best")!;
  assertEquals([best.fit, best.deliveredBytes], ["compressed", 50 * MB]);
});

Deno.test("[media/quality] a 1080p source that is only a little too big is recommended compressed", () => {
  const single = probe([{ id: "1080p", ext: "mp4", height: 1080, filesize: 62 * MB }]);
  const recommendation = recommendVariant(input({ info: single }));
  assertEquals(recommendation?.variant, "best");
  assertEquals(recommendation?.reason, { code: "compressed", sizeBytes: 50 * MB });
});

Deno.test("[media/quality] the quota left lowers the choice, and none is offered without quota", () => {
  const low = recommendVariant(
    input({ limits: { maxUploadBytes: 50 * MB, quotaLeftBytes: 30 * MB } }),
  );
  assertEquals(low?.variant, "480");
  assertEquals(low?.reason, { code: "fits", sizeBytes: 25 * MB });
  const none = scoreVariants(
    input({ limits: { maxUploadBytes: 50 * MB, quotaLeftBytes: 0.5 * MB } }),
  );
  assert(none.every((s) => s.excluded === "over_quota"), JSON.stringify(none));
  assertEquals(
    recommendVariant(input({ limits: { maxUploadBytes: 50 * MB, quotaLeftBytes: 0.5 * MB } })),
    undefined,
  );
});

Deno.test("[media/quality] what would need more than a 4× compression is never recommended", () => {
  const scores = scoreVariants(
    input({ limits: { maxUploadBytes: 10 * MB, quotaLeftBytes: 500 * MB } }),
  );
  const excluded = Object.fromEntries(scores.map((s) => [s.variant, s.excluded]));
  assertEquals(excluded, {
    best: "cannot_fit",
    "1080": "cannot_fit",
    "720": "cannot_fit",
    "480": undefined,
    "360": undefined,
    audio: undefined,
  });
});

Deno.test("[media/quality] preferences decide, and the reason says so", () => {
  const prefs = DEFAULT_PREFERENCES;
  const pick = (overrides: Partial<typeof prefs>) =>
    recommendVariant(input({ prefs: { ...prefs, ...overrides } }));
  assertEquals(
    [pick({ defaultQuality: "360" })?.variant, pick({ defaultQuality: "360" })?.reason.code],
    ["360", "preference"],
  );
  assertEquals(
    [pick({ preferAudio: true })?.variant, pick({ preferAudio: true })?.reason.code],
    ["audio", "preference"],
  );
  assertEquals(
    [pick({ dataSaver: true })?.variant, pick({ dataSaver: true })?.reason.code],
    ["360", "preference"],
  );
  assertEquals(
    [pick({ maxHeight: 480 })?.variant, pick({ maxHeight: 480 })?.reason.code],
    ["480", "preference"],
  );
});

Deno.test("[media/quality] past picks on the site and for similar lengths tip the choice", () => {
  const site = recommendVariant(input({ history: { site: { "480": 3 }, length: {} } }));
  assertEquals([site?.variant, site?.reason.code], ["480", "history"]);
  // the site alone is a tie between 720 and 480: the picks for this length break it
  const both = recommendVariant(
    input({ history: { site: { "720": 1, "480": 1 }, length: { "480": 2 } } }),
  );
  assertEquals([both?.variant, both?.reason.code], ["480", "history"]);
  // a few picks of a variant that does not fit change nothing
  const weak = recommendVariant(input({ history: { site: {}, length: { best: 5 } } }));
  assertEquals([weak?.variant, weak?.reason.code], ["720", "fits"]);
});

Deno.test("[media/quality] unknown sizes still give a recommendation, said to be checked later", () => {
  const page = probe([
    { id: "360p", ext: "mp4", height: 360, protocol: "http" },
    { id: "720p", ext: "mp4", height: 720, protocol: "http" },
  ]);
  const recommendation = recommendVariant(input({ info: page }));
  assertEquals(recommendation?.variant, "best");
  assertEquals(recommendation?.reason, { code: "size_unknown", sizeBytes: undefined });
});

Deno.test("[media/quality] each score is the sum of its parts from the weights table", () => {
  const scores = scoreVariants(
    input({
      history: { site: { "720": 1 }, length: {} },
      prefs: { ...DEFAULT_PREFERENCES, preferAudio: true },
    }),
  );
  for (const s of scores) {
    const sum = Object.values(s.parts).reduce((a, b) => a + (b ?? 0), 0);
    assertEquals(s.score, sum, s.variant);
  }
  const byVariant = Object.fromEntries(scores.map((s) => [s.variant, s.parts]));
  assertEquals(byVariant["720"].quality, 3 * WEIGHTS.quality);
  assertEquals(byVariant["720"].siteHistory, WEIGHTS.siteHistory);
  assertEquals(byVariant["audio"].preferAudio, WEIGHTS.preferAudio);
  assertEquals(byVariant["best"].compressed, WEIGHTS.compressed);
});

Deno.test("[media/quality] parts are offered for media too long to fit whole at an acceptable quality", () => {
  const film = probe([{ id: "1080p", ext: "mp4", height: 1080, filesize: 2000 * MB }], 3 * 3600);
  assertEquals(mediaOffers(film, 50 * MB), { compress: true, split: true });
  // a quarter of an hour still fits whole at 360p
  const episode = probe([{ id: "1080p", ext: "mp4", height: 1080, filesize: 150 * MB }], 15 * 60);
  assertEquals(mediaOffers(episode, 50 * MB), { compress: true, split: false });
  // no duration known: only "more than a compression starts from" says it will not fit
  const unknownLength = probe([{ id: "1080p", ext: "mp4", height: 1080, filesize: 300 * MB }]);
  assertEquals(mediaOffers(unknownLength, 50 * MB), { compress: true, split: true });
  assertEquals(mediaOffers(probe(unknownLength.formats, undefined, { isLive: true }), 50 * MB), {
    compress: false,
    split: false,
  });
  const podcast = probe([{
    id: "mp3",
    ext: "mp3",
    vcodec: "none",
    acodec: "mp3",
    filesize: 90 * MB,
  }], 7200);
  assertEquals(mediaOffers(podcast, 50 * MB), { compress: false, split: false });
});

Deno.test("[workers/quality] unattended downloads: the quality asked or the next one down, else audio for who prefers it", () => {
  const upTo720 = probe(tenMinutes.formats.filter((f) => (f.height ?? 0) <= 720), 600);
  const none = { preferAudio: false, fallback: "480" } as const;
  assertEquals(unattendedVariant(upTo720, { ...none, asked: "720" }), "720");
  assertEquals(unattendedVariant(upTo720, { ...none, asked: "1080" }), "720", "the next one down");
  assertEquals(
    unattendedVariant(upTo720, { ...none, asked: "audio", preferAudio: false }),
    "audio",
  );
  assertEquals(
    unattendedVariant(upTo720, { ...none, asked: "360", preferAudio: true }),
    "360",
    "asked wins",
  );
  assertEquals(unattendedVariant(upTo720, none), "480", "nothing asked: the fallback");
  assertEquals(unattendedVariant(upTo720, { ...none, preferAudio: true }), "audio");
  const silent = probe(tenMinutes.formats.filter((f) => f.vcodec !== "none"), 600);
  assertEquals(
    unattendedVariant(silent, { ...none, preferAudio: true }),
    "480",
    "no audio to prefer",
  );
  assertEquals(unattendedVariant(silent, { ...none, asked: "audio" }), "best");
  const onlyAudio = probe(tenMinutes.formats.filter((f) => f.vcodec === "none"), 600);
  assertEquals(unattendedVariant(onlyAudio, { ...none, asked: "720" }), "audio");
});
