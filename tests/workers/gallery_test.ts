/** gallery-dl runs: what they find, the item and byte caps, cancellation, `--` before the link. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeYtdlp, isRunning } from "../support/fake_ytdlp.ts";
import { LAB_GALLERY, startMediaLab } from "../support/media_lab.ts";
import { waitUntil } from "../support/wait.ts";
import { MAX_GALLERY_ITEMS, MediaError } from "../../media/media_types.ts";
import { downloadGallery, probeGallery } from "../../workers/gallery.ts";
import { runOnRoute } from "../../workers/site_route.ts";

const TIMEOUT_MS = 60_000;

async function scratchDir() {
  const path = await Deno.makeTempDir({ prefix: "gallery-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

Deno.test("[workers/gallery] the probe counts a page's items and names it; a page without any is none", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  const photos = await probeGallery(galleries.photos, { timeoutMs: TIMEOUT_MS });
  assertEquals(photos?.gallery, { photos: 5, videos: 0, others: 0 });
  assertEquals(photos?.extractor, "gallery-dl:generic");
  assertEquals(photos?.title, LAB_GALLERY.photos.title);
  assertEquals(photos?.formats, []);
  const carousel = await probeGallery(galleries.carousel, { timeoutMs: TIMEOUT_MS });
  assertEquals(carousel?.gallery, { photos: 3, videos: 1, others: 0 });
  assertEquals(await probeGallery(lab.urls.text, { timeoutMs: TIMEOUT_MS }), undefined);
});

Deno.test("[workers/gallery] a gallery past the bytes allowed stops as soon as it passes them", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using scratch = await scratchDir();
  const three = await Promise.all(
    galleries.files.many.slice(0, 3).map(async (file) => (await Deno.stat(file)).size),
  );
  const error = await assertRejects(
    () =>
      downloadGallery(galleries.many, {
        outDir: scratch.path,
        maxItemBytes: 1024 * 1024,
        maxTotalBytes: three.reduce((a, b) => a + b, 0) + 1,
        timeoutMs: TIMEOUT_MS,
      }),
  );
  assert(error instanceof MediaError && error.code === "too_large", String(error));
  const fetched = lab.requests.filter((r) => r.path.startsWith("/gallery/media/")).length;
  assert(fetched < LAB_GALLERY.many.count, `stopped early: ${fetched} items fetched`);
});

Deno.test("[workers/gallery] an item past the upload limit is not downloaded", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  await using scratch = await scratchDir();
  const sizes = await Promise.all(
    galleries.files.carousel.map(async (file) => (await Deno.stat(file)).size),
  );
  const items = await downloadGallery(galleries.carousel, {
    outDir: scratch.path,
    // every photo fits, the clip does not
    maxItemBytes: Math.max(...sizes.filter((_, i) => i !== 1)),
    maxTotalBytes: 1024 ** 3,
    timeoutMs: TIMEOUT_MS,
  });
  assertEquals(items.map((item) => item.kind), ["photo", "photo", "photo"]);
  assertEquals(items.map((item) => item.size), [sizes[0], sizes[2], sizes[3]]);
});

Deno.test("[workers/gallery] a cancelled download stops gallery-dl at once", async () => {
  await using lab = await startMediaLab({ throttleBytesPerSecond: 2_000 });
  const galleries = await lab.galleries();
  await using scratch = await scratchDir();
  const controller = new AbortController();
  const started = waitUntil(
    () => Promise.resolve(lab.requests.some((r) => r.path.startsWith("/gallery/media/"))),
    "gallery-dl is downloading the first image",
  );
  const download = downloadGallery(galleries.many, {
    outDir: scratch.path,
    maxItemBytes: 1024 * 1024,
    maxTotalBytes: 1024 ** 3,
    timeoutMs: TIMEOUT_MS,
    signal: controller.signal,
  });
  await started;
  controller.abort();
  const error = await assertRejects(() => download);
  assert(error instanceof MediaError && error.code === "cancelled", String(error));
});

Deno.test("[workers/gallery] gallery-dl gets no config but ours, the job's cookies, the item cap and `--` before the link", async () => {
  await using galleryDl = await FakeYtdlp.create({ stdout: "[]" });
  const link = "--exec=touch /tmp/pwned https://example.test/p";
  await runOnRoute(
    { cookiesFile: "/scratch/cookies.txt" },
    () => probeGallery(link, { galleryDlPath: galleryDl.path, timeoutMs: TIMEOUT_MS }),
  );
  const run = await galleryDl.run(1);
  assert(run, "the fake gallery-dl ran");
  assertEquals(run.argv.slice(-2), ["--", link]);
  assertEquals(run.argv.indexOf("--"), run.argv.length - 2, "one `--`, just before the link");
  assertEquals(run.argv[0], "--config-ignore");
  assertEquals(run.argv[run.argv.indexOf("--cookies") + 1], "/scratch/cookies.txt");
  assertEquals(run.argv[run.argv.indexOf("--range") + 1], `1-${MAX_GALLERY_ITEMS}`);
  assert(run.argv.includes("extractor.ytdl.enabled=false"), "no yt-dlp run without our flags");
  assert(run.argv.includes("extractor.cookies-update=false"), "the cookies file is never written");
  assert(!run.pids.some(isRunning), "nothing left running");
});
