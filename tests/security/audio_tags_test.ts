/**
 * Titles, uploaders and playlist names become an audio file's tags through yt-dlp's arguments:
 * whatever they hold (yt-dlp template fields, regex replacement escapes, options, shell, URLs), the
 * tag is the text itself and nothing is run, read or fetched. Real yt-dlp and ffmpeg.
 */
import { downloadMedia } from "../../workers/ytdlp.ts";
import { probeMedia } from "../../workers/ytdlp.ts";
import { assertEquals } from "../support/assert.ts";
import { startTcpCanary } from "../support/canary.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { startMediaLab } from "../support/media_lab.ts";

const TIMEOUT_MS = 120_000;
/** downloads at once: the machine is shared */
const PARALLEL = 3;

async function tagsOf(path: string): Promise<Record<string, string>> {
  const { stdout } = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-print_format", "json", "-show_format", "--", path],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    format: { tags?: Record<string, string> };
  };
  return Object.fromEntries(
    Object.entries(info.format.tags ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

Deno.test("[security/audio-tags] hostile titles become literal tags; nothing is run, read or fetched", async () => {
  await using lab = await startMediaLab();
  const canary = startTcpCanary();
  const scratch = await Deno.makeTempDir({ prefix: "audio-tags-" });
  const touched = `${scratch}/touched`;
  const canaryUrl = `http://${canary.hostname}:${canary.port}/cover.jpg`;
  const hostile = [
    "%(id)s",
    "%(filepath)s %(http_headers)j %(webpage_url)s",
    "a:b:%(title)s:c",
    String.raw`back\slash \1 \g<0> \n \\`,
    "(?P<title>.+) $ ^ .* [x]",
    `--exec=touch ${touched}`,
    `$(touch ${touched}); touch ${touched} \`touch ${touched}\``,
    `${canaryUrl} file:///etc/passwd`,
    "first line\nsecond line",
    "NUL\0inside",
    `${"🎵 long ".repeat(60)}end`,
    "-",
  ];
  const song = await probeMedia(lab.urls.audioPage, { timeoutMs: TIMEOUT_MS });
  let escapes = 0, wrongFiles = 0, crashes = 0;
  const mismatches: string[] = [];
  try {
    for (let start = 0; start < hostile.length; start += PARALLEL) {
      await Promise.all(
        hostile.slice(start, start + PARALLEL).map(async (text) => {
          const expected = text.replaceAll("\0", "");
          try {
            const file = await downloadMedia(lab.urls.audioPage, {
              variant: "audio_m4a",
              info: song,
              outDir: await Deno.makeTempDir({ dir: scratch }),
              maxBytes: 50 * 1024 * 1024,
              timeoutMs: TIMEOUT_MS,
              audioTags: { title: text, artist: text, album: text },
            });
            const tags = await tagsOf(file.path);
            if ([tags.title, tags.artist, tags.album].some((tag) => tag !== expected)) {
              wrongFiles++;
              mismatches.push(JSON.stringify({ text, tags }));
            }
          } catch (error) {
            crashes++;
            mismatches.push(`${JSON.stringify(text)}: ${error}`);
          }
        }),
      );
    }
    const ran = await Deno.stat(touched).then(() => true, () => false);
    escapes = (ran ? 1 : 0) + canary.connections;
  } finally {
    await canary.close();
    await Deno.remove(scratch, { recursive: true });
  }
  await reportHostile({
    name: "hostile audio tags (titles, uploaders, playlist names)",
    inputs: hostile.length,
    escapes,
    wrongFiles,
    crashes,
  });
  assertEquals(mismatches, []);
  assertEquals({ escapes, wrongFiles, crashes }, { escapes: 0, wrongFiles: 0, crashes: 0 });
});
