/**
 * The app as `deno task start` runs it (main.ts in its own process), stopped by signals as a
 * supervisor stops it: SIGTERM, and again (SIGTERM, SIGINT) while it is still stopping.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForPreview } from "../support/chat.ts";
import { waitUntil } from "../support/wait.ts";
import { TEST_METRICS_TOKEN } from "../support/system.ts";
import { DatabaseSync } from "node:sqlite";
import { JobQueue } from "../../kv/jobs.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Everything a stream says, kept as it comes. */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (text += chunk) }),
  );
  return { text: () => text, done };
}

/** main.ts in its own process on loopback, as `deno task start` runs it, its output collected. */
function spawnApp(env: Record<string, string>) {
  const app = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("../../main.ts", import.meta.url).pathname],
    env: { LISTEN_HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = collect(app.stdout);
  const stderr = collect(app.stderr);
  const logged = (message: string) => stdout.text().includes(`"message":"${message}"`);
  return { app, stdout, stderr, logged };
}

Deno.test("[e2e/shutdown] SIGTERM during a download, then more signals while stopping: the app ends cleanly with status 0 and loses nothing", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-shutdown-" });
  const port = freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const { app, stdout, stderr, logged } = spawnApp({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATA_DIR: dataDir,
    PORT: String(port),
    WORKERS: "2",
    ALLOW_PRIVATE_URLS: "true",
    METRICS_TOKEN: TEST_METRICS_TOKEN,
  });
  try {
    await waitUntil(() => Promise.resolve(logged("started")), "the app started");
    const metrics = await fetch(`${appUrl}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    assertEquals(metrics.status, 200, "the app's own process reads METRICS_TOKEN");
    await metrics.body?.cancel();

    const user = telegram.user(7301, { languageCode: "en" });
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    lab.setThrottle(100_000);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    await telegram.waitFor(() =>
      telegram.messages(user.id).find((m) => /Downloading/.test(m.text ?? ""))
    );

    // requests keep coming while the app stops; none may meet a closed database
    const statuses: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const answer = await fetch(`${appUrl}/healthz`).catch(() => undefined);
        if (!answer) break;
        statuses.push(answer.status);
        await answer.body?.cancel();
      }
    })();
    app.kill("SIGTERM");
    await waitUntil(() => Promise.resolve(logged("stopping")), "the app began to stop");
    // a supervisor that signals the whole process group, or an impatient operator
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      try {
        app.kill(signal);
      } catch {
        // it has already ended: its status tells how
      }
    }
    const status = await app.status;
    polling = false;
    await poller;
    await Promise.all([stdout.done, stderr.done]);

    const errors = stderr.text();
    assertEquals(status.code, 0, errors);
    assert(!/Uncaught|BadResource/.test(errors), errors);
    assert(!/"level":"error"/.test(errors), errors);
    assert(logged("stopped"), "the app said it stopped");
    assertEquals(statuses.filter((s) => s >= 500), [], "no request met a closed database");
    const left = await new Deno.Command("pgrep", { args: ["-f", lab.baseUrl], stdout: "piped" })
      .output();
    assertEquals(new TextDecoder().decode(left.stdout).trim(), "", "no yt-dlp left running");

    // nothing lost: the download was either delivered or handed back to the queue
    const kv = await Deno.openKv(`${dataDir}/bot.kv`);
    try {
      const counts = await new JobQueue(kv).countByState();
      assertEquals(counts.leased, 0, "no job left leased to a process that is gone");
      assertEquals(
        counts.ready + counts.done,
        2,
        `the probe and the download: ${JSON.stringify(counts)}`,
      );
    } finally {
      kv.close();
    }
  } finally {
    try {
      app.kill("SIGKILL");
    } catch {
      // ended
    }
    await app.status;
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** Whether a process has a handler for SIGTERM (bit 15 of /proc's SigCgt mask). */
function catchesSigterm(pid: number): boolean {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const caught = BigInt(`0x${status.match(/SigCgt:\s+([0-9a-f]+)/)?.[1] ?? "0"}`);
  return (caught & (1n << 14n)) !== 0n;
}

Deno.test("[e2e/shutdown] SIGTERM while the app is still opening KV: it waits for it, then stops cleanly with status 0", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-early-stop-" });
  const kvPath = `${dataDir}/bot.kv`;
  (await Deno.openKv(kvPath)).close();
  // another process holding the database locked keeps the app's start-up in Deno.openKv
  const lock = new DatabaseSync(kvPath);
  lock.exec("PRAGMA locking_mode=EXCLUSIVE");
  lock.exec("BEGIN EXCLUSIVE");
  lock.exec("CREATE TABLE IF NOT EXISTS start_up_held (x)");
  const { app, stdout, stderr, logged } = spawnApp({
    BOT_TOKEN: "123:early-stop",
    TELEGRAM_API_ROOT: "http://127.0.0.1:9",
    DATA_DIR: dataDir,
    PORT: String(freePort()),
    WORKERS: "1",
  });
  try {
    await waitUntil(
      () => Promise.resolve(catchesSigterm(app.pid)),
      "the app listens for SIGTERM while its start-up waits for KV",
    ).catch((error) => {
      throw new Error(`${error.message}; the app said: ${stdout.text()} ${stderr.text()}`);
    });
    app.kill("SIGTERM");
    lock.exec("COMMIT");
    lock.close();
    const status = await app.status;
    await Promise.all([stdout.done, stderr.done]);
    const errors = stderr.text();
    assertEquals(status.signal, null, `ended by its own shutdown, not by the signal: ${errors}`);
    assertEquals(status.code, 0, errors);
    assert(logged("stopped"), "the app said it stopped");
    assert(!logged("started"), "nothing started after the stop");
  } finally {
    if (lock.isOpen) lock.close();
    try {
      app.kill("SIGKILL");
    } catch {
      // ended
    }
    await app.status;
    await Deno.remove(dataDir, { recursive: true });
  }
});
