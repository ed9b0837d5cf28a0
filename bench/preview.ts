/**
 * Preview latency when the probe is cached: link sent → preview shown (L1 hit, recommendation,
 * preview stored, sendPhoto through the fake Bot API), and the recommendation and rendering alone.
 */
import { startMediaLab } from "../tests/support/media_lab.ts";
import { startTestSystem } from "../tests/support/system.ts";
import { waitForPreview } from "../tests/support/chat.ts";
import { loadPreviewAdvice } from "../services/preview_advice.ts";
import { renderPreview } from "../views/media.ts";
import { ms, summarize } from "./stats.ts";

export async function benchPreview(samples = 50) {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const first = telegram.user(1, { languageCode: "en" });
  first.sendText(lab.urls.page);
  await waitForPreview(telegram, first.id);

  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    // a new user each time: the per-chat throttle would otherwise be what we measure
    const user = telegram.user(2000 + i, { languageCode: "en" });
    const sentAt = performance.now();
    user.sendText(lab.urls.page);
    await waitForPreview(telegram, user.id);
    times.push(performance.now() - sentAt);
  }
  const info = (await system.media.getProbe(lab.urls.page))!;
  const t = (key: string) => key;
  const renderTimes: number[] = [];
  for (let i = 0; i < 500; i++) {
    const at = performance.now();
    const advice = await loadPreviewAdvice(system, 2000 + (i % samples), info);
    renderPreview(t, "en", info, "01J00000000000000000000000", { advice });
    renderTimes.push(performance.now() - at);
  }
  const e2e = summarize(times);
  const render = summarize(renderTimes);
  return [
    {
      name: `Preview of a cached probe: link → preview shown (${samples} users)`,
      result: `p50 ${ms(e2e.p50)}, p99 ${ms(e2e.p99)}`,
      target: "p50 < 50 ms",
      met: e2e.p50 < 50,
    },
    {
      name: "Recommendation + preview rendering (4 KV reads, 500 runs)",
      result: `p50 ${ms(render.p50)}, p99 ${ms(render.p99)}`,
      target: "p50 < 5 ms",
      met: render.p50 < 5,
    },
  ];
}
