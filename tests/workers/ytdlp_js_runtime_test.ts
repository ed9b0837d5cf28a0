/**
 * The real yt-dlp solving YouTube's JavaScript challenges with Deno as its runtime, offline, the
 * way a worker runs it: a loopback YouTube (tests/support/fake_youtube.ts; nothing here can reach
 * the real one) whose video downloads only with its `n` and signature challenges solved by the
 * code in its player script.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { FAKE_YOUTUBE_VIDEO, startFakeYoutube } from "../support/fake_youtube.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { probeFile } from "../support/system.ts";
import { useEgressProxy } from "../../workers/process.ts";
import { firstMediaOf, runYtdlp } from "../../workers/ytdlp_run.ts";
import { downloadMedia, probeMedia } from "../../workers/ytdlp.ts";

const TIMEOUT_MS = 120_000;

/** The real yt-dlp behind a script that also appends its stderr to a file. */
async function ytdlpKeepingStderr(dir: string): Promise<{ path: string; log: string }> {
  const which = await new Deno.Command("sh", { args: ["-c", "command -v yt-dlp"] }).output();
  const ytdlp = new TextDecoder().decode(which.stdout).trim();
  assert(ytdlp, "yt-dlp is installed");
  const log = `${dir}/stderr.log`;
  const path = `${dir}/yt-dlp`;
  await Deno.writeTextFile(path, `#!/bin/sh\nexec '${ytdlp}' "$@" 2>>'${log}'\n`, { mode: 0o755 });
  return { path, log };
}

Deno.test("[workers/ytdlp_run] yt-dlp solves a loopback YouTube's challenges with the worker's Deno and the cached solver, offline", async () => {
  await using lab = await startMediaLab();
  await using youtube = await startFakeYoutube({ mediaFile: `${lab.fixtureDir}/clip360.mp4` });
  const dir = await Deno.makeTempDir({ prefix: "ytdlp-jsc-" });
  const release = useEgressProxy(youtube.proxyUrl);
  try {
    const ytdlp = await ytdlpKeepingStderr(dir);
    // the operator's config file: the fake's certificate is self-signed; -v shows what yt-dlp found
    const configFile = `${dir}/yt-dlp.conf`;
    await Deno.writeTextFile(configFile, "--no-check-certificates\n--verbose\n");
    const setup = { ytdlpPath: ytdlp.path, cacheDir: `${dir}/ytdlp-cache`, configFile };
    const video = FAKE_YOUTUBE_VIDEO;

    const json = firstMediaOf(
      await runYtdlp({ mode: "json", url: youtube.watchUrl }, { ...setup, timeoutMs: TIMEOUT_MS }),
    ) as { title: string; duration: number; formats: { format_id: string; url: string }[] };
    assertEquals([json.title, json.duration], [video.title, video.durationSeconds]);
    const format = json.formats.find((f) => f.format_id === "18");
    const params = new URL(format?.url ?? "http://none/").searchParams;
    assertEquals(params.get("n"), video.solvedN, "the n challenge, solved by the player's code");
    assertEquals(params.get("sig"), video.solvedSignature, "the signature, solved likewise");

    const verbose = await Deno.readTextFile(ytdlp.log);
    assert(verbose.includes(configFile), "yt-dlp read the operator's config file");
    assertMatch(verbose, new RegExp(`\\[debug\\] JS runtimes: deno-${Deno.version.deno}\\n`));
    assertMatch(verbose, /\[jsc\] JS Challenge Providers: .*\bdeno\b(?! \(unavailable\))/);
    assertMatch(verbose, /\[jsc:deno\] Using challenge solver lib script v[\d.]+ \(source: \w+/);
    assertMatch(verbose, /\[jsc:deno\] Using challenge solver core script v[\d.]+/);
    // the worker's own Deno binary, and the solver's npm packages from DENO_DIR, not the network
    const runs = verbose.split("\n").filter((line) => line.includes("[jsc:deno] Running deno: "));
    assert(runs.length > 0, "yt-dlp ran Deno");
    for (const run of runs) {
      assert(run.includes(`Running deno: ${Deno.execPath()} run `), run);
      assert(run.includes(" --no-remote ") && run.includes(" --cached-only "), run);
    }
    assertEquals(
      youtube.connects.filter((target) => !/\.(youtube|googlevideo)\.com:443$/.test(target)),
      [],
      "yt-dlp and its Deno reached nothing but (the fake) YouTube",
    );
    // signature solutions are kept in yt-dlp's cache, for the next run with this player
    const sigfuncs = [...Deno.readDirSync(`${setup.cacheDir}/youtube-sigfuncs`)];
    assert(sigfuncs.length > 0, "yt-dlp's cache holds the signature solution");

    const info = await probeMedia(youtube.watchUrl, { ...setup, timeoutMs: TIMEOUT_MS });
    const outDir = `${dir}/out`;
    await Deno.mkdir(outDir);
    const media = await downloadMedia(youtube.watchUrl, {
      ...setup,
      variant: "best",
      info,
      outDir,
      maxBytes: 50 * 1024 * 1024,
      timeoutMs: TIMEOUT_MS,
    });
    const delivered = await probeFile(media.path);
    assertEquals(delivered.height, video.height);
    assert(Math.abs(delivered.duration - video.durationSeconds) < 0.5, `${delivered.duration} s`);
    const mediaRequests = youtube.requests.filter((r) => r.path.startsWith("/videoplayback"));
    assert(mediaRequests.length > 0, "the media was fetched from (the fake) googlevideo.com");
  } finally {
    release();
    await Deno.remove(dir, { recursive: true });
  }
});
