/** Media that does not fit: compressed to the limit, re-encoded with a preset, or split into parts. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { probeFile, readMetrics, startTestSystem } from "../support/system.ts";

const MiB = 1024 * 1024;

Deno.test("[e2e/quality] too big at its best: compressed to fit, a preset, or split into parts", async (t) => {
  await using lab = await startMediaLab();

  await t.step("a 60 MiB 1080p clip chosen at best arrives playable under 50 MB", async () => {
    const url = await lab.bigClip(60);
    const source = await probeFile(`${lab.fixtureDir}/big/big-60mib.mp4`);
    await using bed = await startTestSystem({ MAX_UPLOAD_MB: "50" });
    const { telegram } = bed;
    const user = telegram.user(7001, { languageCode: "en" });
    user.sendText(url);
    const preview = await waitForPreview(telegram, user.id);
    // without a poster the preview is text; the size comes from a HEAD request (yt-dlp
    // reports none for HTML5 pages)
    const text = preview.caption ?? preview.text ?? "";
    assertMatch(text, /1080p: ~(59|60)\.\d MB/);
    assertMatch(text, /Recommended: ⭐ Best \(1080p\) · ≤ 50\.0 MB · compressed to fit/);
    user.pressButton(preview.message, dataFor(preview, "👍 ⭐ Best"));

    const video = await waitForFile(telegram, user.id, "video");
    const path = telegram.filePath(video.media!.fileId);
    const { size } = await Deno.stat(path);
    assert(size < 50_000_000, `delivered ${size} bytes`);
    const delivered = await probeFile(path);
    assert(delivered.video && delivered.audio, "picture and sound");
    assertEquals([delivered.width, delivered.height], [1920, 1080]);
    assert(
      Math.abs(delivered.duration - source.duration) < 0.5,
      `duration ${delivered.duration}, source ${source.duration}`,
    );
    const metrics = await readMetrics(bed.system);
    assertMatch(metrics, /mediabot_cache_hit_ratio\{cache="probeL1"\} [\d.]+/);
  });

  await t.step("⚙️ Compress… opens the presets and Low sends a 480p re-encode", async () => {
    await using bed = await startTestSystem();
    const { telegram } = bed;
    const user = telegram.user(7101, { languageCode: "fr" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "⚙️ Compresser…"));
    const opened = await telegram.waitFor(() =>
      buttons(telegram.messages(user.id).find((m) => m.messageId === preview.messageId)!)
          .some((b) => b.text === "🗜 Basse")
        ? telegram.messages(user.id).find((m) => m.messageId === preview.messageId)
        : undefined
    );
    const labels = buttons(opened).map((b) => b.text);
    assert(labels.includes("720p") && labels.includes("🗜 Haute"), `kept and added: ${labels}`);
    user.pressButton(opened.message, dataFor(opened, "🗜 Basse"));
    const video = await waitForFile(telegram, user.id, "video");
    const delivered = await probeFile(telegram.filePath(video.media!.fileId));
    assertEquals(delivered.height, 480);
    assert(Math.abs(delivered.duration - 6) < 0.5, `duration ${delivered.duration}`);
  });

  await t.step(
    "with an 80 KB limit the clip comes in parts, in order, each within it",
    async () => {
      const limitBytes = Math.floor(0.08 * MiB);
      await using bed = await startTestSystem({ MAX_UPLOAD_MB: "0.08" });
      const { telegram } = bed;
      const user = telegram.user(7201, { languageCode: "en" });
      user.sendText(lab.urls.page);
      const preview = await waitForPreview(telegram, user.id);
      user.pressButton(preview.message, dataFor(preview, "✂️ Split into parts"));
      const parts = await telegram.waitFor(() => {
        const videos = telegram.messages(user.id).filter((m) => m.media?.kind === "video");
        const count = Number(videos[0]?.caption?.match(/part 1\/(\d+)/)?.[1] ?? Infinity);
        return videos.length === count ? videos : undefined;
      }, { timeoutMs: 60_000 });
      assert(parts.length >= 2, `${parts.length} parts`);
      let total = 0;
      for (const [index, part] of parts.entries()) {
        assertMatch(part.caption ?? "", new RegExp(`🧩 part ${index + 1}/${parts.length}$`));
        const path = telegram.filePath(part.media!.fileId);
        assert((await Deno.stat(path)).size <= limitBytes, `part ${index + 1} within the limit`);
        total += (await probeFile(path)).duration;
      }
      assert(Math.abs(total - 6) < 0.5, `parts last ${total} s together`);

      // asked again by someone else: the same parts by file_id, nothing downloaded
      const other = telegram.user(7202, { languageCode: "en" });
      other.sendText(lab.urls.page);
      const again = await waitForPreview(telegram, other.id);
      other.pressButton(again.message, dataFor(again, "✂️ Split into parts"));
      const resent = await telegram.waitFor(() => {
        const videos = telegram.messages(other.id).filter((m) => m.media?.kind === "video");
        return videos.length === parts.length ? videos : undefined;
      });
      assertEquals(
        resent.map((m) => m.media?.fileUniqueId),
        parts.map((m) => m.media?.fileUniqueId),
      );
      assert(resent.every((m) => m.media?.source === "file_id"));
    },
  );
});
