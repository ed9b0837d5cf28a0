/** A link becomes a file in the chat: the whole system against the real yt-dlp and ffmpeg. */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, LAB_SONG, type MediaLab, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { probeFile, startTestSystem } from "../support/system.ts";

async function withLab(fn: (lab: MediaLab) => Promise<void>) {
  await using lab = await startMediaLab();
  await fn(lab);
}

Deno.test("[e2e] a link gives a preview, 720p gives a playable video, and a second ask is a cache hit", async () => {
  await withLab(async (lab) => {
    await using bed = await startTestSystem();
    const { telegram } = bed;
    const alice = telegram.user(1001, { firstName: "Alice", languageCode: "en" });
    alice.sendText(`look at this ${lab.urls.page}`);

    const preview = await waitForPreview(telegram, alice.id);
    assertEquals(preview.media?.kind, "photo", "the thumbnail is shown");
    assert(
      preview.html?.includes("Lab clip &lt;b&gt;&amp;&lt;/b&gt;"),
      `title escaped: ${preview.html}`,
    );
    // yt-dlp's HTML5 extractor reads heights from <source> but neither width, duration nor
    // size: the worker asks the sources for their size (HEAD)
    assertMatch(preview.caption ?? "", /🖼 720p/);
    assertMatch(preview.caption ?? "", /720p: ~\d+ KB/);
    const labels = buttons(preview).map((b) => b.text);
    assert(labels.includes("720p") && labels.includes("360p"), `qualities offered: ${labels}`);
    assert(!labels.includes("1080p"), "no quality the source lacks");
    assert(labels.includes("🎵 Audio only") && labels.includes("✖️ Cancel"));
    for (const b of buttons(preview)) {
      assert(!b.data.includes("http"), "callback data never carries the URL");
    }

    const pressedAt = performance.now();
    alice.pressButton(preview.message, dataFor(preview, "720p"));
    const video = await waitForFile(telegram, alice.id, "video");
    const pressToFileMs = performance.now() - pressedAt;
    const media = video.media!;
    assertEquals(media.source, "upload");
    assertEquals(media.supportsStreaming, true);
    assertEquals(media.thumbnail, true);
    assertEquals(video.message.video?.width, 1280);
    assertEquals(video.message.video?.height, 720);
    assertEquals(video.message.video?.duration, LAB_CLIP.durationSeconds);
    const delivered = await probeFile(telegram.filePath(media.fileId));
    assertEquals([delivered.width, delivered.height], [1280, 720]);
    assert(
      Math.abs(delivered.duration - LAB_CLIP.durationSeconds) < 0.5,
      `duration ${delivered.duration}`,
    );
    assert(delivered.audio, "the delivered video has its sound");
    assert(video.html?.includes("&lt;b&gt;"), "caption escaped");

    // the status message went through the phases and is gone once the file is there
    const status = telegram.messages(alice.id).find((m) =>
      m.history.some((v) => /Queued/.test(v.text ?? ""))
    );
    assertExists(status, "a status message was shown");
    await telegram.waitFor(() =>
      telegram.messages(alice.id).find((m) => m.messageId === status.messageId && m.deleted)
    );

    // Bob asks for the same media and variant: sent by file_id, no worker, no download
    const mediaRequests = () => lab.requests.filter((r) => r.path.endsWith(".mp4")).length;
    const before = mediaRequests();
    const bob = telegram.user(1002, { firstName: "Bob", languageCode: "en" });
    bob.sendText(lab.urls.page);
    const bobPreview = await waitForPreview(telegram, bob.id);
    const hitAt = performance.now();
    bob.pressButton(bobPreview.message, dataFor(bobPreview, "720p"));
    const bobVideo = await waitForFile(telegram, bob.id, "video");
    const cacheHitMs = performance.now() - hitAt;
    assertEquals(bobVideo.media?.source, "file_id");
    assertEquals(bobVideo.media?.fileUniqueId, media.fileUniqueId);
    assertEquals(mediaRequests(), before, "nothing downloaded again");
    assertEquals(bed.system.media.stats.files.hits, 1);

    // history lists it
    alice.sendText("/history");
    const history = await telegram.waitFor(() =>
      telegram.messages(alice.id).find((m) => m.text?.includes("last downloads"))
    );
    assertMatch(history.text ?? "", /Lab clip <b>&<\/b>/);
    console.log(
      `press → file (720p): ${pressToFileMs.toFixed(0)} ms; cache hit: ${cacheHitMs.toFixed(0)} ms`,
    );
  });
});

Deno.test("[e2e] audio only is sent as audio with title, performer and duration", async () => {
  await withLab(async (lab) => {
    await using bed = await startTestSystem();
    const { telegram } = bed;
    const user = telegram.user(2001, { languageCode: "en" });
    user.sendText(lab.urls.audioPage);
    const preview = await waitForPreview(telegram, user.id);
    const labels = buttons(preview).map((b) => b.text);
    assert(!labels.includes("720p"), `an audio page offers no video heights: ${labels}`);
    user.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
    const audio = await waitForFile(telegram, user.id, "audio");
    assertExists(audio.message.audio);
    assert(audio.message.audio.title && audio.message.audio.title.length > 0, "a title");
    assert(Math.abs((audio.message.audio.duration ?? 0) - LAB_SONG.durationSeconds) <= 1);
    const delivered = await probeFile(telegram.filePath(audio.media!.fileId));
    assert(delivered.audio && !delivered.video, "audio only");
  });
});

Deno.test("[e2e] a video page's audio-only choice extracts the sound", async () => {
  await withLab(async (lab) => {
    await using bed = await startTestSystem();
    const { telegram } = bed;
    const user = telegram.user(2101, { languageCode: "en" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
    const audio = await waitForFile(telegram, user.id, "audio");
    const delivered = await probeFile(telegram.filePath(audio.media!.fileId));
    assert(delivered.audio && !delivered.video, "audio only");
    assert(Math.abs(delivered.duration - LAB_CLIP.durationSeconds) < 0.5);
  });
});

Deno.test("[e2e] bad links get a clear, translated answer and nothing is charged", async () => {
  await withLab(async (lab) => {
    await using bed = await startTestSystem();
    const { telegram } = bed;
    const en = telegram.user(3001, { languageCode: "en" });
    const fr = telegram.user(3002, { languageCode: "fr" });
    const expectReply = async (user: typeof en, text: string, pattern: RegExp) => {
      const before = telegram.messages(user.id).length;
      user.sendText(text);
      await telegram.waitFor(
        () =>
          telegram.messages(user.id).slice(before).some((m) => pattern.test(m.text ?? "")) ||
          telegram.messages(user.id).some((m) =>
            m.history.some((v) => pattern.test(v.text ?? "")) && pattern.test(m.text ?? "")
          ),
        { timeoutMs: 30_000 },
      );
    };
    await expectReply(en, "hello there", /did not find a link/);
    await expectReply(fr, "bonjour", /pas trouvé de lien/);
    await expectReply(en, "ftp://example.com/file", /did not find a link|only http/);
    await expectReply(en, lab.urls.text, /could not find any video/);
    await expectReply(fr, lab.urls.missing, /n’est pas disponible/);
    await expectReply(en, lab.urls.gone, /unavailable/);
    const counts = await bed.system.queue.countByState();
    assertEquals(counts.done, 0);
    assertEquals(counts.ready + counts.leased, 0, "nothing left half-done");
    assertEquals(counts.failed, 3);
    // no preview, no file, no history for anyone
    for (const user of [en, fr]) {
      assert(telegram.messages(user.id).every((m) => !m.media), "no file sent");
    }
    en.sendText("/history");
    await telegram.waitFor(() =>
      telegram.messages(en.id).find((m) => /Nothing downloaded yet/.test(m.text ?? ""))
    );
  });
});

Deno.test("[e2e] private addresses are refused unless ALLOW_PRIVATE_URLS is set", async () => {
  await using bed = await startTestSystem({ ALLOW_PRIVATE_URLS: "false" });
  const { telegram } = bed;
  const user = telegram.user(4001, { languageCode: "en" });
  for (const url of ["http://127.0.0.1:9/x", "http://169.254.169.254/latest", "http://[::1]/"]) {
    const before = telegram.messages(user.id).length;
    user.sendText(url);
    const reply = await telegram.waitFor(() => telegram.messages(user.id)[before]);
    assertMatch(reply.text ?? "", /not allowed/);
  }
  assertEquals((await bed.system.queue.countByState()).ready, 0);
});
