/** What a preview advises one user: the recommended quality for their limits, prefs and habits. */
import type { Config } from "../config.ts";
import { getChoiceHistory } from "../kv/choices.ts";
import { QuotaStore } from "../kv/quota.ts";
import { DEFAULT_PREFERENCES, type UserStore } from "../kv/users.ts";
import { mediaOffers, recommendVariant } from "../media/quality.ts";
import { DEFAULT_AUDIO_FORMAT, type ProbeInfo } from "../media/media_types.ts";
import { quotaLimit, timezoneOf } from "./account.ts";
import type { PreviewAdvice } from "../views/media.ts";

export interface AdviceDeps {
  kv: Deno.Kv;
  config: Config;
  users: UserStore;
}

/** Four KV reads (profile, quota, two choice counters); no write. */
export async function loadPreviewAdvice(
  { kv, config, users }: AdviceDeps,
  userId: number,
  info: ProbeInfo,
): Promise<PreviewAdvice> {
  const user = await users.getFresh(userId) ?? undefined;
  const [usage, history] = await Promise.all([
    new QuotaStore(kv).usage(userId, timezoneOf(config, user), quotaLimit(config, user)),
    getChoiceHistory(kv, userId, info.extractor, info.duration),
  ]);
  const limits = { maxUploadBytes: config.maxUploadBytes, quotaLeftBytes: usage.leftBytes };
  return {
    recommendation: recommendVariant({
      info,
      limits,
      prefs: user?.prefs ?? DEFAULT_PREFERENCES,
      history,
    }),
    offers: mediaOffers(info, config.maxUploadBytes),
    audioFormat: user?.prefs.audioFormat ?? DEFAULT_AUDIO_FORMAT,
  };
}
