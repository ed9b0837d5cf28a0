/**
 * Soak: the app (main.ts) and two fleet workers, each in its own process, for SOAK_MINUTES
 * (default 10) while users download (some cancelling midway) and others chat. Samples every
 * process's RSS, and at the end checks that memory stayed flat, and that no yt-dlp or ffmpeg
 * process and no scratch file outlived its job. The app's young generation (V8's nursery, tens
 * of MiB under load, a few when idle) is left out of its check: it is sized, not retained.
 */
import { FakeTelegram, type FakeUser } from "../tests/support/fake_telegram.ts";
import { startMediaLab } from "../tests/support/media_lab.ts";
import { spawnWorker, TEST_WORKER_TOKEN } from "../tests/support/fleet.ts";
import { dataFor, waitForPreview } from "../tests/support/chat.ts";
import { waitUntil } from "../tests/support/wait.ts";
import { TEST_METRICS_TOKEN } from "../tests/support/system.ts";
import { descendants, residentBytes } from "../tests/support/processes.ts";

const MiB = 1024 * 1024;
const SAMPLE_EVERY_MS = 10_000;
const DOWNLOADERS = 6;
const CHATTERS = 20;
/** download-cancelled, and download-nothing-to-cancel when the file won the race */
const CANCELLED = /Download cancelled|Téléchargement annulé|Nothing is running|Rien n’est en cours/;
const CHAT_COMMANDS = ["/start", "/help", "/history", "/profile", "/settings", "/top"];

function filesUnder(dir: string): number {
  let count = 0;
  for (const entry of Deno.readDirSync(dir)) {
    count += entry.isDirectory ? filesUnder(`${dir}/${entry.name}`) : 1;
  }
  return count;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/** V8's young generation grows under load and shrinks when idle: it is not memory that stays. */
async function youngGeneration(appUrl: string): Promise<number> {
  const metrics = await (await fetch(`${appUrl}/metrics`, {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  })).text();
  return Number(/^mediabot_heap_space_size_bytes\{space="new"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

export async function benchSoak() {
  const minutes = Number(Deno.env.get("SOAK_MINUTES") ?? 10);
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  // downloads last a second or two, so cancels land midway and samples catch work in flight
  lab.setThrottle(400_000);
  const appDir = await Deno.makeTempDir({ prefix: "mediabot-soak-app-" });
  const workerDirs = [0, 1].map(() => Deno.makeTempDirSync({ prefix: "mediabot-soak-worker-" }));
  const port = freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const appProcess = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("../main.ts", import.meta.url).pathname],
    env: {
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATA_DIR: appDir,
      PORT: String(port),
      LISTEN_HOST: "127.0.0.1",
      WORKERS: "0",
      WORKER_TOKEN: TEST_WORKER_TOKEN,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      ALLOW_PRIVATE_URLS: "true",
      FREE_QUOTA_MB: "100000",
      LOG_LEVEL: "error",
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitUntil(
    () => fetch(`${appUrl}/healthz`).then((r) => r.body?.cancel().then(() => r.ok), () => false),
    "app up",
  );
  const workers = workerDirs.map((dir, i) =>
    spawnWorker(appUrl, telegram, `soak${i}`, { DATA_DIR: dir })
  );
  const processes = new Map([
    ["app", appProcess],
    ...workers.map((w) => [w.id, w.process] as const),
  ]);
  const pids = [...processes.values()].map((process) => process.pid);
  // a process that ends before the soak stops it has crashed
  let stopping = false;
  const crashed: string[] = [];
  for (const [name, process] of processes) {
    process.status.then((status) => {
      if (!stopping) crashed.push(`${name} (exit ${status.code})`);
    });
  }

  const samples: { at: number; app: number; young: number; workers: number[] }[] = [];
  const counts = { downloads: 0, cancelled: 0, chats: 0, failures: 0 };
  const failureReasons = new Map<string, number>();
  const started = Date.now();
  const deadline = started + minutes * 60_000;
  const sampler = setInterval(() => {
    const at = Date.now() - started;
    const app = residentBytes(appProcess.pid);
    const workerBytes = workers.map((w) => residentBytes(w.process.pid));
    youngGeneration(appUrl).then(
      (young) => samples.push({ at, app, young, workers: workerBytes }),
      () => {}, // a sample lost while the app stops
    );
  }, SAMPLE_EVERY_MS);

  /** Returns the id of the message that ended the round: later ones are the next round's. */
  const download = async (user: FakeUser, round: number, before: number) => {
    // a new address each round: every download probes and fetches for real
    user.sendText(`${lab.urls.page}?soak=${user.id}-${round}`);
    const preview = await waitForPreview(telegram, user.id, before);
    user.pressButton(preview.message, dataFor(preview, round % 2 ? /360p$/ : /720p$/));
    if (round % 4 === 3) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      user.sendText("/cancel");
      counts.cancelled++;
    }
    // the file, or the word that the download was cancelled
    const ending = await telegram.waitFor(
      () =>
        telegram.messages(user.id, { after: preview.messageId }).find((m) =>
          m.media?.kind === "video" || CANCELLED.test(m.text ?? "")
        ),
      { timeoutMs: 120_000 },
    );
    counts.downloads++;
    return ending.messageId;
  };
  const downloader = async (id: number) => {
    const user = telegram.user(9000 + id, { languageCode: id % 2 ? "fr" : "en" });
    let before = 0;
    for (let round = 0; Date.now() < deadline; round++) {
      before = await download(user, round, before).catch((error) => {
        // the first one whole: the latest API calls say what the bot was doing
        if (counts.failures++ === 0) console.error(`soak: first failure: ${error?.stack ?? error}`);
        const reason = String(error?.message ?? error).split("\n")[0].slice(0, 120);
        failureReasons.set(reason, (failureReasons.get(reason) ?? 0) + 1);
        // a late answer of this round is not the next round's
        return telegram.messages(user.id, { after: before }).at(-1)?.messageId ?? before;
      });
    }
  };
  const chatter = async (id: number) => {
    const user = telegram.user(9500 + id, { languageCode: id % 2 ? "fr" : "en" });
    for (let i = 0; Date.now() < deadline; i++) {
      user.sendText(CHAT_COMMANDS[(id + i) % CHAT_COMMANDS.length]);
      counts.chats++;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  };

  try {
    await Promise.all([
      ...Array.from({ length: DOWNLOADERS }, (_, i) => downloader(i)),
      ...Array.from({ length: CHATTERS }, (_, i) => chatter(i)),
    ]);
    clearInterval(sampler);
    for (const name of crashed) console.error(`soak: ${name} ended during the soak`);
    for (const [reason, n] of failureReasons) console.error(`soak: ${n}× ${reason}`);
    // the queue drains, then nothing may be left behind
    await waitUntil(
      async () => {
        const health = await (await fetch(`${appUrl}/healthz`)).json();
        return health.jobs.ready + health.jobs.leased === 0;
      },
      "queue drained",
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const leftover = descendants(pids);
    const scratchFiles = workerDirs.reduce((n, dir) => n + filesUnder(dir), 0);

    // the first minute warms caches and JIT; compare the next third with the last third
    const settled = samples.filter((s) => s.at >= 60_000);
    const third = Math.max(1, Math.floor(settled.length / 3));
    const early = settled.slice(0, third);
    const late = settled.slice(-third);
    const growth = (pick: (s: typeof samples[number]) => number) => {
      const before = median(early.map(pick));
      const after = median(late.map(pick));
      return { before, after, ratio: after / before };
    };
    const appGrowth = growth((s) => s.app);
    const appStaying = growth((s) => s.app - s.young);
    const youngMax = Math.max(...samples.map((s) => s.young));
    const workerGrowth = growth((s) => Math.max(...s.workers));
    const flat = (g: { before: number; after: number }) =>
      g.after - g.before < Math.max(0.1 * g.before, 10 * MiB);
    const windows = `medians, minutes 1–${
      Math.round((60_000 + third * SAMPLE_EVERY_MS) / 60_000)
    } vs last ${Math.round(third * SAMPLE_EVERY_MS / 60_000)}`;
    return [
      {
        name:
          `Soak ${minutes} min: ${counts.downloads} downloads (${counts.cancelled} cancelled), ${counts.chats} chat messages, ${counts.failures} failed, ${crashed.length} processes crashed`,
        result: `app RSS without V8's young generation ${mib(appStaying.before)} → ${
          mib(appStaying.after)
        } (RSS ${mib(appGrowth.before)} → ${mib(appGrowth.after)}, young generation ${
          mib(youngMax)
        } at most), worker RSS ${mib(workerGrowth.before)} → ${
          mib(workerGrowth.after)
        } (${windows})`,
        target: "flat (< 10% or 10 MiB growth), no failures or crashes",
        met: flat(appStaying) && flat(workerGrowth) && counts.failures === 0 &&
          crashed.length === 0,
      },
      {
        name: "Soak: left behind once the queue drained",
        result: `${leftover.length} processes${
          leftover.length ? ` (${leftover.map((p) => p.name).join(", ")})` : ""
        }, ${scratchFiles} scratch files`,
        target: "0 and 0",
        met: leftover.length === 0 && scratchFiles === 0,
      },
    ];
  } finally {
    clearInterval(sampler);
    stopping = true;
    await Promise.all(workers.map((w) => w.stop()));
    appProcess.kill("SIGTERM");
    await appProcess.status;
    for (const dir of [appDir, ...workerDirs]) await Deno.remove(dir, { recursive: true });
  }
}
