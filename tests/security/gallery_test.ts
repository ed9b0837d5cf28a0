/**
 * Hostile galleries: a page whose items point at hosts the worker must not reach (other loopback
 * addresses standing for private ones, protocol-relative links, other schemes). gallery-dl's
 * traffic goes through the egress guard like yt-dlp's, so those items are refused and the album
 * holds the page's allowed items only.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startTcpCanary } from "../support/canary.ts";
import { dataFor, waitForPreview } from "../support/chat.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { startTestSystem } from "../support/system.ts";

/** A 127.x.y.z address other than the usual one: what gallery-dl reaches on port 80. */
function loopbackAddress(): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `127.${octet()}.${octet()}.${octet()}`;
}

Deno.test("[security] a gallery's items on hosts the egress guard refuses reach nothing; the album has the others", async () => {
  await using lab = await startMediaLab();
  const galleries = await lab.galleries();
  const canaries = [startTcpCanary(loopbackAddress(), 80), startTcpCanary(loopbackAddress(), 80)];
  const [first, second] = canaries.map((canary) => canary.hostname);
  const labHost = new URL(galleries.photos).hostname;
  const allowed = galleries.files.photos.slice(0, 2).map((file) =>
    `http://${labHost}/gallery/media/${file.split("/").pop()}`
  );
  const hostileItems = [
    `http://${first}/a.jpg`,
    `//${second}/b.jpg`,
    `http://${second}/c.mp4`,
    `ftp://${first}/d.jpg`,
    `http://user@${first}/e.png`,
    `http://${first}./f.webp`,
  ];
  const slides = [allowed[0], ...hostileItems.slice(0, 3), allowed[1], ...hostileItems.slice(3)];
  const siteHost = loopbackAddress();
  const site = Deno.serve(
    { hostname: siteHost, port: 80, onListen() {} },
    () =>
      new Response(
        `<!doctype html><title>Hostile gallery</title>` +
          `<div data-slides='${JSON.stringify(slides)}'></div>`,
        { headers: { "content-type": "text/html; charset=utf-8" } },
      ),
  );
  const policy = (host: string) =>
    Promise.resolve(host === labHost || host === siteHost ? host : null);
  await using bed = await startTestSystem({}, { egressPolicy: policy });
  const { telegram } = bed;
  try {
    const user = telegram.user(6201, { languageCode: "en" });
    user.sendText(`http://${siteHost}/post`);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, /^📥 /));
    const album = await telegram.waitFor(() => {
      const items = telegram.messages(user.id).filter((m) => m.method === "sendMediaGroup");
      return items.length > 0 ? items : undefined;
    }, { timeoutMs: 120_000 });

    let wrongFiles = 0;
    for (const [index, item] of album.entries()) {
      const delivered = await telegram.fileBytes(item.media!.fileId);
      const original = await Deno.readFile(galleries.files.photos[index]);
      const same = delivered.length === original.length &&
        delivered.every((b, i) => b === original[i]);
      if (!same) wrongFiles++;
    }
    const escapes = canaries.reduce((sum, canary) => sum + canary.connections, 0);
    await reportHostile({
      name: "gallery items on refused hosts (private stand-ins, protocol-relative, other schemes)",
      inputs: hostileItems.length,
      escapes,
      wrongFiles,
      crashes: 0,
    });
    assertEquals(escapes, 0, "no item reached a refused host");
    assertEquals(album.length, 2, "the album holds the two allowed items");
    assertEquals(wrongFiles, 0, "each delivered item is the page's allowed one");
    assert(
      !telegram.messages(user.id).some((m) =>
        m.media?.kind === "document" || m.media?.kind === "video"
      ),
      "nothing else was sent",
    );
  } finally {
    await site.shutdown();
    await Promise.all(canaries.map((canary) => canary.close()));
  }
});
