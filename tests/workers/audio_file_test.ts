/** Audio downloads are real music files: MP3 at the bitrate asked or the source's AAC, tagged, with a cover. */
import { downloadMedia } from "../../workers/ytdlp.ts";
import { probeMedia } from "../../workers/ytdlp.ts";
import type { AudioTags } from "../../workers/ytdlp_run.ts";
import type { DownloadedMedia, ProbeInfo, Variant } from "../../media/media_types.ts";
import { assert, assertEquals, assertExists } from "../support/assert.ts";
import {
  fixturePath,
  LAB_CLIP,
  LAB_POPULAR,
  LAB_SONG,
  startMediaLab,
} from "../support/media_lab.ts";

const TIMEOUT_MS = 120_000;
const LIMIT = 50 * 1024 * 1024;

interface FileReport {
  tags: Record<string, string>;
  codec?: string;
  bitRate?: number;
  cover: boolean;
  duration: number;
}

/** What ffprobe reads in a file: its tags (lower-cased names), the sound's codec and bitrate, a cover. */
async function readAudioFile(path: string): Promise<FileReport> {
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
    format: { duration: string; tags?: Record<string, string> };
  };
  const audio = info.streams.find((s) => s.codec_type === "audio");
  const tags = Object.fromEntries(
    Object.entries(info.format.tags ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    tags,
    codec: audio?.codec_name,
    bitRate: audio?.bit_rate === undefined ? undefined : Number(audio.bit_rate),
    cover: info.streams.some((s) => s.codec_type === "video" && s.disposition?.attached_pic === 1),
    duration: Number(info.format.duration),
  };
}

/** The MD5 of a file's audio packets, as they are (no decoding). */
async function audioPacketsMd5(path: string): Promise<string> {
  const { stdout, success } = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(success, `ffmpeg hashed ${path}`);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("[workers/audio] MP3 at 128, 192 and 320 kbps and M4A carry the tags and the cover", async (t) => {
  await using lab = await startMediaLab();
  const scratch = await Deno.makeTempDir({ prefix: "audio-file-test-" });
  const download = async (
    url: string,
    info: ProbeInfo,
    variant: Variant,
    audioTags?: AudioTags,
  ): Promise<DownloadedMedia> =>
    await downloadMedia(url, {
      variant,
      info,
      outDir: await Deno.makeTempDir({ dir: scratch }),
      maxBytes: LIMIT,
      timeoutMs: TIMEOUT_MS,
      audioTags,
    });
  try {
    const popular = await probeMedia(lab.urls.popular, { timeoutMs: TIMEOUT_MS });
    const sizes: string[] = [];

    await t.step(
      "each MP3 bitrate is what it says, tagged, with the page's image as cover",
      async () => {
        const tags = { title: popular.title, artist: popular.uploader };
        const files = await Promise.all(
          ([128, 192, 320] as const).map((kbps) =>
            download(lab.urls.popular, popular, `audio_mp3_${kbps}`, tags)
          ),
        );
        for (const [index, kbps] of [128, 192, 320].entries()) {
          const file = files[index];
          assertEquals([file.kind, file.mimeType], ["audio", "audio/mpeg"]);
          assert(file.path.endsWith("/media.mp3"), file.path);
          const report = await readAudioFile(file.path);
          assertEquals([report.codec, report.bitRate], ["mp3", kbps * 1000]);
          assertEquals(report.tags.title, popular.title);
          assertEquals(report.tags.artist, LAB_POPULAR.uploader);
          // ID3v2.3 (what players read best) keeps the year of the upload date
          assertEquals(report.tags.date, LAB_POPULAR.uploadDate.slice(0, 4));
          assert(report.cover, `an attached picture in the ${kbps} kbps file`);
          assertExists(file.thumbnailPath, "a thumbnail for Telegram, made from the cover");
          const thumbnail = await Deno.stat(file.thumbnailPath);
          assert(thumbnail.size > 0 && thumbnail.size < 200_000, `${thumbnail.size} bytes`);
          assert(Math.abs(report.duration - LAB_CLIP.durationSeconds) < 0.5, `${report.duration}`);
          sizes.push(`${kbps} kbps: ${file.size} bytes`);
        }
        assert(files[0].size < files[1].size && files[1].size < files[2].size, sizes.join(", "));
        console.log(
          `MP3 of the ${LAB_CLIP.durationSeconds} s lab clip, cover included: ${sizes.join(", ")}`,
        );
      },
    );

    await t.step(
      "M4A of an AAC source is its sound as it was, retagged, with a cover",
      async () => {
        const song = await probeMedia(lab.urls.audioPage, { timeoutMs: TIMEOUT_MS });
        const tags = { title: "Renamed <Song> 100% %(id)s", artist: "Lab Artist", album: "Trip" };
        const file = await download(lab.urls.audioPage, song, "audio_m4a", tags);
        assertEquals([file.kind, file.mimeType], ["audio", "audio/mp4"]);
        const report = await readAudioFile(file.path);
        assertEquals(report.codec, "aac");
        assertEquals(
          await audioPacketsMd5(file.path),
          await audioPacketsMd5(`${lab.fixtureDir}/song.m4a`),
          "no re-encoding",
        );
        assertEquals(
          [report.tags.title, report.tags.artist, report.tags.album],
          [tags.title, tags.artist, tags.album],
        );
        assert(report.tags.album !== LAB_SONG.album, "the source's own album tag is replaced");
        assert(report.cover, "an attached picture");
        assertExists(file.thumbnailPath);
      },
    );

    await t.step(
      "a thumbnail that is missing or not an http(s) address costs the cover, not the file",
      async () => {
        const song = await Deno.readFile(fixturePath("song.m4a"));
        // the song under pages whose og:image is a relative path or answers 404
        await using site = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
          const path = new URL(req.url).pathname;
          if (path === "/song.m4a") return new Response(song);
          const image =
            { "/relative": "/cover.jpg", "/missing": `${new URL(req.url).origin}/gone.jpg` }[path];
          if (!image) return new Response("not here", { status: 404 });
          return new Response(
            `<html><head><title>Song</title><meta property="og:image" content="${image}"></head>` +
              `<body><audio src="/song.m4a"></audio></body></html>`,
            { headers: { "content-type": "text/html" } },
          );
        });
        for (const page of ["relative", "missing"]) {
          const url = `http://127.0.0.1:${site.addr.port}/${page}`;
          const info = await probeMedia(url, { timeoutMs: TIMEOUT_MS });
          const file = await download(url, info, "audio_mp3_128");
          const report = await readAudioFile(file.path);
          assertEquals([file.kind, report.codec, report.cover], ["audio", "mp3", false], page);
          assertEquals(file.thumbnailPath, undefined);
        }
      },
    );
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
