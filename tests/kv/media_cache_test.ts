import { type CachedFile, MediaStore, PROBE_TTL_MS } from "../../kv/media.ts";
import type { ProbeInfo } from "../../workers/media_types.ts";
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
