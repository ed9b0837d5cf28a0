import { hasSiteId, mediaIdentity, type MediaRef } from "../../media/media_identity.ts";
import { assert, assertEquals } from "../support/assert.ts";

const keyOf = async (media: MediaRef) => (await mediaIdentity(media)).key;
const generic = (webpageUrl: string): MediaRef => ({
  extractor: "generic",
  id: "video",
  webpageUrl,
});

Deno.test("[media/media_identity] a URL-derived id is told apart by its page; a site id is not", async () => {
  assert(
    await keyOf(generic("https://a.example/x/video.mp4")) !==
      await keyOf(generic("https://b.example/y/video.mp4")),
    'two generic "video" files are two media',
  );
  assertEquals(
    await keyOf(generic("https://a.example/x/video.mp4")),
    await keyOf(generic("https://a.example/x/video.mp4")),
    "the same link is the same media",
  );
  const html5 = (webpageUrl: string) => ({ extractor: "html5", id: "clip-1", webpageUrl });
  assert(
    await keyOf(html5("https://a.example/watch/clip")) !==
      await keyOf(html5("https://b.example/watch/clip")),
    "HTML5 ids come from the URL too",
  );
  const youtube = (webpageUrl: string) => ({ extractor: "youtube", id: "dQw4w9WgXcQ", webpageUrl });
  assertEquals(
    await keyOf(youtube("https://www.youtube.com/watch?v=dQw4w9WgXcQ")),
    await keyOf(youtube("https://youtu.be/dQw4w9WgXcQ")),
    "a site id names the media whatever the link",
  );
  assert(!hasSiteId({ extractor: "some-new-site", id: "1" }), "unknown extractors add the URL");
});

Deno.test("[media/media_identity] host case, default port and dot segments do not matter; the rest does", async () => {
  const same = [
    ["HTTPS://A.Example:443/x/video.mp4", "https://a.example/x/video.mp4"],
    ["http://a.example:80/x/video.mp4", "http://a.example/x/video.mp4"],
    ["https://a.example/x/./y/../video.mp4", "https://a.example/x/video.mp4"],
  ];
  for (const [a, b] of same) {
    assertEquals(await keyOf(generic(a)), await keyOf(generic(b)), `${a} is ${b}`);
  }
  const base = "https://a.example/x/video.mp4";
  const different = [
    "https://a.example/X/video.mp4",
    "http://a.example/x/video.mp4",
    "https://a.example:8443/x/video.mp4",
    "https://a.example/x/video.mp4?v=2",
    "https://a.example/x/video.mp4#t=10",
    "https://user:secret@a.example/x/video.mp4",
  ];
  for (const url of different) {
    assert(await keyOf(generic(url)) !== await keyOf(generic(base)), `${url} is not ${base}`);
  }
  assert(
    await keyOf(generic(`${base}?a=1&b=2`)) !== await keyOf(generic(`${base}?b=2&a=1`)),
    "query order is kept: a server may read it",
  );
});

Deno.test("[media/media_identity] names and ids cannot be spliced into another media's identity", async () => {
  const url = "https://a.example/x/video.mp4";
  assert(
    await keyOf({ extractor: "a\nb", id: "c", webpageUrl: url }) !==
      await keyOf({ extractor: "a", id: "b\nc", webpageUrl: url }),
  );
  // a newline in a site id would read as "extractor\nid" of another media: the URL is added
  const odd = { extractor: "youtube", id: "abc\nhttps://b.example/", webpageUrl: url };
  assertEquals(hasSiteId(odd), false);
  assert((await mediaIdentity(odd)).text.includes(url));
});
