import { assert, assertEquals } from "../support/assert.ts";
import type { HistoryEntry } from "../../kv/history.ts";
import { getCatalogItems, indexDownload, mediaKeyOf } from "../../kv/recommendation_index.ts";
import { recommendFor } from "../../services/recommendations.ts";
import { toProbeInfo } from "../../workers/ytdlp.ts";
import { mediaLabels } from "../../kv/history.ts";

let clock = Date.UTC(2026, 0, 1);

function download(
  userId: number,
  mediaId: string,
  meta: { uploader?: string; tags?: string[]; categories?: string[] } = {},
): HistoryEntry {
  clock += 60_000;
  return {
    id: `${userId}-${mediaId}-${clock}`,
    userId,
    title: `Title ${mediaId}`,
    url: `https://example.com/${mediaId}`,
    kind: "video",
    variant: "720",
    size: 1_000,
    extractor: "example",
    mediaId,
    fromCache: false,
    at: clock,
    ...meta,
  };
}

const ALICE = { uploader: "Alice ", tags: ["Jazz"] };
const ALICE_AGAIN = { uploader: "alice", tags: ["jazz"] };

async function seed(kv: Deno.Kv) {
  const downloads = [
    // the user we recommend for
    download(1, "a1", ALICE),
    download(1, "b1", { uploader: "Bob", tags: ["rock"] }),
    download(1, "x", { uploader: "Xena" }),
    // a user who shares a1 and x, and also has a2 and y
    download(2, "a1", ALICE),
    download(2, "x", { uploader: "Xena" }),
    download(2, "a2", ALICE_AGAIN),
    download(2, "y", { uploader: "Yan", tags: ["cooking"] }),
    // shares x only; has y and z
    download(3, "x", { uploader: "Xena" }),
    download(3, "y", { uploader: "Yan", tags: ["cooking"] }),
    download(3, "z", { uploader: "Zed" }),
    // unrelated users: another Alice video, and a jazz video by someone else
    download(4, "a3", ALICE),
    download(5, "j1", { uploader: "Jim", tags: ["jazz"], categories: ["Music"] }),
    download(6, "q", { uploader: "Quinn", tags: ["sports"] }),
  ];
  for (const d of downloads) await indexDownload(kv, d);
}

Deno.test("[services/recommend] never recommends what the user has or excludes, and says why", async () => {
  using kv = await Deno.openKv(":memory:");
  await seed(kv);
  const recommendations = await recommendFor(kv, 1, {
    limit: 10,
    exclude: [await mediaKeyOf(download(3, "z"))],
  });
  const keys = recommendations.map((r) => r.item.mediaId);
  for (const owned of ["a1", "b1", "x"]) {
    assert(!keys.includes(owned), `${owned} is the user's own`);
  }
  assert(!keys.includes("z"), "an excluded media is never offered");
  assert(!keys.includes("q"), "nothing links the user to q");
  assertEquals(new Set(keys), new Set(["a2", "a3", "y", "j1"]));

  const reasonOf = (id: string) => recommendations.find((r) => r.item.mediaId === id)!.reason;
  const mine = new Set(["Title a1", "Title b1", "Title x"]);
  for (const r of recommendations) {
    assert(mine.has(r.reason.because), `${r.item.mediaId} names one of the user's downloads`);
  }
  assertEquals(reasonOf("a3"), { kind: "creator", creator: "alice", because: "Title a1" });
  assertEquals(reasonOf("y").kind, "co_downloaded");
  assertEquals(reasonOf("j1"), { kind: "label", label: "tag:jazz", because: "Title a1" });
  // a2 is both by Alice and downloaded by the closest neighbor: it ranks first
  assertEquals(keys[0], "a2");
  assertEquals(recommendations[0].item.url, "https://example.com/a2");
});

Deno.test("[services/recommend] a user without downloads gets nothing; repeats count one user", async () => {
  using kv = await Deno.openKv(":memory:");
  await seed(kv);
  assertEquals(await recommendFor(kv, 999), []);
  await indexDownload(kv, download(2, "y", { uploader: "Yan", tags: ["cooking"] }));
  const [y] = await getCatalogItems(kv, [await mediaKeyOf(download(2, "y"))]);
  assertEquals(y.users, 2, "user 2 downloading y again is still one user");
  const limited = await recommendFor(kv, 1, { limit: 2 });
  assertEquals(limited.length, 2);
});

Deno.test("[services/recommend] tags and categories come from yt-dlp's JSON, trimmed and bounded", () => {
  const json = {
    id: "clip",
    extractor: "youtube",
    uploader: "Alice",
    tags: [" Jazz ", "", ...Array.from({ length: 30 }, (_, i) => `tag${i}`)],
    categories: ["Music"],
    format_id: "mp4",
    ext: "mp4",
    url: "http://x/clip.mp4",
  };
  const labels = mediaLabels(toProbeInfo(json, "http://x/clip.mp4"));
  assertEquals(labels.uploader, "Alice");
  assertEquals(labels.tags?.length, 20);
  assertEquals(labels.tags?.[0], "Jazz");
  assertEquals(labels.categories, ["Music"]);
  const bare = toProbeInfo({ ...json, tags: [], categories: undefined }, "http://x/clip.mp4");
  assertEquals("tags" in bare || "categories" in bare, false, "no empty label lists are stored");
});

Deno.test("[services/recommend] links whose media share an id are two media in the index", async () => {
  using kv = await Deno.openKv(":memory:");
  const fileNamed = (userId: number, url: string): HistoryEntry => ({
    ...download(userId, "video", { uploader: "Same" }),
    extractor: "generic",
    title: url,
    url,
    webpageUrl: url,
  });
  const a = fileNamed(1, "https://a.example/x/video.mp4");
  const b = fileNamed(2, "https://b.example/y/video.mp4");
  await indexDownload(kv, a);
  await indexDownload(kv, b);
  const keys = [await mediaKeyOf(a), await mediaKeyOf(b)];
  assert(keys[0] !== keys[1]);
  const items = await getCatalogItems(kv, keys);
  assertEquals(items.map((found) => [found.item.url, found.users]), [
    [a.url, 1],
    [b.url, 1],
  ]);
  // user 1 has a: b, by the same creator, is still new to them
  const [offered] = await recommendFor(kv, 1);
  assertEquals(offered.item.url, b.url);
});
