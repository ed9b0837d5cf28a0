import { assertEquals } from "../support/assert.ts";
import { fixturePath, LAB_CLIP, LAB_SONG, prepareFixtures } from "../support/media_lab.ts";
import { mp4Duration } from "../../workers/mp4_duration.ts";
import { describeMediaFile } from "../../workers/ffmpeg.ts";
import { MediaError } from "../../media/media_types.ts";

Deno.test("[workers/mp4] the movie header's duration, read without ffprobe", async () => {
  await prepareFixtures();
  assertEquals(await mp4Duration(fixturePath("clip720.mp4")), LAB_CLIP.durationSeconds);
  assertEquals(await mp4Duration(fixturePath("song.m4a")), LAB_SONG.durationSeconds);
});

Deno.test("[workers/mp4] files that are not whole MP4s give no duration, and no error", async () => {
  await prepareFixtures();
  const dir = await Deno.makeTempDir();
  try {
    const clip = await Deno.readFile(fixturePath("clip720.mp4"));
    const box = (size: number, type: string) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setUint32(0, size);
      bytes.set(new TextEncoder().encode(type), 4);
      return bytes;
    };
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(),
      text: new TextEncoder().encode("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"),
      // cut inside the box after ftyp
      truncated: clip.subarray(0, 40),
      "box larger than the file": box(1 << 30, "moov"),
      "box smaller than its header": box(4, "ftyp"),
      "moov without mvhd": new Uint8Array([...box(16, "moov"), ...box(8, "free")]),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const path = `${dir}/${name}.mp4`;
      await Deno.writeFile(path, bytes);
      assertEquals(await mp4Duration(path), undefined, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[workers/mp4] an mp4 video is described with its thumbnail; a song gets none", async () => {
  await prepareFixtures();
  const dir = await Deno.makeTempDir();
  try {
    const media = await describeMediaFile(fixturePath("clip720.mp4"), {
      maxBytes: 50 * 1024 * 1024,
      thumbnailPath: `${dir}/thumb.jpg`,
    });
    assertEquals(media.kind, "video");
    assertEquals(media.thumbnailPath, `${dir}/thumb.jpg`);
    assertEquals((await Deno.stat(`${dir}/thumb.jpg`)).size > 0, true);
    // a song has no picture to cut: no thumbnail, and nothing left behind
    const song = await describeMediaFile(fixturePath("song.m4a"), {
      maxBytes: 50 * 1024 * 1024,
      thumbnailPath: `${dir}/song.jpg`,
    });
    assertEquals([song.kind, song.thumbnailPath], ["audio", undefined]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[workers/mp4] a cancel while ffprobe still runs ends the call with the cancel, and no stray rejection", async () => {
  await prepareFixtures();
  const dir = await Deno.makeTempDir();
  try {
    // the thumbnail's ffmpeg stops at once; ffprobe takes a second to heed the stop
    const wrapper = async (name: string, body: string) => {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      return path;
    };
    const ffmpegPath = await wrapper("ffmpeg", 'sleep 5\nexec ffmpeg "$@"');
    const ffprobePath = await wrapper("ffprobe", "trap '' TERM\nsleep 1\nexec ffprobe \"$@\"");
    const abort = new AbortController();
    const described = describeMediaFile(fixturePath("clip720.mp4"), {
      maxBytes: 50 * 1024 * 1024,
      thumbnailPath: `${dir}/thumb.jpg`,
      ffmpegPath,
      ffprobePath,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 300);
    const error = await described.then(() => undefined, (error) => error);
    assertEquals(error instanceof MediaError ? error.code : String(error), "cancelled");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
