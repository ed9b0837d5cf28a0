import { assert, assertEquals } from "../support/assert.ts";
import { boundedKeyPart, KEY_PART_MAX_BYTES } from "../../lib/kv_key.ts";
import { getLabelCounts, lastDays, recordEvents } from "../../kv/analytics.ts";
import { getChoiceHistory, recordChoice } from "../../kv/choices.ts";
import { getReceipt } from "../../kv/payments.ts";
import { awardXp, getXp, translationLanguageKey } from "../../kv/xp.ts";
import {
  indexDownload,
  listCreatorMedia,
  listLabelMedia,
  mediaKeyOf,
  normalizeLabel,
} from "../../kv/recommendation_index.ts";
import type { HistoryEntry } from "../../kv/history.ts";

Deno.test("[lib/kv_key] short strings stay as they are; long ones become a hash that nothing kept can equal", () => {
  assertEquals(boundedKeyPart("youtube"), "youtube");
  assertEquals(boundedKeyPart(""), "");
  const fits = "é".repeat(KEY_PART_MAX_BYTES / 2);
  assertEquals(boundedKeyPart(fits), fits, "measured in UTF-8 bytes");
  const long = "a".repeat(2_000);
  const hashed = boundedKeyPart(long);
  assert(hashed.startsWith("#sha256:") && hashed.length === 8 + 64, hashed);
  assertEquals(boundedKeyPart(long), hashed, "the same string, the same key");
  assert(boundedKeyPart(`${long}b`) !== hashed, "different strings, different keys");
  assert(boundedKeyPart("é".repeat(KEY_PART_MAX_BYTES / 2 + 1)).startsWith("#sha256:"));
  // a short string made to look like a hash is hashed too, so it cannot take a long one's key
  assert(boundedKeyPart(hashed) !== hashed);
});

Deno.test("[lib/kv_key] 5,000-character strings from outside go through every key builder fed by them", async () => {
  using kv = await Deno.openKv(":memory:");
  const huge = (c: string) => c.repeat(5_000);
  const at = Date.UTC(2026, 10, 24, 12);

  // analytics labels: two long sites stay two, where cutting them would have merged them
  await recordEvents(
    kv,
    [huge("x"), `${huge("x")}y`].map((site, userId) => ({
      name: "download_delivered",
      userId,
      at,
      labels: { site },
      amounts: {},
    })),
  );
  const sites = await getLabelCounts(kv, lastDays(1, at), "download_delivered", "site");
  assertEquals(sites.map(([, count]) => count), [1, 1]);

  await recordChoice(kv, { userId: 1, extractor: huge("e"), variant: "720" });
  const choices = await getChoiceHistory(kv, 1, huge("e"), 60);
  assertEquals(choices.site, { "720": 1 });

  assertEquals(await getReceipt(kv, huge("c")), null, "an admin's pasted garbage: no payment");

  const award = { action: `share:${huge("k")}`, xp: 5, at };
  assert(await awardXp(kv, 1, () => Promise.resolve(award)), "paid once");
  assertEquals(await awardXp(kv, 1, () => Promise.resolve(award)), null, "and only once");
  assertEquals((await getXp(kv, 1))?.xp, 5);
  await kv.set(translationLanguageKey(1, huge("l")), at);

  const entry: HistoryEntry = {
    id: "01J0000000000000000000000A",
    userId: 1,
    title: "t",
    url: "https://example.com/v",
    kind: "video",
    variant: "720",
    size: 1,
    extractor: "example",
    mediaId: "v",
    fromCache: false,
    at,
    uploader: huge("中"),
    tags: [huge("中")],
  };
  await indexDownload(kv, entry);
  const creator = normalizeLabel(huge("中"));
  const key = await mediaKeyOf(entry);
  assertEquals(await listCreatorMedia(kv, creator, 10), [key]);
  assertEquals(await listLabelMedia(kv, `tag:${creator}`, 10), [key]);
});
