/**
 * YTDLP_UPDATE: the pool updates yt-dlp at start and then daily (here every few hundred ms), only
 * while no job runs and no claim is out, and says its new version with its claims; a yt-dlp that
 * refuses (Debian's) is not asked again.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { waitUntil } from "../support/wait.ts";
import type { Claim } from "../../media/job_types.ts";
import type { JobTransport, WorkerStatus } from "../../media/job_protocol.ts";
import type { Logger } from "../../lib/logger.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { startWorkerPool } from "../../workers/pool.ts";

const REFUSAL =
  "ERROR: You installed yt-dlp with a package manager or setup.py; Use that to update";
const PROBE_JSON = {
  id: "clip",
  extractor: "generic",
  webpage_url: "https://media.example/clip",
  title: "Clip",
  formats: [{ format_id: "0", ext: "mp4", protocol: "https", url: "https://media.example/c.mp4" }],
};

/**
 * A yt-dlp that appends what happens to `events`: "version", "update <channel> start|end" (held
 * while `hold-update` exists), "job start|end" for any other run (held until `go` exists).
 */
async function scriptedYtdlp(dir: string, options: { refuse: boolean }) {
  await Deno.writeTextFile(`${dir}/version`, "2026.11.01\n");
  await Deno.writeTextFile(`${dir}/probe.json`, JSON.stringify(PROBE_JSON));
  const update = options.refuse ? [`echo '${REFUSAL}' >&2`, "exit 100"] : [
    `while [ -e '${dir}/hold-update' ]; do sleep 0.05; done`,
    `echo 2026.12.01 > '${dir}/version'`,
    `echo "update $2 end" >> '${dir}/events'`,
    "echo 'Updated yt-dlp to stable@2026.12.01 from yt-dlp/yt-dlp'",
  ];
  const script = [
    "#!/bin/sh",
    `case "$1 $2" in`,
    `"--version ") echo version >> '${dir}/events'; cat '${dir}/version' ;;`,
    `"--ignore-config --update-to")`,
    `  set -- "$2" "$3"`,
    `  echo "update $2 start" >> '${dir}/events'`,
    ...update.map((line) => `  ${line}`),
    "  ;;",
    "*)",
    `  echo "job start" >> '${dir}/events'`,
    `  while [ ! -e '${dir}/go' ]; do sleep 0.05; done`,
    `  echo "job end" >> '${dir}/events'`,
    `  cat '${dir}/probe.json' ;;`,
    "esac",
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/yt-dlp`, script, { mode: 0o755 });
  return {
    path: `${dir}/yt-dlp`,
    events: async () => {
      try {
        return (await Deno.readTextFile(`${dir}/events`)).trim().split("\n");
      } catch {
        return [];
      }
    },
  };
}

/** Hands out queued claims; counts claims out and jobs reported, and keeps each claim's status. */
class ScriptedTransport implements JobTransport {
  readonly queued: Claim[] = [];
  readonly statuses: (WorkerStatus | undefined)[] = [];
  readonly finished: string[] = [];
  claimsOut = 0;

  async claim(_workerId: string, signal: AbortSignal, status?: WorkerStatus) {
    this.statuses.push(status);
    this.claimsOut++;
    try {
      const claim = this.queued.shift();
      if (claim) return claim;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 50);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve(null)), {
          once: true,
        });
      });
      return null;
    } finally {
      this.claimsOut--;
    }
  }
  heartbeat() {
    return Promise.resolve({ ok: true, cancel: false });
  }
  cookies() {
    return Promise.resolve([]);
  }
  reportCookies() {
    return Promise.resolve();
  }
  complete(jobId: string) {
    this.finished.push(jobId);
    return Promise.resolve(true);
  }
  fail(jobId: string) {
    this.finished.push(jobId);
    return Promise.resolve();
  }
}

function probeClaim(id: string): Claim {
  const now = Date.now();
  return {
    job: {
      id,
      userId: 1,
      chatId: 1,
      payload: { kind: "probe", url: "https://media.example/clip", lang: "en" },
      state: "leased",
      priority: 1,
      dueAt: now,
      attempts: 1,
      maxAttempts: 3,
      createdAt: now,
      updatedAt: now,
    },
    leaseId: `lease-${id}`,
    leaseMs: 60_000,
  };
}

function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
  return { logger, count: (text: string) => lines.filter((l) => l.message.includes(text)).length };
}

async function startPool(ytdlpPath: string, dir: string, transport: JobTransport, logger: Logger) {
  return await startWorkerPool(2, {
    transport,
    api: createTelegramApi({ botToken: "1:x", telegramApiRoot: "http://127.0.0.1:9" }),
    config: {
      dataDir: dir,
      ytdlpPath,
      ytdlpUpdate: "stable",
      ffmpegPath: "ffmpeg",
      ffprobePath: "ffprobe",
      maxUploadBytes: 50 * 1024 * 1024,
    },
    logger,
    workerIdPrefix: "updating",
    ytdlpUpdateIntervalMs: 300,
  });
}

Deno.test("[workers/pool] YTDLP_UPDATE updates yt-dlp before the first claim and daily, never during a job or a claim", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ytdlp-update-" });
  const ytdlp = await scriptedYtdlp(dir, { refuse: false });
  const transport = new ScriptedTransport();
  const { logger, count } = recordingLogger();
  const pool = await startPool(ytdlp.path, dir, transport, logger);
  try {
    // at start: updated, then its version read, before anything is claimed
    await waitUntil(() => Promise.resolve(transport.statuses.length > 0), "a first claim");
    assertEquals((await ytdlp.events()).slice(0, 3), [
      "update stable start",
      "update stable end",
      "version",
    ]);
    assertEquals(transport.statuses[0], { worker: "updating", ytdlpVersion: "2026.12.01" });

    // a job runs; the next update comes due meanwhile and waits for it
    transport.queued.push(probeClaim("job-1"));
    await waitUntil(async () => (await ytdlp.events()).includes("job start"), "the job to start");
    const dueBefore = count("yt-dlp upkeep due");
    await waitUntil(
      () => Promise.resolve(count("yt-dlp upkeep due") > dueBefore),
      "an update to come due",
    );
    await Deno.writeTextFile(`${dir}/hold-update`, "");
    await Deno.writeTextFile(`${dir}/go`, "");
    await waitUntil(
      async () => (await ytdlp.events()).filter((e) => e === "update stable start").length === 2,
      "the second update",
    );
    const events = await ytdlp.events();
    assert(
      events.indexOf("job end") < events.lastIndexOf("update stable start"),
      `the update came after the job: ${events}`,
    );
    assertEquals(transport.finished, ["job-1"], "the job was over and reported");
    assertEquals(transport.claimsOut, 0, "and no claim was out while yt-dlp updated");
    const claimsDuringUpdate = transport.statuses.length;
    await Deno.remove(`${dir}/hold-update`);
    await waitUntil(
      () => Promise.resolve(transport.statuses.length > claimsDuringUpdate),
      "claims again after the update",
    );
    assertEquals(transport.statuses.at(-1)?.ytdlpVersion, "2026.12.01");
  } finally {
    await pool.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[workers/pool] a yt-dlp that cannot update itself (Debian's) is asked once, and the worker carries on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ytdlp-update-" });
  const ytdlp = await scriptedYtdlp(dir, { refuse: true });
  const transport = new ScriptedTransport();
  const { logger, count } = recordingLogger();
  const pool = await startPool(ytdlp.path, dir, transport, logger);
  try {
    await waitUntil(
      async () => (await ytdlp.events()).filter((e) => e === "version").length >= 3,
      "two daily refreshes after the start",
    );
    const events = await ytdlp.events();
    assertEquals(events.filter((e) => e.startsWith("update")), ["update stable start"]);
    assertEquals(count("cannot update itself"), 1, "said once");
    assert(transport.statuses.length > 0, "claims go on");
    assertEquals(transport.statuses.at(-1)?.ytdlpVersion, "2026.11.01");
  } finally {
    await pool.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
