/**
 * A media "site" on loopback for tests: fixtures made by ffmpeg at test time, served by
 * Deno.serve on 127.0.0.1 in shapes that yt-dlp's generic extractor understands (HTML5
 * pages, HLS VOD, a live HLS window, error pages, refusals by status, a members' page behind a
 * session cookie).
 *
 * Fixtures are generated once per machine into a cache directory and shared by every test
 * module, even under `deno test --parallel`: one process takes an exclusive lock file and
 * builds, the others wait for the `ready` marker.
 *
 *   await using lab = await startMediaLab();
 *   // yt-dlp -J -- lab.urls.page  → formats 720p/360p, subtitles en/fr
 *   const live = lab.startLive(); // ... live.stop();
 */

/** Bump when the fixtures change: the cache directory name carries it. */
export const MEDIALAB_VERSION = "v1";

/**
 * Facts about `/watch/clip` that tests can assert. yt-dlp (2026.11.23 as 2023.03.04) reports the
 * title as `${title} (1)` (its html5 embed extractor numbers entries) and the id as `clip-1`.
 */
export const LAB_CLIP = {
  title: 'Lab clip <b>&</b> "quotes"',
  description: "A six second test clip made by ffmpeg",
  durationSeconds: 6,
  heights: [720, 360],
  widths: [1280, 640],
  subtitleLanguages: ["en", "fr"],
  firstCue: { en: "Hello from the media lab", fr: "Bonjour du labo média" },
} as const;

/**
 * Facts about `/watch/popular`: the 720p clip described by JSON-LD only (a schema.org
 * VideoObject, no <video> tag), from which yt-dlp's generic extractor reads the description,
 * the uploader and the view and like counts (`interactionStatistic`). Title and description are
 * far longer than a preview shows; the description has a link, markup and an ampersand.
 */
export const LAB_POPULAR = {
  title: `Popular lab clip ${"with a title far too long to show whole ".repeat(12)}`.trim(),
  uploader: "Lab Channel",
  description:
    "Made by ffmpeg for the <b>media lab</b> & its tests: see https://shop.example/buy?ref=lab " +
    "or shop.example/more for the rest. " +
    "Every sentence after this one is filler that no preview should show. ".repeat(40),
  views: 1_234_567,
  likes: 8_900,
  height: 720,
  /** JSON-LD's uploadDate; yt-dlp's upload_date, an audio file's date tag */
  uploadDate: "2026-05-17",
} as const;

/** Facts about `/listen/song` (an AAC file in MP4 with title/artist tags; og:image the poster). */
export const LAB_SONG = {
  title: "Lab Song",
  artist: "Media Lab Band",
  album: "Loopback Sessions",
  durationSeconds: 4,
  ext: "m4a",
} as const;

/** Facts about `/hls/master.m3u8`. */
export const LAB_HLS = {
  heights: [720, 360],
  segmentSeconds: 2,
  durationSeconds: 6,
} as const;

/** Facts about the streams made by `lab.startLive()`. */
export const LAB_LIVE = {
  height: 360,
  segmentSeconds: 1,
  windowSegments: 4,
  /** Pre-made segments the window loops over. */
  loopSegments: 8,
} as const;

/** Facts about `/series`: three different short videos on one page. */
export const LAB_SERIES = {
  title: "Lab series",
  count: 3,
  durationSeconds: 2,
  height: 180,
} as const;

/**
 * Facts about two pairs of different media served under one file name in two folders
 * (`/one/video.mp4` and `/two/video.mp4`, `/a/master.m3u8` and `/b/master.m3u8`): yt-dlp's
 * generic extractor gives both of a pair the same id ("video", "master"). Made of the other
 * fixtures, so they cost no ffmpeg time.
 */
export const LAB_SAME_NAME = {
  one: { height: 360, durationSeconds: LAB_CLIP.durationSeconds },
  two: { height: LAB_SERIES.height, durationSeconds: LAB_SERIES.durationSeconds },
  hlsA: { heights: LAB_HLS.heights, durationSeconds: LAB_HLS.durationSeconds },
  hlsB: {
    height: LAB_LIVE.height,
    durationSeconds: LAB_LIVE.loopSegments * LAB_LIVE.segmentSeconds,
  },
} as const;

/** Facts about pages made by `lab.bigClip(mb)` (mb in MiB). */
export const LAB_BIG = {
  height: 1080,
  width: 1920,
  title: (mb: number) => `Lab big clip ${mb} MiB`,
} as const;

/**
 * Facts about streams made by `lab.bigHls(mb)`: a 1080p HLS VOD of about `mb` MiB in 2 s
 * segments (a master playlist with one 1080p variant), as a CDN serves a long video.
 */
export const LAB_BIG_HLS = {
  height: 1080,
  segmentSeconds: 2,
  durationSeconds: 60,
} as const;

/** Text in the "ERROR: " line yt-dlp prints for the error URLs. */
export const LAB_YTDLP_ERRORS = {
  missing: "HTTP Error 404: Not Found",
  text: "Unsupported URL",
  gone: "HTTP Error 410: Gone",
} as const;

/** The statuses `lab.refusal(status)` answers with, as sites refuse a request. */
export const LAB_REFUSALS = [401, 403, 404, 410, 429, 451] as const;
export type LabRefusalStatus = (typeof LAB_REFUSALS)[number];

/**
 * Facts about `/members/clip`, a page for signed-in members: it and its one source (the 360p
 * clip under `/members/media/`) answer 403 unless the request carries `lab.session`'s cookie.
 */
export const LAB_MEMBERS = {
  title: "Members clip",
  height: 360,
  cookieName: "lab_session",
} as const;

/**
 * Facts about the pages of `lab.galleries()`, served on port 80 of their own loopback address
 * (gallery-dl's generic extractor drops a URL's port). yt-dlp finds no video on any of them:
 * `photos` shows its images in <img> tags, `carousel` lists its slides (images and the 360p
 * clip) in a data attribute as carousels do, `many` shows 23 images, `panorama` has a picture
 * 21 times wider than high between two photos: Telegram takes no such photo (20:1 at most).
 */
export const LAB_GALLERY = {
  photos: { title: "Lab photos", items: ["photo", "photo", "photo", "photo", "photo"] },
  carousel: { title: "Lab carousel", items: ["photo", "video", "photo", "photo"] },
  many: { title: "Lab many photos", count: 23 },
  panorama: { title: "Lab panorama", width: 2100, height: 100 },
  width: 320,
  height: 240,
} as const;

export type FixtureName =
  | "clip720.mp4"
  | "clip360.mp4"
  | "poster.jpg"
  | "subs.en.vtt"
  | "subs.fr.vtt"
  | "song.m4a"
  | "series1.mp4"
  | "series2.mp4"
  | "series3.mp4"
  | "hls/master.m3u8";

export interface LabRequest {
  method: string;
  path: string;
  status: number;
  /** The Range header, when the client sent one. */
  range?: string;
}

export interface LiveStream {
  /** The media playlist (no master): a sliding window, no #EXT-X-ENDLIST while live. */
  url: string;
  /** Ends the stream: the playlist freezes and gets #EXT-X-ENDLIST, so recorders finish. */
  stop(): void;
}

export interface MediaLabUrls {
  page: string;
  popular: string;
  audioPage: string;
  hlsVod: string;
  series: string;
  /** LAB_MEMBERS: 403 without the session cookie */
  members: string;
  missing: string;
  text: string;
  gone: string;
  clip720: string;
  clip360: string;
  poster: string;
  subsEn: string;
  subsFr: string;
  song: string;
  /** LAB_SAME_NAME's pairs */
  sameNameOne: string;
  sameNameTwo: string;
  sameNameHlsA: string;
  sameNameHlsB: string;
}

export interface LabGalleries {
  photos: string;
  carousel: string;
  many: string;
  panorama: string;
  /** each page's items on disk, in the page's order */
  files: { photos: string[]; carousel: string[]; many: string[]; panorama: string[] };
}

export interface MediaLabOptions {
  /**
   * Speed limit for each media body (HTTP/1.1 sends one response at a time per connection,
   * so this is per connection); undefined means as fast as possible.
   */
  throttleBytesPerSecond?: number;
  /** Answers every request with the whole body (200, no Accept-Ranges), as servers that refuse ranges. */
  refuseRanges?: boolean;
}

export interface MediaLab extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly baseUrl: string;
  readonly urls: MediaLabUrls;
  /** A page that answers with this status, as a site refusing the request. */
  refusal(status: LabRefusalStatus): string;
  /** `/members/clip`'s session cookie: a value made for this lab, distinct from any other text. */
  readonly session: { name: string; value: string };
  readonly fixtureDir: string;
  /** Every request served, in order. */
  readonly requests: LabRequest[];
  /** Media bodies being sent right now (a body is done once its last byte is handed over). */
  readonly bodiesInFlight: number;
  startLive(): LiveStream;
  /**
   * The 360p clip as a bare mp4 under any file name (yt-dlp's generic extractor takes the name,
   * without its extension, as the media's id): `name` is used as given, so encode what needs it.
   */
  clipNamed(name: string): string;
  /** Makes (once, cached on disk) a 1080p mp4 of about `mb` MiB and returns its page URL. */
  bigClip(mb: number): Promise<string>;
  /** Makes (once, cached on disk) LAB_BIG_HLS's stream of about `mb` MiB; returns its master playlist. */
  bigHls(mb: number): Promise<string>;
  /** Makes the gallery images (once, cached on disk) and serves LAB_GALLERY's pages. */
  galleries(): Promise<LabGalleries>;
  setThrottle(bytesPerSecond: number | undefined): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Fixture cache

const LOCK_WAIT_MS = 180_000;
const LOCK_STALE_MS = 120_000;

function tempBase(): string {
  return (Deno.env.get("TMPDIR") || Deno.env.get("TEMP") || Deno.env.get("TMP") || "/tmp")
    .replace(/\/+$/, "");
}

/** The directory fixtures live in (they exist once `prepareFixtures()` resolved). */
export function fixtureRoot(): string {
  const custom = Deno.env.get("MEDIALAB_DIR");
  if (custom) return custom.replace(/\/+$/, "");
  return `${tempBase()}/mediabot-medialab-${MEDIALAB_VERSION}`;
}

export function fixturePath(name: FixtureName): string {
  return `${fixtureRoot()}/${name}`;
}

let fixturesPromise: Promise<string> | undefined;

/** Makes the fixtures unless another run already did; resolves to their directory. */
export function prepareFixtures(): Promise<string> {
  fixturesPromise ??= prepareFixturesOnce(fixtureRoot()).catch((error) => {
    fixturesPromise = undefined;
    throw error;
  });
  return fixturesPromise;
}

async function prepareFixturesOnce(root: string): Promise<string> {
  await Deno.mkdir(parentDir(root), { recursive: true });
  await produceOnce({
    what: "media lab fixtures",
    readyPath: `${root}/ready`,
    lockPath: `${root}.lock`,
    async build() {
      // Built beside the target and renamed into place, so the directory appears whole
      // even if a crashed run's lock was broken and two builders raced.
      const buildDir = `${root}.build-${Deno.pid}-${randomId()}`;
      await Deno.mkdir(buildDir, { recursive: true });
      try {
        await generateFixtures(buildDir);
        await Deno.writeTextFile(
          `${buildDir}/ready`,
          JSON.stringify({ version: MEDIALAB_VERSION, createdAt: new Date().toISOString() }),
        );
        try {
          await Deno.rename(buildDir, root);
        } catch (error) {
          if (!(await exists(`${root}/ready`))) {
            throw new Error(
              `media lab: cannot move fixtures into ${root} (not empty and not a fixture dir?)`,
              { cause: error },
            );
          }
        }
      } finally {
        await Deno.remove(buildDir, { recursive: true }).catch(() => {});
      }
    },
  });
  const marker = JSON.parse(await Deno.readTextFile(`${root}/ready`)) as { version?: string };
  if (marker.version !== MEDIALAB_VERSION) {
    throw new Error(
      `media lab: ${root} holds fixtures of version ${marker.version}, expected ${MEDIALAB_VERSION}; delete it`,
    );
  }
  return root;
}

/**
 * Runs `build` in at most one process at a time (lock file made with createNew); the others
 * wait until `readyPath` exists. A lock whose owner died, or that is too old, is broken.
 */
async function produceOnce(
  job: { what: string; readyPath: string; lockPath: string; build: () => Promise<void> },
): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!(await exists(job.readyPath))) {
    let locked = false;
    try {
      await Deno.writeTextFile(job.lockPath, JSON.stringify({ pid: Deno.pid }), {
        createNew: true,
      });
      locked = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    if (locked) {
      try {
        if (!(await exists(job.readyPath))) await job.build();
      } finally {
        await Deno.remove(job.lockPath).catch(() => {});
      }
      return;
    }
    if (await lockIsStale(job.lockPath)) {
      await Deno.remove(job.lockPath).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`media lab: timed out waiting for ${job.what} (lock ${job.lockPath})`);
    }
    await delay(100);
  }
}

async function lockIsStale(lockPath: string): Promise<boolean> {
  try {
    const info = await Deno.stat(lockPath);
    if (info.mtime && Date.now() - info.mtime.getTime() > LOCK_STALE_MS) return true;
    const { pid } = JSON.parse(await Deno.readTextFile(lockPath)) as { pid?: number };
    if (typeof pid === "number" && pid !== Deno.pid && Deno.build.os === "linux") {
      return !(await exists(`/proc/${pid}`));
    }
    return false;
  } catch {
    // gone already, or written but not yet filled in: look again on the next turn
    return false;
  }
}

// ---------------------------------------------------------------------------
// Generation (ffmpeg, argument arrays only)

const FFMPEG = Deno.env.get("FFMPEG_PATH") ?? "ffmpeg";

async function ffmpeg(cwd: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(FFMPEG, {
    args: ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", ...args],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    const tail = new TextDecoder().decode(stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`ffmpeg ${args.join(" ")} failed:\n${tail}`);
  }
}

const X264_FAST = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];

function lavfiVideo(source: string, size: string, seconds: number): string[] {
  return ["-f", "lavfi", "-i", `${source}=size=${size}:rate=25:duration=${seconds}`];
}

function lavfiSine(hz: number, seconds: number, rate = 48000): string[] {
  return ["-f", "lavfi", "-i", `sine=frequency=${hz}:sample_rate=${rate}:duration=${seconds}`];
}

async function generateFixtures(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/hls`);
  await Deno.mkdir(`${dir}/live`);
  await Deno.mkdir(`${dir}/big`);
  await Deno.writeTextFile(`${dir}/subs.en.vtt`, webvtt(SUBTITLES.en));
  await Deno.writeTextFile(`${dir}/subs.fr.vtt`, webvtt(SUBTITLES.fr));

  const seconds = LAB_CLIP.durationSeconds;
  // A keyframe every second (-g 25) so HLS can cut the clips by stream copy.
  const gop = ["-g", "25", "-keyint_min", "25", "-sc_threshold", "0"];
  const aac = (kbps: number) => ["-c:a", "aac", "-b:a", `${kbps}k`];
  const faststart = ["-movflags", "+faststart"];

  const clipsAndHls = async () => {
    await ffmpeg(dir, [
      ...lavfiVideo("testsrc2", "1280x720", seconds),
      ...lavfiSine(440, seconds),
      "-filter_complex",
      "[0:v]split=2[hd][sd0];[sd0]scale=640:360[sd]",
      ...["-map", "[hd]", "-map", "1:a", ...X264_FAST, ...gop, "-b:v", "400k", ...aac(64)],
      ...[...faststart, "clip720.mp4"],
      ...["-map", "[sd]", "-map", "1:a", ...X264_FAST, ...gop, "-b:v", "150k", ...aac(64)],
      ...[...faststart, "clip360.mp4"],
    ]);
    await ffmpeg(dir, [
      ...["-i", "clip720.mp4", "-i", "clip360.mp4"],
      ...["-map", "0:v", "-map", "0:a", "-map", "1:v", "-map", "1:a", "-c", "copy"],
      ...["-f", "hls", "-hls_time", String(LAB_HLS.segmentSeconds)],
      ...["-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8"],
      ...["-var_stream_map", "v:0,a:0,name:720p v:1,a:1,name:360p"],
      ...["-hls_segment_filename", "hls/%v/seg%03d.ts", "hls/%v/index.m3u8"],
    ]);
    await ffmpeg(dir, [
      ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=1"],
      ...["-frames:v", "1", "-q:v", "5", "poster.jpg"],
    ]);
  };

  const liveSongSeries = async () => {
    const liveSeconds = LAB_LIVE.loopSegments * LAB_LIVE.segmentSeconds;
    await ffmpeg(dir, [
      ...lavfiVideo("testsrc", "640x360", liveSeconds),
      ...lavfiSine(880, liveSeconds),
      ...[...X264_FAST, ...gop, "-b:v", "300k", ...aac(64)],
      ...["-f", "hls", "-hls_time", String(LAB_LIVE.segmentSeconds)],
      ...["-hls_playlist_type", "vod", "-hls_segment_filename", "live/seg%03d.ts"],
      "live/source.m3u8",
    ]);
    await ffmpeg(dir, [
      ...lavfiSine(660, LAB_SONG.durationSeconds, 44100),
      ...aac(96),
      ...["-metadata", `title=${LAB_SONG.title}`, "-metadata", `artist=${LAB_SONG.artist}`],
      ...["-metadata", `album=${LAB_SONG.album}`, ...faststart, "song.m4a"],
    ]);
    const series = [["testsrc2", 300], ["smptebars", 500], ["rgbtestsrc", 700]] as const;
    for (const [index, [source, hz]] of series.entries()) {
      await ffmpeg(dir, [
        ...lavfiVideo(source, "320x180", LAB_SERIES.durationSeconds),
        ...lavfiSine(hz, LAB_SERIES.durationSeconds),
        ...[...X264_FAST, "-b:v", "100k", ...aac(48), ...faststart, `series${index + 1}.mp4`],
      ]);
    }
  };

  await Promise.all([clipsAndHls(), liveSongSeries()]);
}

const SUBTITLES = {
  en: [LAB_CLIP.firstCue.en, "The picture is testsrc2", "Goodbye"],
  fr: [LAB_CLIP.firstCue.fr, "L'image est testsrc2", "Au revoir"],
} as const;

function webvtt(cues: readonly string[]): string {
  const stamp = (s: number) => `00:00:${String(s).padStart(2, "0")}.000`;
  const body = cues.map((text, i) =>
    `${i + 1}\n${stamp(i * 2)} --> ${stamp(i * 2 + 2)}\n${text}\n`
  );
  return `WEBVTT\n\n${body.join("\n")}`;
}

const bigClipBuilds = new Map<string, Promise<string>>();

/** Makes `big/big-<mb>mib.mp4` (1080p, constant bitrate padded by x264 filler data). */
function ensureBigClip(root: string, mb: number): Promise<string> {
  const key = String(mb);
  let build = bigClipBuilds.get(key);
  if (!build) {
    build = buildBigClip(root, mb).catch((error) => {
      bigClipBuilds.delete(key);
      throw error;
    });
    bigClipBuilds.set(key, build);
  }
  return build;
}

function bigClipKey(mb: number): string {
  return String(mb).replace(".", "_");
}

function bigClipName(mb: number): string {
  return `big-${bigClipKey(mb)}mib.mp4`;
}

async function buildBigClip(root: string, mb: number): Promise<string> {
  const name = bigClipName(mb);
  const target = `${root}/big/${name}`;
  await produceOnce({
    what: `big clip ${name}`,
    readyPath: target,
    lockPath: `${target}.lock`,
    async build() {
      const bits = mb * 1024 * 1024 * 8;
      const audioBps = 128_000;
      // ~40 Mbit/s keeps encoding short; larger clips get a higher rate rather than minutes.
      const seconds = Math.max(2, Math.min(60, Math.ceil(bits / 40_000_000)));
      const videoBps = Math.max(200_000, Math.round(bits / seconds * 0.99 - audioBps));
      const tmp = `.tmp-${Deno.pid}-${randomId()}-${name}`;
      try {
        await ffmpeg(`${root}/big`, [
          ...lavfiVideo("testsrc2", "1920x1080", seconds),
          ...lavfiSine(330, seconds),
          ...[...X264_FAST, "-g", "50", "-b:v", String(videoBps)],
          ...["-minrate", String(videoBps), "-maxrate", String(videoBps)],
          ...["-bufsize", String(Math.round(videoBps / 2)), "-x264-params", "nal-hrd=cbr"],
          ...["-c:a", "aac", "-b:a", String(audioBps), "-movflags", "+faststart", "-f", "mp4"],
          tmp,
        ]);
        await Deno.rename(`${root}/big/${tmp}`, target);
      } finally {
        await Deno.remove(`${root}/big/${tmp}`).catch(() => {});
      }
    },
  });
  return target;
}

const bigHlsBuilds = new Map<string, Promise<string>>();

/** Makes `bighls/<mb>/master.m3u8` and its segments (1080p at a constant bitrate). */
function ensureBigHls(root: string, mb: number): Promise<string> {
  const key = bigClipKey(mb);
  let build = bigHlsBuilds.get(key);
  if (!build) {
    build = buildBigHls(root, key, mb).catch((error) => {
      bigHlsBuilds.delete(key);
      throw error;
    });
    bigHlsBuilds.set(key, build);
  }
  return build;
}

async function buildBigHls(root: string, key: string, mb: number): Promise<string> {
  const target = `${root}/bighls/${key}`;
  await Deno.mkdir(`${root}/bighls`, { recursive: true });
  await produceOnce({
    what: `big HLS stream ${key}`,
    readyPath: `${target}/master.m3u8`,
    lockPath: `${target}.lock`,
    async build() {
      const seconds = LAB_BIG_HLS.durationSeconds;
      const audioBps = 128_000;
      const videoBps = Math.max(
        200_000,
        Math.round(mb * 1024 * 1024 * 8 / seconds * 0.97 - audioBps),
      );
      const tmp = `${root}/bighls/.tmp-${Deno.pid}-${randomId()}`;
      await Deno.mkdir(tmp);
      try {
        await ffmpeg(tmp, [
          ...lavfiVideo("testsrc2", "1920x1080", seconds),
          ...lavfiSine(330, seconds),
          ...[...X264_FAST, "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"],
          ...["-b:v", String(videoBps), "-minrate", String(videoBps), "-maxrate", String(videoBps)],
          ...["-bufsize", String(Math.round(videoBps / 2)), "-x264-params", "nal-hrd=cbr"],
          ...["-c:a", "aac", "-b:a", String(audioBps)],
          ...["-f", "hls", "-hls_time", String(LAB_BIG_HLS.segmentSeconds)],
          ...["-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8"],
          ...["-hls_segment_filename", "seg%03d.ts", "index.m3u8"],
        ]);
        await Deno.rename(tmp, target);
      } finally {
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
    },
  });
  return target;
}

let galleryBuild: Promise<string> | undefined;

/** The gallery images: distinct frames of testsrc2 (its clock), made by one ffmpeg run. */
function ensureGalleryImages(root: string): Promise<string> {
  galleryBuild ??= buildGalleryImages(root).catch((error) => {
    galleryBuild = undefined;
    throw error;
  });
  return galleryBuild;
}

async function buildGalleryImages(root: string): Promise<string> {
  const dir = `${root}/gallery`;
  await produceOnce({
    what: "gallery images",
    readyPath: `${dir}/ready`,
    lockPath: `${dir}.lock`,
    async build() {
      const tmp = `${root}/.gallery-${Deno.pid}-${randomId()}`;
      await Deno.mkdir(tmp, { recursive: true });
      try {
        const size = `${LAB_GALLERY.width}x${LAB_GALLERY.height}`;
        const { panorama } = LAB_GALLERY;
        await ffmpeg(tmp, [
          ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=1`],
          ...["-frames:v", String(LAB_GALLERY.many.count), "-q:v", "5", "photo%02d.jpg"],
        ]);
        await ffmpeg(tmp, [
          ...["-f", "lavfi", "-i", `smptebars=size=${panorama.width}x${panorama.height}:rate=1`],
          ...["-frames:v", "1", "-q:v", "5", "panorama.jpg"],
        ]);
        await Deno.writeTextFile(`${tmp}/ready`, "");
        await Deno.rename(tmp, dir).catch(async (error) => {
          if (!(await exists(`${dir}/ready`))) throw error;
        });
      } finally {
        await Deno.remove(tmp, { recursive: true }).catch(() => {});
      }
    },
  });
  return dir;
}

/** A loopback address of its own (127.x.y.z) with port 80 free; binding it needs root. */
function listenOnPort80(handler: Deno.ServeHandler, onError: (error: unknown) => Response) {
  for (let attempt = 0;; attempt++) {
    const octet = () => 1 + Math.floor(Math.random() * 254);
    const hostname = `127.${octet()}.${octet()}.${octet()}`;
    try {
      return Deno.serve({ hostname, port: 80, onListen() {}, onError }, handler);
    } catch (error) {
      if (error instanceof Deno.errors.PermissionDenied) {
        throw new Error(
          "media lab: the gallery pages need port 80 (gallery-dl's generic extractor drops a " +
            "URL's port); run the tests as root or with CAP_NET_BIND_SERVICE",
          { cause: error },
        );
      }
      if (!(error instanceof Deno.errors.AddrInUse) || attempt >= 10) throw error;
    }
  }
}

function galleryPages(base: string): Map<string, { status: number; html: string }> {
  const photo = (n: number) => `${base}/gallery/media/photo${String(n).padStart(2, "0")}.jpg`;
  const pages = new Map<string, { status: number; html: string }>();
  const photos = LAB_GALLERY.photos.items.map((_, i) => photo(i + 1));
  pages.set("/gallery/photos", {
    status: 200,
    html: htmlPage({
      title: LAB_GALLERY.photos.title,
      body: photos.map((src, i) => `<img src="${src}" alt="Photo ${i + 1}">`).join("\n"),
    }),
  });
  const slides = carouselFiles().map((file) => `${base}/gallery/media/${file}`);
  pages.set("/gallery/carousel", {
    status: 200,
    html: htmlPage({
      title: LAB_GALLERY.carousel.title,
      body: `<div class="carousel" data-slides='${JSON.stringify(slides)}'></div>`,
    }),
  });
  const many = Array.from({ length: LAB_GALLERY.many.count }, (_, i) => photo(i + 1));
  pages.set("/gallery/many", {
    status: 200,
    html: htmlPage({
      title: LAB_GALLERY.many.title,
      body: many.map((src) => `<img src="${src}">`).join("\n"),
    }),
  });
  pages.set("/gallery/panorama", {
    status: 200,
    html: htmlPage({
      title: LAB_GALLERY.panorama.title,
      body: panoramaFiles().map((file) => `<img src="${base}/gallery/media/${file}">`).join("\n"),
    }),
  });
  return pages;
}

function panoramaFiles(): string[] {
  return ["photo01.jpg", "panorama.jpg", "photo02.jpg"];
}

/** The carousel's slides: photos 6, 7 and 8 around the 360p clip, as LAB_GALLERY says. */
function carouselFiles(): string[] {
  let next = LAB_GALLERY.photos.items.length + 1;
  return LAB_GALLERY.carousel.items.map((kind) =>
    kind === "video" ? "clip.mp4" : `photo${String(next++).padStart(2, "0")}.jpg`
  );
}

// ---------------------------------------------------------------------------
// Live HLS: a wall-clock window over looped segments

interface LiveSource {
  segments: Uint8Array[];
  segmentSeconds: number;
  /** 90 kHz ticks in one pass over all segments. */
  loopTicks: number;
  /** Per PID: packets with payload in one pass, so continuity counters can carry on. */
  ccAdvance: Map<number, number>;
}

async function loadLiveSource(dir: string): Promise<LiveSource> {
  const playlist = await Deno.readTextFile(`${dir}/live/source.m3u8`);
  const names = playlist.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const total = playlist.split("\n").filter((l) => l.startsWith("#EXTINF:"))
    .reduce((sum, l) => sum + parseFloat(l.slice("#EXTINF:".length)), 0);
  const segments = await Promise.all(names.map((n) => Deno.readFile(`${dir}/live/${n}`)));
  const ccAdvance = new Map<number, number>();
  for (const segment of segments) {
    forEachTsPacket(segment, (p, pid, hasPayload) => {
      if (hasPayload) ccAdvance.set(pid, (ccAdvance.get(pid) ?? 0) + 1);
      return p;
    });
  }
  return {
    segments,
    segmentSeconds: total / segments.length,
    loopTicks: Math.round(total * 90_000),
    ccAdvance,
  };
}

const TS_PACKET = 188;
const TS_WRAP = 2 ** 33;

function forEachTsPacket(
  data: Uint8Array,
  visit: (offset: number, pid: number, hasPayload: boolean) => void,
): void {
  for (let p = 0; p + TS_PACKET <= data.length; p += TS_PACKET) {
    if (data[p] !== 0x47) continue;
    const pid = ((data[p + 1] & 0x1f) << 8) | data[p + 2];
    visit(p, pid, (data[p + 3] & 0x10) !== 0);
  }
}

/**
 * Copy of an MPEG-TS segment from a later pass of the loop: PCR, PTS, DTS and continuity
 * counters are moved forward, so a recorder (ffmpeg -c copy) sees one continuous stream
 * instead of time jumping back at every wrap.
 */
function shiftTsSegment(source: LiveSource, index: number, pass: number): Uint8Array {
  const out = source.segments[index].slice();
  if (pass === 0) return out;
  const ticks = (pass * source.loopTicks) % TS_WRAP;
  forEachTsPacket(out, (p, pid, hasPayload) => {
    if (hasPayload) {
      const shift = (pass * (source.ccAdvance.get(pid) ?? 0)) & 0x0f;
      out[p + 3] = (out[p + 3] & 0xf0) | (((out[p + 3] & 0x0f) + shift) & 0x0f);
    }
    let payload = p + 4;
    if (out[p + 3] & 0x20) {
      const adaptationLength = out[p + 4];
      if (adaptationLength > 0 && out[p + 5] & 0x10) shiftPcr(out, p + 6, ticks);
      payload += 1 + adaptationLength;
    }
    const unitStart = (out[p + 1] & 0x40) !== 0;
    if (
      unitStart && hasPayload && payload + 19 <= p + TS_PACKET &&
      out[payload] === 0 && out[payload + 1] === 0 && out[payload + 2] === 1 &&
      out[payload + 3] >= 0xc0 && out[payload + 3] <= 0xef
    ) {
      const flags = out[payload + 7] >> 6;
      if (flags & 0b10) shiftPesTimestamp(out, payload + 9, ticks);
      if (flags === 0b11) shiftPesTimestamp(out, payload + 14, ticks);
    }
  });
  return out;
}

function shiftPcr(b: Uint8Array, at: number, ticks: number): void {
  const base = b[at] * 2 ** 25 + b[at + 1] * 2 ** 17 + b[at + 2] * 2 ** 9 + b[at + 3] * 2 +
    (b[at + 4] >> 7);
  const next = (base + ticks) % TS_WRAP;
  b[at] = Math.floor(next / 2 ** 25) & 0xff;
  b[at + 1] = Math.floor(next / 2 ** 17) & 0xff;
  b[at + 2] = Math.floor(next / 2 ** 9) & 0xff;
  b[at + 3] = Math.floor(next / 2) & 0xff;
  b[at + 4] = ((next & 1) << 7) | (b[at + 4] & 0x7f);
}

function shiftPesTimestamp(b: Uint8Array, at: number, ticks: number): void {
  const high = (b[at] >> 1) & 0x07;
  const low =
    ((b[at + 1] << 22) | ((b[at + 2] >> 1) << 15) | (b[at + 3] << 7) | (b[at + 4] >> 1)) >>>
    0;
  const next = (high * 2 ** 30 + low + ticks) % TS_WRAP;
  const nextHigh = Math.floor(next / 2 ** 30);
  const nextLow = next % 2 ** 30;
  b[at] = (b[at] & 0xf1) | (nextHigh << 1);
  b[at + 1] = (nextLow >>> 22) & 0xff;
  b[at + 2] = (((nextLow >>> 15) & 0x7f) << 1) | 1;
  b[at + 3] = (nextLow >>> 7) & 0xff;
  b[at + 4] = ((nextLow & 0x7f) << 1) | 1;
}

interface LiveState {
  startedAt: number;
  stoppedAt?: number;
}

/** Newest media sequence number available at `now`. */
function liveNewest(state: LiveState, source: LiveSource, now: number): number {
  const at = state.stoppedAt ?? now;
  const elapsed = Math.max(0, at - state.startedAt) / 1000;
  return LAB_LIVE.windowSegments - 1 + Math.floor(elapsed / source.segmentSeconds);
}

function livePlaylist(state: LiveState, source: LiveSource): string {
  const newest = liveNewest(state, source, Date.now());
  const first = newest - LAB_LIVE.windowSegments + 1;
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(source.segmentSeconds)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
  ];
  for (let seq = first; seq <= newest; seq++) {
    lines.push(`#EXTINF:${source.segmentSeconds.toFixed(6)},`, `${seq}.ts`);
  }
  if (state.stoppedAt !== undefined) lines.push("#EXT-X-ENDLIST");
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// Serving

const CONTENT_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m4a: "audio/mp4",
  jpg: "image/jpeg",
  vtt: "text/vtt; charset=utf-8",
  m3u8: "application/vnd.apple.mpegurl",
  ts: "video/mp2t",
};

interface ByteSource {
  readonly size: number;
  read(offset: number, into: Uint8Array): Promise<number>;
  close(): void;
}

async function openFileSource(path: string): Promise<ByteSource | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
      return undefined;
    }
    throw error;
  }
  let closed = false;
  const { size, isFile } = await file.stat();
  const source: ByteSource = {
    size,
    async read(offset, into) {
      await file.seek(offset, Deno.SeekMode.Start);
      return (await file.read(into)) ?? 0;
    },
    close() {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
  if (!isFile) {
    source.close();
    return undefined;
  }
  return source;
}

function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, into) {
      const part = bytes.subarray(offset, offset + into.length);
      into.set(part);
      return Promise.resolve(part.length);
    },
    close() {},
  };
}

type ByteRange = { start: number; end: number } | "unsatisfiable" | undefined;

/** One `bytes=` range; anything else (several ranges, junk) means "send it all". */
function parseRange(header: string | null, size: number): ByteRange {
  const m = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i > 0 ? path.slice(0, i) : "/";
}

function randomId(): string {
  return crypto.randomUUID().slice(0, 8);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function htmlPage(
  page: { title: string; description?: string; image?: string; body: string },
): string {
  const title = escapeHtml(page.title);
  const meta = [
    `<meta property="og:title" content="${title}">`,
    page.description
      ? `<meta property="og:description" content="${escapeHtml(page.description)}">`
      : "",
    page.image ? `<meta property="og:image" content="${escapeHtml(page.image)}">` : "",
  ].filter(Boolean).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${meta}
</head>
<body>
<h1>${title}</h1>
${page.body}
</body>
</html>
`;
}

function buildPages(base: string): Map<string, { status: number; html: string }> {
  const clipTitle = LAB_CLIP.title;
  // yt-dlp reads a <source>'s height from `height` or `res`, and parses `label`/`title`
  // ("720p") for height and bitrate; `label` also becomes the format_id. It ignores `size`.
  const sources = LAB_CLIP.heights.map((h) =>
    `  <source src="/media/clip${h}.mp4" type="video/mp4" label="${h}p" res="${h}">`
  );
  const tracks = [
    `  <track kind="subtitles" srclang="en" label="English" src="/media/subs.en.vtt" default>`,
    `  <track kind="subtitles" srclang="fr" label="Français" src="/media/subs.fr.vtt">`,
  ];
  const pages = new Map<string, { status: number; html: string }>();
  pages.set("/watch/clip", {
    status: 200,
    html: htmlPage({
      title: clipTitle,
      description: LAB_CLIP.description,
      image: `${base}/media/poster.jpg`,
      body: [
        `<video controls preload="none" poster="/media/poster.jpg" width="1280" height="720">`,
        ...sources,
        ...tracks,
        `</video>`,
      ].join("\n"),
    }),
  });
  pages.set("/watch/popular", { status: 200, html: popularPage(base) });
  pages.set("/listen/song", {
    status: 200,
    html: htmlPage({
      title: LAB_SONG.title,
      description: `${LAB_SONG.title} by ${LAB_SONG.artist}`,
      image: `${base}/media/poster.jpg`,
      body: `<p>${escapeHtml(LAB_SONG.artist)}</p>
<audio controls preload="none">
  <source src="/media/song.m4a" type="audio/mp4">
</audio>`,
    }),
  });
  pages.set("/series", {
    status: 200,
    html: htmlPage({
      title: LAB_SERIES.title,
      body: Array.from({ length: LAB_SERIES.count }, (_, i) =>
        `<h2>Part ${i + 1}</h2>
<video controls preload="none" src="/media/series${i + 1}.mp4"></video>`).join("\n"),
    }),
  });
  pages.set("/text", {
    status: 200,
    html: htmlPage({
      title: "Just words",
      body: '<p>This page has text and a <a href="/watch/clip">link</a>, but no media.</p>',
    }),
  });
  pages.set("/gone", {
    status: 410,
    html: htmlPage({
      title: "Video unavailable",
      body: "<p>This video has been removed by the uploader.</p>",
    }),
  });
  return pages;
}

/** LAB_POPULAR's page: JSON-LD only, so yt-dlp reads it instead of an HTML5 embed. */
function popularPage(base: string): string {
  const videoObject = {
    "@context": "https://schema.org",
    "@type": "VideoObject",
    name: LAB_POPULAR.title,
    description: LAB_POPULAR.description,
    contentUrl: `${base}/media/clip720.mp4`,
    encodingFormat: "video/mp4",
    width: 1280,
    height: LAB_POPULAR.height,
    duration: `PT${LAB_CLIP.durationSeconds}S`,
    author: { "@type": "Person", name: LAB_POPULAR.uploader },
    uploadDate: LAB_POPULAR.uploadDate,
    thumbnailUrl: `${base}/media/poster.jpg`,
    interactionStatistic: [
      {
        "@type": "InteractionCounter",
        interactionType: { "@type": "WatchAction" },
        userInteractionCount: LAB_POPULAR.views,
      },
      {
        "@type": "InteractionCounter",
        interactionType: "https://schema.org/LikeAction",
        userInteractionCount: LAB_POPULAR.likes,
      },
    ],
  };
  // "<" escaped, so no "</script>" can end the block early
  const json = JSON.stringify(videoObject).replace(/</g, "\\u003c");
  const title = escapeHtml(LAB_POPULAR.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<meta property="og:title" content="${title}">
<meta property="og:image" content="${base}/media/poster.jpg">
<script type="application/ld+json">${json}</script>
</head>
<body>
<h1>${title}</h1>
</body>
</html>
`;
}

function refusalPage(status: number): string {
  return htmlPage({ title: `Refused (${status})`, body: `<p>This site answered ${status}.</p>` });
}

function membersRefusalPage(): string {
  return htmlPage({ title: "Sign in", body: "<p>Sign in to watch this clip.</p>" });
}

function membersPage(): string {
  return htmlPage({
    title: LAB_MEMBERS.title,
    body: `<video controls preload="none">
  <source src="/members/media/clip360.mp4" type="video/mp4" label="${LAB_MEMBERS.height}p" res="${LAB_MEMBERS.height}">
</video>`,
  });
}

function bigClipPage(mb: number): string {
  return htmlPage({
    title: LAB_BIG.title(mb),
    body: `<video controls preload="none">
  <source src="/media/big/${bigClipName(mb)}" type="video/mp4" label="1080p" res="1080">
</video>`,
  });
}

const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** LAB_SAME_NAME's paths (exact, or a folder ending in "/") and the fixtures behind them. */
const SAME_NAME_ROUTES: [path: string, fixture: string][] = [
  ["/one/video.mp4", "clip360.mp4"],
  ["/two/video.mp4", "series1.mp4"],
  ["/a/master.m3u8", "hls/master.m3u8"],
  ["/a/", "hls/"],
  ["/b/master.m3u8", "live/source.m3u8"],
  ["/b/", "live/"],
];

/** Maps `/media/<path>`, `/hls/<path>` and the same-name routes to a file, if safe. */
function staticPath(root: string, path: string): string | undefined {
  let rel: string;
  const sameName = SAME_NAME_ROUTES.find(([route]) =>
    route.endsWith("/") ? path.startsWith(route) : path === route
  );
  if (sameName) rel = sameName[1] + path.slice(sameName[0].length);
  else if (path.startsWith("/media/")) rel = path.slice("/media/".length);
  else if (path.startsWith("/hls/")) rel = path.slice(1);
  else return undefined;
  const parts = rel.split("/");
  if (!parts.every((part) => SAFE_SEGMENT.test(part))) return undefined;
  return `${root}/${parts.join("/")}`;
}

export async function startMediaLab(opts: MediaLabOptions = {}): Promise<MediaLab> {
  const root = await prepareFixtures();
  const live = await loadLiveSource(root);
  let throttle = checkThrottle(opts.throttleBytesPerSecond);
  const requests: LabRequest[] = [];
  const liveStreams = new Map<string, LiveState>();
  const bigPages = new Map<string, number>();
  /** Ends in-flight bodies at close(), so shutdown need not wait for throttled clients. */
  const activeBodies = new Set<() => void>();
  let closed = false;

  const bodyStream = (source: ByteSource, start: number, end: number) => {
    let position = start;
    let windowRate = throttle;
    let windowStart = performance.now();
    let windowBytes = 0;
    const abort = new AbortController();
    let streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
    const finish = () => {
      source.close();
      activeBodies.delete(kill);
    };
    const kill = () => {
      abort.abort();
      finish();
      try {
        streamController?.error(new Error("media lab closed"));
      } catch {
        // already closed or errored
      }
    };
    activeBodies.add(kill);
    return new ReadableStream<Uint8Array>({
      start(controller) {
        streamController = controller;
      },
      async pull(controller) {
        try {
          if (throttle !== windowRate) {
            // a new rate applies from now on, without a burst to "catch up"
            windowRate = throttle;
            windowStart = performance.now();
            windowBytes = 0;
          }
          const rate = windowRate;
          const left = end + 1 - position;
          const chunkSize = rate ? Math.min(65536, Math.max(1024, Math.floor(rate / 20))) : 65536;
          if (rate) {
            const wait = windowStart + (windowBytes / rate) * 1000 - performance.now();
            if (wait > 0) await delay(wait, abort.signal);
          }
          if (abort.signal.aborted) return;
          const buffer = new Uint8Array(Math.min(left, chunkSize));
          const n = await source.read(position, buffer);
          if (n <= 0) throw new Error("media lab: file shorter than its size");
          position += n;
          windowBytes += n;
          controller.enqueue(buffer.subarray(0, n));
          if (position > end) {
            finish();
            controller.close();
          }
        } catch (error) {
          finish();
          if (!abort.signal.aborted) controller.error(error);
        }
      },
      cancel() {
        abort.abort();
        finish();
      },
    });
  };

  const sendBytes = (req: Request, source: ByteSource, type: string) => {
    const headers = new Headers({ "content-type": type });
    if (!opts.refuseRanges) headers.set("accept-ranges", "bytes");
    const range = opts.refuseRanges ? undefined : parseRange(req.headers.get("range"), source.size);
    if (range === "unsatisfiable") {
      source.close();
      headers.set("content-range", `bytes */${source.size}`);
      return new Response(null, { status: 416, headers });
    }
    const { start, end } = range ?? { start: 0, end: source.size - 1 };
    headers.set("content-length", String(end - start + 1));
    if (range) headers.set("content-range", `bytes ${start}-${end}/${source.size}`);
    const status = range ? 206 : 200;
    if (req.method === "HEAD" || end < start) {
      source.close();
      return new Response(null, { status, headers });
    }
    return new Response(bodyStream(source, start, end), { status, headers });
  };

  const sendText = (status: number, type: string, text: string) =>
    new Response(text, {
      status,
      headers: { "content-type": type, "cache-control": "no-store" },
    });

  let pages = new Map<string, { status: number; html: string }>();
  let galleries:
    | {
      dir: string;
      base: string;
      server: Deno.HttpServer<Deno.NetAddr>;
      pages: Map<string, { status: number; html: string }>;
    }
    | undefined;
  const session = { name: LAB_MEMBERS.cookieName, value: `labsession-${crypto.randomUUID()}` };

  /** The members' area: its page and its media, to a request with the session cookie only. */
  const membersRoute = async (req: Request, path: string): Promise<Response> => {
    const cookies = (req.headers.get("cookie") ?? "").split(/;\s*/);
    if (!cookies.includes(`${session.name}=${session.value}`)) {
      return sendText(403, "text/html; charset=utf-8", membersRefusalPage());
    }
    if (path === "/members/clip") return sendText(200, "text/html; charset=utf-8", membersPage());
    const source = path === "/members/media/clip360.mp4"
      ? await openFileSource(`${root}/clip360.mp4`)
      : undefined;
    if (source) return sendBytes(req, source, CONTENT_TYPES.mp4);
    return sendText(404, "text/html; charset=utf-8", htmlPage({ title: "Not found", body: "" }));
  };

  const route = async (req: Request, path: string): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendText(405, "text/plain; charset=utf-8", "method not allowed\n");
    }
    const refused = /^\/refuse\/(\d{3})$/.exec(path);
    const status = Number(refused?.[1]);
    if ((LAB_REFUSALS as readonly number[]).includes(status)) {
      return sendText(status, "text/html; charset=utf-8", refusalPage(status));
    }
    if (path.startsWith("/members/")) return await membersRoute(req, path);
    const page = pages.get(path);
    if (page) return sendText(page.status, "text/html; charset=utf-8", page.html);

    const liveMatch = path.match(/^\/live\/([a-z0-9]+)\/(index\.m3u8|(\d+)\.ts)$/);
    const liveState = liveMatch ? liveStreams.get(liveMatch[1]) : undefined;
    if (liveMatch && liveState) {
      if (liveMatch[3] === undefined) {
        return sendText(200, CONTENT_TYPES.m3u8, livePlaylist(liveState, live));
      }
      const seq = Number(liveMatch[3]);
      if (seq <= liveNewest(liveState, live, Date.now())) {
        const count = live.segments.length;
        const bytes = shiftTsSegment(live, seq % count, Math.floor(seq / count));
        return sendBytes(req, memorySource(bytes), CONTENT_TYPES.ts);
      }
    }

    const galleryPage = galleries?.pages.get(path);
    if (galleryPage) return sendText(200, "text/html; charset=utf-8", galleryPage.html);
    const galleryFile = galleries && /^\/gallery\/media\/([a-z0-9]+\.(jpg|mp4))$/.exec(path);
    if (galleryFile) {
      const file = galleryFile[1] === "clip.mp4"
        ? `${root}/clip360.mp4`
        : `${galleries!.dir}/${galleryFile[1]}`;
      const source = await openFileSource(file);
      if (source) return sendBytes(req, source, CONTENT_TYPES[galleryFile[2]]);
    }

    const named = /^\/named\/[^/]+\.mp4$/.test(path)
      ? await openFileSource(`${root}/clip360.mp4`)
      : undefined;
    if (named) return sendBytes(req, named, CONTENT_TYPES.mp4);

    const bigMatch = path.match(/^\/big\/([0-9_]+)$/);
    const bigMb = bigMatch ? bigPages.get(bigMatch[1]) : undefined;
    if (bigMb !== undefined) return sendText(200, "text/html; charset=utf-8", bigClipPage(bigMb));

    const file = staticPath(root, path);
    const ext = file?.slice(file.lastIndexOf(".") + 1) ?? "";
    const source = file && CONTENT_TYPES[ext] ? await openFileSource(file) : undefined;
    if (source) return sendBytes(req, source, CONTENT_TYPES[ext]);

    return sendText(
      404,
      "text/html; charset=utf-8",
      htmlPage({ title: "Not found", body: "<p>Nothing here.</p>" }),
    );
  };

  const onError = (error: unknown) => {
    // bodies cut short by close() land here too
    if (!closed) console.error("media lab: request failed", error);
    return new Response("internal error\n", { status: 500 });
  };
  const handler = async (req: Request) => {
    const rawPath = new URL(req.url).pathname;
    let path = rawPath;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      // keep the raw path: it cannot name a fixture, so it ends as a 404
    }
    const response = await route(req, path);
    const range = req.headers.get("range") ?? undefined;
    requests.push({
      method: req.method,
      path,
      status: response.status,
      ...(range ? { range } : {}),
    });
    return response;
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {}, onError }, handler);

  const baseUrl = `http://127.0.0.1:${server.addr.port}`;
  pages = buildPages(baseUrl);

  const close = async () => {
    if (closed) return server.finished;
    closed = true;
    for (const state of liveStreams.values()) state.stoppedAt ??= Date.now();
    for (const kill of [...activeBodies]) kill();
    await Promise.all([server.shutdown(), galleries?.server.shutdown()]);
  };

  return {
    baseUrl,
    refusal: (status) => `${baseUrl}/refuse/${status}`,
    session,
    urls: {
      page: `${baseUrl}/watch/clip`,
      popular: `${baseUrl}/watch/popular`,
      audioPage: `${baseUrl}/listen/song`,
      hlsVod: `${baseUrl}/hls/master.m3u8`,
      series: `${baseUrl}/series`,
      members: `${baseUrl}/members/clip`,
      missing: `${baseUrl}/missing`,
      text: `${baseUrl}/text`,
      gone: `${baseUrl}/gone`,
      clip720: `${baseUrl}/media/clip720.mp4`,
      clip360: `${baseUrl}/media/clip360.mp4`,
      poster: `${baseUrl}/media/poster.jpg`,
      subsEn: `${baseUrl}/media/subs.en.vtt`,
      subsFr: `${baseUrl}/media/subs.fr.vtt`,
      song: `${baseUrl}/media/song.m4a`,
      sameNameOne: `${baseUrl}/one/video.mp4`,
      sameNameTwo: `${baseUrl}/two/video.mp4`,
      sameNameHlsA: `${baseUrl}/a/master.m3u8`,
      sameNameHlsB: `${baseUrl}/b/master.m3u8`,
    },
    fixtureDir: root,
    requests,
    get bodiesInFlight() {
      return activeBodies.size;
    },
    startLive() {
      const id = randomId();
      const state: LiveState = { startedAt: Date.now() };
      liveStreams.set(id, state);
      return {
        url: `${baseUrl}/live/${id}/index.m3u8`,
        stop() {
          state.stoppedAt ??= Date.now();
        },
      };
    },
    clipNamed(name) {
      return `${baseUrl}/named/${name}.mp4`;
    },
    async bigClip(mb) {
      if (!Number.isFinite(mb) || mb < 0.1 || mb > 4096) {
        throw new RangeError(`bigClip: size must be 0.1 to 4096 MiB, got ${mb}`);
      }
      await ensureBigClip(root, mb);
      const key = bigClipKey(mb);
      bigPages.set(key, mb);
      return `${baseUrl}/big/${key}`;
    },
    async bigHls(mb) {
      if (!Number.isFinite(mb) || mb < 1 || mb > 1024) {
        throw new RangeError(`bigHls: size must be 1 to 1024 MiB, got ${mb}`);
      }
      await ensureBigHls(root, mb);
      return `${baseUrl}/media/bighls/${bigClipKey(mb)}/master.m3u8`;
    },
    async galleries() {
      if (!galleries) {
        const dir = await ensureGalleryImages(root);
        const galleryServer = listenOnPort80(handler, onError);
        const base = `http://${galleryServer.addr.hostname}`;
        galleries = { dir, base, server: galleryServer, pages: galleryPages(base) };
      }
      const { base } = galleries;
      const photo = (n: number) => `${galleries!.dir}/photo${String(n).padStart(2, "0")}.jpg`;
      return {
        photos: `${base}/gallery/photos`,
        carousel: `${base}/gallery/carousel`,
        many: `${base}/gallery/many`,
        panorama: `${base}/gallery/panorama`,
        files: {
          panorama: panoramaFiles().map((file) => `${galleries!.dir}/${file}`),
          photos: LAB_GALLERY.photos.items.map((_, i) => photo(i + 1)),
          carousel: carouselFiles().map((file) =>
            file === "clip.mp4" ? `${root}/clip360.mp4` : `${galleries!.dir}/${file}`
          ),
          many: Array.from({ length: LAB_GALLERY.many.count }, (_, i) => photo(i + 1)),
        },
      };
    },
    setThrottle(bytesPerSecond) {
      throttle = checkThrottle(bytesPerSecond);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function checkThrottle(bytesPerSecond: number | undefined): number | undefined {
  if (bytesPerSecond === undefined) return undefined;
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    throw new RangeError(`throttle must be a positive number of bytes/s, got ${bytesPerSecond}`);
  }
  return bytesPerSecond;
}
