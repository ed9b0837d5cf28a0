/** Boots the whole app in-process against the fake Bot API, as `deno task start` would. */
import { loadConfig } from "../../config.ts";
import { createSystem, type System } from "../../app.ts";
import { createLogger, type Logger } from "../../lib/logger.ts";
import { FakeTelegram } from "./fake_telegram.ts";
import type { ThrottleLimits } from "../../lib/throttle.ts";
import type { AddressPolicy } from "../../lib/url_guard.ts";

/** The bearer token test systems expect on /metrics (startTestSystem sets METRICS_TOKEN). */
export const TEST_METRICS_TOKEN = "test-metrics-token-0123456789";

export interface TestSystem {
  telegram: FakeTelegram;
  system: System;
  dataDir: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startTestSystem(
  env: Record<string, string> = {},
  options: {
    telegram?: FakeTelegram;
    leaseMs?: number;
    reportRetryBaseMs?: number;
    throttle?: ThrottleLimits;
    /** where the workers' egress guard connects (by default ALLOW_PRIVATE_URLS decides) */
    egressPolicy?: AddressPolicy;
    /** the KV the system uses (by default its own, in memory); the caller closes it */
    kv?: Deno.Kv;
    /** by default errors only, to the console */
    logger?: Logger;
  } = {},
): Promise<TestSystem> {
  const telegram = options.telegram ?? await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-test-" });
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "2",
    ALLOW_PRIVATE_URLS: "true",
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...env,
  });
  const system = await createSystem(config, {
    logger: options.logger ?? createLogger("error"),
    sweepIntervalMs: 200,
    leaseMs: options.leaseMs,
    reportRetryBaseMs: options.reportRetryBaseMs,
    throttle: options.throttle,
    egressPolicy: options.egressPolicy,
    kv: options.kv,
  });
  await system.start();
  const close = async () => {
    await system.stop();
    if (!options.telegram) await telegram.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  return { telegram, system, dataDir, close, [Symbol.asyncDispose]: close };
}

/** The app's /metrics text, read as a scraper with the test bearer token does. */
export async function readMetrics(system: System): Promise<string> {
  const response = await system.app.request("/metrics", {
    headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
  });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return await response.text();
}

/**
 * Width, height, duration and streams of a delivered file, read by the real ffprobe. An audio
 * file's cover art (a one-frame stream marked attached_pic) is not video.
 */
export async function probeFile(path: string): Promise<
  { width?: number; height?: number; duration: number; video: boolean; audio: boolean }
> {
  const { stdout, success } = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", "--", path],
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`ffprobe could not read ${path}`);
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    streams: {
      codec_type: string;
      width?: number;
      height?: number;
      disposition?: { attached_pic?: number };
    }[];
    format: { duration: string };
  };
  const video = info.streams.find((s) =>
    s.codec_type === "video" && s.disposition?.attached_pic !== 1
  );
  return {
    width: video?.width,
    height: video?.height,
    duration: Number(info.format.duration),
    video: Boolean(video),
    audio: info.streams.some((s) => s.codec_type === "audio"),
  };
}

/**
 * A fixed-offset zone where it is now about noon, for tests whose outcome the local hour would
 * change (the night owl's achievement is earned between midnight and 5 am).
 */
export function middayTimezone(now = new Date()): string {
  const offset = 12 - now.getUTCHours();
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}
