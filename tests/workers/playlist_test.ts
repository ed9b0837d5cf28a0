/** Listing a playlist's entries with the real yt-dlp, and the shapes yt-dlp prints for others. */
import { assert, assertEquals } from "../support/assert.ts";
import { LAB_SERIES, startMediaLab } from "../support/media_lab.ts";
import { expandPlaylist, toListing } from "../../workers/playlist.ts";
import { probeMedia } from "../../workers/ytdlp.ts";
import { MediaError } from "../../media/media_types.ts";

const TIMEOUT_MS = 60_000;

Deno.test("[workers/playlist] a page of three videos: listed as the page and positions, each probed on its own", async () => {
  await using lab = await startMediaLab();
  const listing = await expandPlaylist(lab.urls.series, { maxEntries: 20, timeoutMs: TIMEOUT_MS });
  assertEquals(listing.title, LAB_SERIES.title);
  assertEquals(listing.count, LAB_SERIES.count);
  assertEquals(listing.entries.map((e) => [e.url, e.playlistItem]), [
    [lab.urls.series, 1],
    [lab.urls.series, 2],
    [lab.urls.series, 3],
  ]);

  const first = await probeMedia(lab.urls.series, { timeoutMs: TIMEOUT_MS });
  assertEquals(first.playlist, { title: LAB_SERIES.title, count: 3 });
  const second = await probeMedia(lab.urls.series, { timeoutMs: TIMEOUT_MS, playlistItem: 2 });
  assertEquals(second.id, "series-2");
  const single = await probeMedia(lab.urls.page, { timeoutMs: TIMEOUT_MS });
  assertEquals(single.playlist, undefined);
});

Deno.test("[workers/playlist] a plain video lists itself; a 404 fails like a probe", async () => {
  await using lab = await startMediaLab();
  const listing = await expandPlaylist(lab.urls.page, { maxEntries: 20, timeoutMs: TIMEOUT_MS });
  assertEquals(listing.entries, [{ url: lab.urls.page, title: listing.title }]);
  let error: unknown;
  await expandPlaylist(lab.urls.missing, { maxEntries: 20, timeoutMs: TIMEOUT_MS })
    .catch((e) => error = e);
  assert(error instanceof MediaError && error.code === "unavailable", String(error));
});

Deno.test("[workers/playlist] flat entries keep their own links; odd ones are skipped; the listing fits a job", () => {
  const listing = toListing(
    {
      _type: "playlist",
      title: "Channel",
      playlist_count: 250,
      entries: [
        { _type: "url", url: "https://www.youtube.com/watch?v=a", title: "A" },
        { _type: "url_transparent", url: "https://www.youtube.com/watch?v=b" },
        { _type: "url", url: "javascript:alert(1)", title: "odd" },
        "nonsense",
        { _type: "url", url: `https://example.com/${"x".repeat(3000)}` },
      ],
    },
    "https://www.youtube.com/@channel",
    100,
  );
  assertEquals(listing.count, 250);
  assertEquals(listing.entries.slice(0, 2), [
    { url: "https://www.youtube.com/watch?v=a", title: "A" },
    { url: "https://www.youtube.com/watch?v=b" },
  ]);
  // an entry without a link of its own is addressed by its position on the page
  assertEquals(listing.entries[2], {
    url: "https://www.youtube.com/@channel",
    playlistItem: 3,
    title: "odd",
  });
  assertEquals(listing.entries.length, 3);

  const long = toListing(
    {
      _type: "playlist",
      title: "Long",
      entries: Array.from({ length: 500 }, (_, i) => ({
        _type: "url",
        url: `https://example.com/watch/${i}/${"a".repeat(150)}`,
        title: "t".repeat(300),
      })),
    },
    "https://example.com/list",
    500,
  );
  assert(long.entries.length < 500 && long.entries.length > 50, `${long.entries.length} kept`);
  assert(JSON.stringify(long).length < 48_000, "well under KV's 64 KiB per value");
});
