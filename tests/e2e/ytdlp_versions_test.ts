/** Fleet workers tell the app which yt-dlp they run; the app shows it and warns admins of an old one. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { reply } from "../support/chat.ts";
import { serveApp, spawnWorker } from "../support/fleet.ts";
import { TEST_METRICS_TOKEN } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { ytdlpReleaseDate } from "../../media/ytdlp_version.ts";

const ADMIN = 7801;

interface Health {
  ytdlp: { versions: { version: string; ageDays?: number; workers: number }[]; stale: boolean };
}

async function realYtdlpVersion(): Promise<string> {
  const { stdout } = await new Deno.Command("yt-dlp", { args: ["--version"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

/** A yt-dlp that only tells its version: enough for a worker that runs no job. */
async function ytdlpOfVersion(dir: string, version: string): Promise<string> {
  const path = `${dir}/yt-dlp`;
  const script = `#!/bin/sh\n[ "$1" = --version ] && echo ${version} && exit 0\nexit 2\n`;
  await Deno.writeTextFile(path, script, { mode: 0o755 });
  return path;
}

Deno.test("[e2e/fleet] workers report their yt-dlp: /healthz and /metrics show it, /admin warns when one is over 60 days old", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir, {
    env: { METRICS_TOKEN: TEST_METRICS_TOKEN, ADMIN_IDS: String(ADMIN) },
  });
  const real = await realYtdlpVersion();
  const current = spawnWorker(app.url, telegram, "yv-current");
  const oldYtdlp = await ytdlpOfVersion(dataDir, "2025.01.01");
  let old: ReturnType<typeof spawnWorker> | undefined;
  try {
    const health = () =>
      waitUntil(async () => {
        const response = await fetch(`${app.url}/healthz`);
        return response.ok && await response.json() as Health;
      }, "/healthz");
    const withVersions = (count: number) =>
      waitUntil(async () => {
        const body = await health();
        return body.ytdlp.versions.length === count && body;
      }, `${count} yt-dlp versions on /healthz`);

    const first = await withVersions(1);
    assertEquals(first.ytdlp.versions[0].version, real);
    assertEquals(first.ytdlp.versions[0].workers, 1);
    const metrics = await (await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    })).text();
    assert(
      metrics.includes(`mediabot_ytdlp_info{version="${real}",worker="yv-current"} 1\n`),
      metrics,
    );
    const age = /^mediabot_ytdlp_age_seconds\{worker="yv-current"\} (\d+)$/m.exec(metrics);
    const released = ytdlpReleaseDate(real);
    assert(age && released !== undefined, metrics);
    const expected = (Date.now() - released) / 1000;
    assert(Math.abs(Number(age[1]) - expected) < 600, `age ${age[1]} s, expected ~${expected} s`);

    old = spawnWorker(app.url, telegram, "yv-old", { YTDLP_PATH: oldYtdlp });
    const both = await withVersions(2);
    assertEquals(both.ytdlp.versions[0].version, "2025.01.01", "the oldest first");
    assertEquals(both.ytdlp.stale, true);

    const admin = telegram.user(ADMIN, { languageCode: "en" });
    const dashboard = await reply(telegram, admin, "/admin", /yt-dlp/);
    const text = (dashboard.text ?? "").replace(/[\u2068\u2069]/g, "");
    assertMatch(text, /🧩 yt-dlp: 2025\.01\.01 \(1 worker\) · \S+ \(1 worker\)/);
    assert(text.includes(`· ${real} (1 worker)`), text);
    assertMatch(
      text,
      /⚠️ The oldest yt-dlp in the fleet, 2025\.01\.01, is \d+ days old \(over 60\)/,
    );
  } finally {
    await current.stop();
    await old?.stop();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
