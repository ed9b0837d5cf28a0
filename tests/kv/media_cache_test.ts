import { type CachedFile, hashUrl, MediaStore, PROBE_TTL_MS } from "../../kv/media.ts";
import { mediaIdentity } from "../../media/media_identity.ts";
import type { ProbeInfo } from "../../media/media_types.ts";
import { assert, assertEquals } from "../support/assert.ts";

function probe(id: string, formats = 1): ProbeInfo {
  return {
    id,
    extractor: "test",
    webpageUrl: `https://example.test/${id}`,
    title: `Media ${id}`,
    isLive: false,
    formats: Array.from({ length: formats }, (_, i) => ({ id: `f${i}`, ext: "mp4", height: 360 })),
  };
}

/** A clock the test moves; both cache levels read it. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("[kv/media] a saved probe is an L1 hit; another process finds it in L2, then in its own L1", async () => {
  await withKv(async (kv) => {
    const app = new MediaStore(kv);
    await app.saveProbe("https://a.test/1", probe("1"));
    assertEquals((await app.getProbe("https://a.test/1"))?.id, "1");
    assertEquals(app.stats.probeL1, { hits: 1, misses: 0 });
    assertEquals(app.stats.probeL2, { hits: 0, misses: 0 });

    const other = new MediaStore(kv);
    assertEquals((await other.getProbe("https://a.test/1"))?.id, "1");
    assertEquals((await other.getProbe("https://a.test/1"))?.id, "1");
    assertEquals(other.stats.probeL1, { hits: 1, misses: 1 });
    assertEquals(other.stats.probeL2, { hits: 1, misses: 0 });

    assertEquals(await other.getProbe("https://a.test/unknown"), undefined);
    assertEquals(other.stats.probeL2, { hits: 1, misses: 1 });
  });
});

Deno.test("[kv/media] probes expire from both levels after the TTL", async () => {
  await withKv(async (kv) => {
    const clock = manualClock();
    const app = new MediaStore(kv, { now: clock.now });
    await app.saveProbe("https://a.test/1", probe("1"));
    clock.advance(PROBE_TTL_MS - 1);
    assertEquals((await app.getProbe("https://a.test/1"))?.id, "1", "still fresh");
    clock.advance(2);
    assertEquals(await app.getProbe("https://a.test/1"), undefined);
    assertEquals(app.stats.probeL1, { hits: 1, misses: 1 });
    assertEquals(app.stats.probeL2, { hits: 0, misses: 1 }, "KV holds it, but past its deadline");
  });
});

Deno.test("[kv/media] an L2 hit lives in L1 only for what is left of its TTL", async () => {
  await withKv(async (kv) => {
    const clock = manualClock();
    await new MediaStore(kv, { now: clock.now }).saveProbe("https://a.test/1", probe("1"));
    clock.advance(PROBE_TTL_MS - 60_000);
    const other = new MediaStore(kv, { now: clock.now });
    assertEquals((await other.getProbe("https://a.test/1"))?.id, "1");
    clock.advance(59_000);
    assertEquals((await other.getProbe("https://a.test/1"))?.id, "1");
    assertEquals(other.stats.probeL1.hits, 1);
    clock.advance(2_000);
    assertEquals(await other.getProbe("https://a.test/1"), undefined);
  });
});

Deno.test("[kv/media] L1 is bounded by entries and by size; what it drops is still in L2", async () => {
  await withKv(async (kv) => {
    const byCount = new MediaStore(kv, { memoryEntries: 2 });
    for (const id of ["1", "2", "3"]) await byCount.saveProbe(`https://a.test/${id}`, probe(id));
    assertEquals(byCount.memoryUsage().entries, 2);
    assertEquals((await byCount.getProbe("https://a.test/1"))?.id, "1");
    assertEquals(byCount.stats.probeL2.hits, 1, "the oldest came back from KV");

    const bySize = new MediaStore(kv, { memoryBytes: 2_000 });
    await bySize.saveProbe("https://a.test/small", probe("small"));
    await bySize.saveProbe("https://a.test/big", probe("big", 50));
    const usage = bySize.memoryUsage();
    assertEquals(usage.entries, 1, "a probe larger than the bound is not kept in memory");
    assert(usage.bytes > 0 && usage.bytes <= 2_000, `${usage.bytes} bytes`);
    assertEquals((await bySize.getProbe("https://a.test/big"))?.formats.length, 50);
    assertEquals(bySize.stats.probeL2.hits, 1);
  });
});

Deno.test("[kv/media] the parts of a split download are kept in order and counted as file hits", async () => {
  await withKv(async (kv) => {
    const media = new MediaStore(kv);
    const info = probe("long");
    const part = (n: number): CachedFile => ({
      fileId: `file-${n}`,
      fileUniqueId: `unique-${n}`,
      kind: "video",
      size: 1000 + n,
      title: "Long",
      createdAt: 0,
    });
    assertEquals(await media.getParts(info), undefined);
    await media.saveParts(info, [part(1), part(2), part(3)]);
    assertEquals((await media.getParts(info))?.map((p) => p.fileId), [
      "file-1",
      "file-2",
      "file-3",
    ]);
    assertEquals(await media.getParts(info, "file"), undefined, "documents are kept apart");
    await media.forgetParts(info);
    assertEquals(await media.getParts(info), undefined);
    assertEquals(media.stats.files, { hits: 1, misses: 3 });
  });
});

/** A generic-extractor media: its id is the URL's file name, so links share it. */
function fileNamed(url: string): ProbeInfo {
  return { ...probe("video"), extractor: "generic", webpageUrl: url };
}

function cachedFile(fileId: string): CachedFile {
  return {
    fileId,
    fileUniqueId: `u-${fileId}`,
    kind: "video",
    size: 1,
    title: fileId,
    createdAt: 0,
  };
}

Deno.test("[kv/media] links whose media share an id have their own files; a site id has one whatever the link", async () => {
  await withKv(async (kv) => {
    const media = new MediaStore(kv);
    const a = fileNamed("https://a.example/x/video.mp4");
    const b = fileNamed("https://b.example/y/video.mp4");
    await media.saveFile(a, "best", cachedFile("a"));
    assertEquals(await media.getFile(b, "best"), undefined, "b is not answered with a's file");
    await media.saveFile(b, "best", cachedFile("b"));
    assertEquals((await media.getFile(a, "best"))?.fileId, "a");
    assertEquals((await media.getFile(b, "best"))?.fileId, "b");
    await media.saveParts(a, [cachedFile("a1"), cachedFile("a2")]);
    assertEquals(await media.getParts(b), undefined, "nor with a's parts");

    const youtube = { ...probe("dQw4w9WgXcQ"), extractor: "youtube" };
    await media.saveFile(youtube, "720", cachedFile("y"));
    const shortLink = { ...youtube, webpageUrl: "https://youtu.be/dQw4w9WgXcQ" };
    assertEquals((await media.getFile(shortLink, "720"))?.fileId, "y");
  });
});

Deno.test("[kv/media] a hit must carry the identity of the media asked for", async () => {
  await withKv(async (kv) => {
    const media = new MediaStore(kv);
    const a = fileNamed("https://a.example/x/video.mp4");
    const b = fileNamed("https://b.example/y/video.mp4");
    await media.saveFile(a, "best", cachedFile("a"));
    // a's entry under b's key, as a digest collision would put it
    const [entry] = await Array.fromAsync(kv.list<{ identity: string }>({ prefix: [] }));
    const bKey = (await mediaIdentity(b)).key;
    await kv.set(["media_file_cache", bKey, "best", "video"], entry.value);
    assertEquals(await media.getFile(b, "best"), undefined);
    assertEquals(media.stats.files, { hits: 0, misses: 1 });
  });
});

Deno.test("[kv/media] files cached under the old keys: a site id's move on first use, a URL-derived id's are never read", async () => {
  await withKv(async (kv) => {
    const media = new MediaStore(kv);
    const youtube = { ...probe("dQw4w9WgXcQ"), extractor: "youtube" };
    await kv.set(["media_files", "youtube", "dQw4w9WgXcQ", "720", "video"], cachedFile("old-y"));
    await kv.set(["media_parts", "youtube", "dQw4w9WgXcQ", "video"], [cachedFile("old-p")]);
    assertEquals((await media.getFile(youtube, "720"))?.fileId, "old-y");
    assertEquals((await media.getParts(youtube))?.map((p) => p.fileId), ["old-p"]);
    const old = await kv.getMany([
      ["media_files", "youtube", "dQw4w9WgXcQ", "720", "video"],
      ["media_parts", "youtube", "dQw4w9WgXcQ", "video"],
    ]);
    assertEquals(old.map((e) => e.value), [null, null], "moved, not copied");
    assertEquals((await media.getFile(youtube, "720"))?.fileId, "old-y", "now under its new key");

    // "video" was any link's file name: whose file this is cannot be known
    await kv.set(["media_files", "generic", "video", "best", "video"], cachedFile("old-g"));
    await kv.set(["media_parts", "generic", "video", "video"], [cachedFile("old-gp")]);
    const a = fileNamed("https://a.example/x/video.mp4");
    assertEquals(await media.getFile(a, "best"), undefined);
    assertEquals(await media.getParts(a), undefined);
  });
});

Deno.test("[kv/media] a probe answers only its own link; probes stored without their link are ignored", async () => {
  await withKv(async (kv) => {
    const app = new MediaStore(kv);
    await app.saveProbe("HTTPS://A.test:443/1", probe("1"));
    assertEquals((await app.getProbe("https://a.test/1"))?.id, "1", "the same link, normalised");
    assertEquals(await app.getProbe("https://a.test/1?x"), undefined);
    assertEquals(await new MediaStore(kv).getProbe("https://a.test/1?x"), undefined);

    // an entry written before probes kept their link
    const url = "https://a.test/2";
    await kv.set(["probe_cache", await hashUrl(url)], {
      info: probe("2"),
      expiresAt: Date.now() + PROBE_TTL_MS,
    });
    assertEquals(await new MediaStore(kv).getProbe(url), undefined);
  });
});
