/** WebVTT → SubRip, the tracks worth offering, and subtitles burned into a picture by ffmpeg. */
import { assert, assertEquals } from "../support/assert.ts";
import { fixturePath, LAB_CLIP, prepareFixtures } from "../support/media_lab.ts";
import { readValidSrt } from "../support/srt.ts";
import {
  formatSrt,
  formatSrtTimestamp,
  parseSubtitles,
  parseWebVtt,
  SubtitleFormatError,
} from "../../workers/subtitle_format.ts";
import { burnArgs, listTracks, pickTrack } from "../../workers/subtitles.ts";
import { runProcess } from "../../workers/process.ts";

const VTT = `\uFEFFWEBVTT - with a header text
Kind: captions

NOTE a comment
that spans lines

STYLE
::cue { color: yellow }

intro
00:01.500 --> 00:03.250 align:start position:10%
<v Alice>Hello &amp; <i.loud>welcome</i></v>

00:00:04.000 --> 00:00:05.000
<c.yellow>Two</c>
lines &lt;here&gt;

01:00:00.000 --> 01:00:00.000
empty duration is dropped
`;

Deno.test("[subtitles] WebVTT becomes valid SubRip with every timing kept", () => {
  const cues = parseWebVtt(VTT);
  assertEquals(cues, [
    { startMs: 1500, endMs: 3250, text: "Hello & <i>welcome</i>" },
    { startMs: 4000, endMs: 5000, text: "Two\nlines <here>" },
  ]);
  const srt = formatSrt(cues);
  assertEquals(readValidSrt(srt).map((c) => [c.start, c.end, c.text]), [
    ["00:00:01,500", "00:00:03,250", "Hello & <i>welcome</i>"],
    ["00:00:04,000", "00:00:05,000", "Two\nlines <here>"],
  ]);
  assertEquals(parseSubtitles(srt), cues, "SubRip reads back the same");
  assertEquals(formatSrtTimestamp(3_723_004), "01:02:03,004");
  assertEquals(formatSrtTimestamp(100 * 3_600_000), "100:00:00,000");
});

Deno.test("[subtitles] automatic captions lose their rolling repeats and karaoke timestamps", () => {
  const rolling = `WEBVTT

00:00:00.000 --> 00:00:02.000
hello<00:00:00.500><c> world</c>

00:00:02.000 --> 00:00:02.010
hello world

00:00:02.010 --> 00:00:04.000
hello world
how are<00:00:03.000><c> you</c>
`;
  const cues = parseSubtitles(rolling, { rolling: true });
  assertEquals(cues.map((c) => c.text), ["hello world", "how are you"]);
  assertEquals(parseSubtitles(rolling).length, 3, "people's subtitles keep every cue");
});

Deno.test("[subtitles] a file that is neither WebVTT nor SubRip is refused", () => {
  let refusal: unknown;
  try {
    parseSubtitles("<tt>xml</tt>");
  } catch (error) {
    refusal = error;
  }
  assert(refusal instanceof SubtitleFormatError, `refused: ${refusal}`);
});

Deno.test("[subtitles] the offer: people's tracks, then automatic originals and wanted languages", () => {
  const manual = { en: [{ name: "English" }], live_chat: [{}], "bad lang!": [{}] };
  const automatic = {
    en: [{}],
    "de-orig": [{ name: "German (original)" }],
    fr: [{}],
    ja: [{}],
    es: [{}],
  };
  assertEquals(listTracks(manual, automatic, ["fr-FR", "es"]), [
    { language: "en", name: "English", automatic: false },
    { language: "de-orig", name: "German (original)", automatic: true },
    { language: "fr", name: undefined, automatic: true },
    { language: "es", name: undefined, automatic: true },
  ]);
});

Deno.test("[subtitles] a language code finds its regional track, people's before automatic", () => {
  const tracks = [
    { language: "en-US", automatic: true },
    { language: "en-GB", automatic: false },
    { language: "fr", automatic: false },
  ];
  assertEquals(pickTrack(tracks, "en", false)?.language, "en-GB");
  assertEquals(pickTrack(tracks, "en", true)?.language, "en-US");
  assertEquals(pickTrack(tracks, "en-US", false)?.language, "en-US", "an exact code wins");
  assertEquals(pickTrack(tracks, "de", false), undefined);
});

Deno.test("[subtitles] burning draws the lab's subtitles into the picture", async () => {
  await prepareFixtures();
  const dir = await Deno.makeTempDir({ prefix: "burn-test-" });
  try {
    const cues = parseSubtitles(await Deno.readTextFile(fixturePath("subs.en.vtt")));
    assertEquals(cues[0].text, LAB_CLIP.firstCue.en);
    // the same encoding with the cue moved past the end of the clip: nothing to draw
    const late = [{ ...cues[0], startMs: 600_000, endMs: 601_000 }];
    const frameAtOneSecond = async (name: string, srt: string) => {
      await Deno.writeTextFile(`${dir}/${name}.srt`, srt);
      const out = `${dir}/${name}.mp4`;
      const args = burnArgs(fixturePath("series1.mp4"), `${dir}/${name}.srt`, out);
      const run = await runProcess("ffmpeg", args, { timeoutMs: 60_000, cwd: dir });
      assertEquals(run.code, 0, run.stderrTail);
      const probe = ["-v", "error", "-ss", "1", "-i", out, "-frames:v", "1", "-f", "md5", "-"];
      return (await runProcess("ffmpeg", probe, { timeoutMs: 30_000 })).stdout.trim();
    };
    const withText = await frameAtOneSecond("cues", formatSrt(cues));
    const plain = await frameAtOneSecond("late", formatSrt(late));
    const plainAgain = await frameAtOneSecond("late_again", formatSrt(late));
    assert(withText.startsWith("MD5="), withText);
    assertEquals(plain, plainAgain, "the encoding is repeatable, so a difference means text");
    assert(withText !== plain, "the frame under the first cue shows the subtitle");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
