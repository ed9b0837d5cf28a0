/**
 * /batch of 12 media-lab links, end to end (probe, download, upload), with 1 worker and with 4.
 * Each download is throttled like a remote site would be, so the run is bound by the network
 * rather than by these 2 cores; the speed-up shows how well the batch keeps workers busy.
 */
import { startMediaLab } from "../tests/support/media_lab.ts";
import { startTestSystem } from "../tests/support/system.ts";
import { UserStore } from "../kv/users.ts";
import { BATCH_LIMITS } from "../services/batch_downloads.ts";

/**
 * per download, like a slow remote site: each item then waits ~13 s on the network against ~5 s
 * of CPU (yt-dlp twice, ffprobe, a thumbnail), which 4 workers on 2 cores can overlap
 */
const THROTTLE_BYTES_PER_SECOND = 20_000;

export async function benchBatch(links = 12) {
  await using lab = await startMediaLab();
  // different media (a cached file would be sent at once): 1080p clips of 0.20 to 0.31 MiB
  const urls: string[] = [];
  for (let i = 0; i < links; i++) {
    urls.push(await lab.bigClip(Math.round((0.2 + i * 0.01) * 100) / 100));
  }
  lab.setThrottle(THROTTLE_BYTES_PER_SECOND);

  const run = async (workers: number) => {
    await using bed = await startTestSystem({ WORKERS: String(workers) });
    const { telegram, system } = bed;
    const user = telegram.user(77, { languageCode: "en" });
    // premium: its batches run BATCH_LIMITS.premium.parallel links at once
    await new UserStore(system.kv).update(user.id, () => ({
      id: user.id,
      firstName: "Bench",
      languageCode: "en",
      role: "user",
      blocked: false,
      premiumUntil: Date.now() + 86_400_000,
      prefs: {
        defaultQuality: "ask",
        preferAudio: false,
        sendAs: "video",
        dataSaver: false,
        notifications: true,
      },
      createdAt: Date.now(),
    }));
    const started = performance.now();
    user.sendText(`/batch ${urls.join(" ")}`);
    const summary = await telegram.waitFor(
      () => telegram.messages(user.id).find((m) => /— finished/.test(m.text ?? "")),
      { timeoutMs: 600_000 },
    );
    const elapsed = performance.now() - started;
    const delivered = telegram.messages(user.id).filter((m) => m.media?.kind === "video").length;
    if (!summary.text?.includes(`✅ ${links} `) || delivered !== links) {
      throw new Error(`batch bench: ${delivered} of ${links} delivered: ${summary.text}`);
    }
    return elapsed;
  };

  const one = await run(1);
  const four = await run(BATCH_LIMITS.premium.parallel);
  const speedUp = one / four;
  const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
  return {
    name: `Batch of ${links} media-lab links (${
      THROTTLE_BYTES_PER_SECOND / 1000
    } kB/s per download): 1 worker vs 4`,
    result: `1 worker ${seconds(one)}, 4 workers ${seconds(four)}: ${speedUp.toFixed(2)}×`,
    target: "≥ 3×",
    met: speedUp >= 3,
  };
}
