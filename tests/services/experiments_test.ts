import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import {
  createExperiment,
  ExperimentError,
  getVariantCounts,
  recordConversion,
  recordExposure,
  setExperimentWeights,
  stopExperiment,
} from "../../kv/experiments.ts";
import {
  assignVariant,
  experimentResults,
  exposeVariant,
  trackConversions,
  twoProportionZTest,
} from "../../services/experiments.ts";
import { EventBus } from "../../services/events.ts";
import { createLogger } from "../../lib/logger.ts";

async function refused(fn: () => Promise<unknown>) {
  assert((await assertRejects(fn)) instanceof ExperimentError, "an ExperimentError");
}

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert(
    Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );

Deno.test("[services/experiments] z-test matches known numbers", () => {
  // 10 % vs 13 % on 1000 users each: z = 2.1027, p = 0.0355 (pooled, two-sided)
  const a = twoProportionZTest({ converted: 100, exposed: 1000 }, {
    converted: 130,
    exposed: 1000,
  });
  close(a.z, 2.102741, 1e-6, "z");
  close(a.pValue, 0.035488, 1e-6, "p");
  const b = twoProportionZTest({ converted: 10, exposed: 100 }, { converted: 25, exposed: 100 });
  close(b.z, 2.791453, 1e-6, "z");
  close(b.pValue, 0.005247, 1e-6, "p");
  const worse = twoProportionZTest({ converted: 130, exposed: 1000 }, {
    converted: 100,
    exposed: 1000,
  });
  close(worse.z, -2.102741, 1e-6, "a worse variant has a negative z");
  close(worse.pValue, 0.035488, 1e-6, "and the same two-sided p");
  assertEquals(
    twoProportionZTest({ converted: 200, exposed: 2000 }, { converted: 200, exposed: 2000 }),
    {
      z: 0,
      pValue: 1,
    },
  );
  assertEquals(
    twoProportionZTest({ converted: 0, exposed: 0 }, { converted: 5, exposed: 10 }).pValue,
    1,
  );
});

Deno.test("[services/experiments] assignment is stable per user and follows the weights", () => {
  const experiment = {
    id: "preview_buttons",
    variants: [{ name: "a", weight: 1 }, { name: "b", weight: 3 }],
  };
  const first = Array.from({ length: 10_000 }, (_, i) => assignVariant(experiment, 1_000 + i));
  // asked again in the opposite order: no state, no drift
  const again = Array.from({ length: 10_000 }, (_, i) => assignVariant(experiment, 10_999 - i));
  assertEquals(again.reverse(), first, "the same users get the same variants on every call");
  close(first.filter((v) => v === "b").length / first.length, 0.75, 0.02, "share of b");
  const other = { ...experiment, id: "other_test" };
  const moved = first.filter((v, i) => assignVariant(other, 1_000 + i) !== v).length;
  assert(moved > 2_000, "another experiment splits users independently");
  assertEquals(
    assignVariant({ id: "x", variants: [{ name: "a", weight: 0 }, { name: "b", weight: 1 }] }, 5),
    "b",
  );
});

Deno.test("[kv/experiments] exposure is logged once, kept across weight changes, and conversions follow it", async () => {
  using kv = await Deno.openKv(":memory:");
  await createExperiment(kv, "preview_buttons", [{ name: "best_first", weight: 1 }, {
    name: "smallest_first",
    weight: 1,
  }]);
  await refused(() =>
    createExperiment(kv, "preview_buttons", [{ name: "a", weight: 1 }, { name: "b", weight: 1 }])
  );
  await refused(() =>
    createExperiment(kv, "bad id", [{ name: "a", weight: 1 }, { name: "b", weight: 1 }])
  );
  await refused(() => createExperiment(kv, "one", [{ name: "a", weight: 1 }]));

  // the same user's first views race: one exposure is counted
  const seen = await Promise.all(
    Array.from({ length: 20 }, () => exposeVariant(kv, "preview_buttons", 42)),
  );
  assertEquals(new Set(seen).size, 1);
  const counts = await getVariantCounts(
    kv,
    (await kv.get<never>(["experiments", "preview_buttons"])).value!,
  );
  assertEquals(counts.reduce((sum, c) => sum + c.exposed, 0), 1);

  // all new users now go to the other variant; user 42 keeps the one they saw
  const other = seen[0] === "best_first" ? "smallest_first" : "best_first";
  await setExperimentWeights(kv, "preview_buttons", { [seen[0]!]: 0, [other]: 1 });
  assertEquals(await exposeVariant(kv, "preview_buttons", 42), seen[0]);
  assertEquals(await exposeVariant(kv, "preview_buttons", 43), other);
  await refused(() => setExperimentWeights(kv, "preview_buttons", { a: 1, b: 1 }));

  assertEquals(
    await recordConversion(kv, "preview_buttons", 99),
    false,
    "never exposed: no conversion",
  );
  assertEquals(await recordConversion(kv, "preview_buttons", 42), true);
  assertEquals(await recordConversion(kv, "preview_buttons", 42), false, "once per user");
  assertEquals(
    await recordExposure(kv, "preview_buttons", 42, other),
    seen[0],
    "an exposure is never replaced",
  );

  await stopExperiment(kv, "preview_buttons");
  assertEquals(
    await exposeVariant(kv, "preview_buttons", 44),
    undefined,
    "a stopped test shows the default",
  );
  const results = await experimentResults(
    kv,
    (await kv.get<never>(["experiments", "preview_buttons"])).value!,
  );
  const byName = Object.fromEntries(results.variants.map((v) => [v.name, v]));
  assertEquals(byName[seen[0]!].exposed + byName[other].exposed, 2);
  assertEquals(byName[seen[0]!].converted, 1);
});

Deno.test("[services/experiments] a download asked from a preview converts the exposed user", async () => {
  using kv = await Deno.openKv(":memory:");
  const events = new EventBus(createLogger("error"));
  trackConversions(events, kv);
  await createExperiment(kv, "preview_buttons", [{ name: "best_first", weight: 1 }, {
    name: "smallest_first",
    weight: 1,
  }]);
  for (let userId = 1; userId <= 40; userId++) await exposeVariant(kv, "preview_buttons", userId);
  for (let userId = 1; userId <= 40; userId += 2) {
    const request = {
      type: "download_requested",
      userId,
      extractor: "html5",
      variant: "720",
    } as const;
    events.emit({ ...request, key: `a${userId}` });
    events.emit({ ...request, key: `b${userId}` });
    events.emit({ ...request, key: `c${userId}`, source: "history" });
  }
  events.emit({
    type: "download_requested",
    userId: 500,
    key: "x",
    extractor: "html5",
    variant: "720",
  });
  await events.settled();
  const results = await experimentResults(
    kv,
    (await kv.get<never>(["experiments", "preview_buttons"])).value!,
  );
  assertEquals(results.variants.reduce((sum, v) => sum + v.exposed, 0), 40);
  assertEquals(
    results.variants.reduce((sum, v) => sum + v.converted, 0),
    20,
    "one per converting user",
  );
  const [control, treatment] = results.variants;
  assertEquals(control.uplift, undefined);
  assertEquals(treatment.uplift, control.rate > 0 ? treatment.rate / control.rate - 1 : undefined);
  assertEquals(treatment.pValue, twoProportionZTest(control, treatment).pValue);
});
