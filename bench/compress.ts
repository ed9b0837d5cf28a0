/**
 * compressToFit against the plain ffmpeg command with the very same settings, on a 1080p clip of
 * the media lab: what our wrapper (progress parsing, size check) costs on top of the encode.
 */
import { buildVideoArgs, compressToFit } from "../workers/compress.ts";
import { FIT_ENCODING, planCompression } from "../media/compression_plan.ts";
import { ffprobeMedia } from "../workers/ffmpeg.ts";
import { startMediaLab } from "../tests/support/media_lab.ts";
import { ms, summarize } from "./stats.ts";

const CLIP_MIB = 20;
const TARGET_BYTES = 8 * 1024 * 1024;
const RUNS = 7;

export async function benchCompress() {
  await using lab = await startMediaLab();
  await lab.bigClip(CLIP_MIB);
  const input = `${lab.fixtureDir}/big/big-${CLIP_MIB}mib.mp4`;
  const source = await ffprobeMedia(input);
  const dir = await Deno.makeTempDir({ prefix: "mediabot-bench-compress-" });
  const shape = {
    targetBytes: TARGET_BYTES,
    durationSeconds: source.duration!,
    width: source.width,
    height: source.height,
    frameRate: source.frameRate,
  };
  const plainArgs = buildVideoArgs(
    input,
    `${dir}/plain.mp4`,
    planCompression(shape)!,
    FIT_ENCODING,
  );
  const ours: number[] = [];
  const plain: number[] = [];
  let attempts = 0;
  try {
    // alternated, so a busy moment of the machine weighs on both
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      const result = await compressToFit(input, {
        ...shape,
        outPath: `${dir}/ours.mp4`,
        timeoutMs: 600_000,
        onProgress: () => {},
      });
      ours.push(performance.now() - started);
      attempts = Math.max(attempts, result.attempts);
      started = performance.now();
      const { success } = await new Deno.Command("ffmpeg", {
        args: plainArgs,
        stdout: "null",
        stderr: "null",
      }).output();
      if (!success) throw new Error("the plain ffmpeg command failed");
      plain.push(performance.now() - started);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // each pair ran back to back, so its ratio is the least touched by the machine's swings in
  // speed (here up to 30% from one minute to the next); the median pair sets the figure
  const ratios = ours.map((time, i) => time / plain[i]);
  const ratio = summarize(ratios).p50;
  return {
    name: `compressToFit vs plain ffmpeg, ${CLIP_MIB} MiB 1080p (${
      source.duration!.toFixed(0)
    } s) → 8 MiB, ${RUNS} alternated pairs`,
    result: `median ratio ${ratio.toFixed(3)} (pairs from ${Math.min(...ratios).toFixed(3)} to ${
      Math.max(...ratios).toFixed(3)
    }); medians ${ms(summarize(ours).p50)} vs ${ms(summarize(plain).p50)}, ${attempts} attempt(s)`,
    target: "ratio ≤ 1.1",
    met: ratio <= 1.1,
  };
}
