/** "Audio only" sends a music file in the user's format: tagged, with a cover, named in the player. */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { LAB_POPULAR, LAB_SERIES, startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import type { ApiCall } from "../support/fake_telegram.ts";

/** The format name, tags and attached pictures ffprobe reads in a delivered file. */
async function readDelivered(path: string) {
  const { stdout, success } = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", "--", path],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(success, `ffprobe read ${path}`);
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    streams: {
      codec_type: string;
      codec_name: string;
      bit_rate?: string;
      disposition?: { attached_pic?: number };
    }[];
    format: { format_name: string; tags?: Record<string, string> };
  };
  const audio = info.streams.find((s) => s.codec_type === "audio");
  return {
    formatName: info.format.format_name,
    codec: audio?.codec_name,
    bitRate: Number(audio?.bit_rate),
    tags: Object.fromEntries(
      Object.entries(info.format.tags ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    cover: info.streams.some((s) => s.disposition?.attached_pic === 1),
  };
}

Deno.test("[e2e] audio is an MP3 192 by default, tagged with a cover; M4A once chosen, each its own cached file", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const sendAudioCalls = () => telegram.callsTo("sendAudio").filter((call) => call.ok);

  // Alice has chosen nothing: MP3 192
  const alice = telegram.user(4101, { languageCode: "en" });
  alice.sendText(lab.urls.popular);
  const preview = await waitForPreview(telegram, alice.id);
  assertMatch(preview.caption ?? "", /🎵 Audio only · MP3 192 kbps: ~\d+ KB/);
  alice.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
  const mp3 = await waitForFile(telegram, alice.id, "audio");
  assertExists(mp3.message.audio);
  assertEquals(mp3.message.audio.mime_type, "audio/mpeg");
  assertEquals(mp3.message.audio.title, LAB_POPULAR.title.slice(0, 64));
  assertEquals(mp3.message.audio.performer, LAB_POPULAR.uploader);
  assertExists(mp3.message.audio.thumbnail, "the player shows the cover");
  const call: ApiCall = sendAudioCalls()[0];
  assertEquals(call.params.title, LAB_POPULAR.title.slice(0, 64));
  assertEquals(call.params.performer, LAB_POPULAR.uploader);
  assert(Number(call.params.duration) > 0, "a duration");
  const thumbnail = call.params.thumbnail as { fileName: string; size: number } | undefined;
  assert(thumbnail && thumbnail.size > 0 && thumbnail.size < 200_000, JSON.stringify(thumbnail));
  const mp3File = await readDelivered(telegram.filePath(mp3.media!.fileId));
  assertEquals([mp3File.formatName, mp3File.codec, mp3File.bitRate], ["mp3", "mp3", 192_000]);
  assertEquals(mp3File.tags.title, LAB_POPULAR.title);
  assertEquals(mp3File.tags.artist, LAB_POPULAR.uploader);
  assertEquals(mp3File.tags.date, LAB_POPULAR.uploadDate.slice(0, 4));
  assert(mp3File.cover, "an attached picture");

  // Alice picks M4A; the same button, still in the chat, now brings an M4A, not the cached MP3
  alice.sendText("/settings");
  const settings = await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("Audio files: MP3 192 kbps"))
  );
  alice.pressButton(settings, dataFor(settings, "🎧 → MP3 320 kbps"));
  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("MP3 320"))
  );
  const edited = telegram.messages(alice.id).find((m) => m.messageId === settings.messageId)!;
  alice.pressButton(edited, dataFor(edited, "🎧 → M4A (original)"));
  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("Audio files: M4A (original)"))
  );
  const before = telegram.messages(alice.id).length;
  alice.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
  const m4a = await waitForFile(telegram, alice.id, "audio", before);
  assertEquals(m4a.message.audio?.mime_type, "audio/mp4");
  assert(m4a.media?.fileUniqueId !== mp3.media?.fileUniqueId, "another file");
  assertEquals(m4a.media?.source, "upload", "downloaded, not the MP3 sent again");
  const m4aFile = await readDelivered(telegram.filePath(m4a.media!.fileId));
  assertEquals(m4aFile.codec, "aac");
  assertEquals([m4aFile.tags.title, m4aFile.tags.artist], [
    LAB_POPULAR.title,
    LAB_POPULAR.uploader,
  ]);
  assert(m4aFile.cover, "an attached picture");
  assertExists(sendAudioCalls()[1]?.params.thumbnail, "the M4A's cover goes as its thumbnail");

  // Bob, with the default, gets Alice's MP3 by file_id: nothing downloaded
  const bob = telegram.user(4102, { languageCode: "en" });
  bob.sendText(lab.urls.popular);
  const bobPreview = await waitForPreview(telegram, bob.id);
  bob.pressButton(bobPreview.message, dataFor(bobPreview, "🎵 Audio only"));
  const bobFile = await waitForFile(telegram, bob.id, "audio");
  assertEquals(bobFile.media?.source, "file_id");
  assertEquals(bobFile.media?.fileUniqueId, mp3.media?.fileUniqueId);
  assertEquals(sendAudioCalls().filter((c) => c.params.thumbnail).length, 2, "two uploads only");
  assertEquals(system.media.stats.files.hits, 1);
});

Deno.test("[e2e] audio from a playlist page has the playlist's title as its album", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(4201, { languageCode: "en" });
  user.sendText(lab.urls.series);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
  const audio = await waitForFile(telegram, user.id, "audio");
  const file = await readDelivered(telegram.filePath(audio.media!.fileId));
  assertEquals(file.tags.album, LAB_SERIES.title);
  assertEquals(file.tags.title, audio.message.audio?.title);
});
