/** Batches: each entry counted once, whatever retries or races, and one message that says so. */
import { assert, assertEquals } from "../support/assert.ts";
import { createBatch, finishedCount, getBatch, recordBatchOutcome } from "../../kv/batches.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { renderBatchProgress } from "../../services/batches.ts";

Deno.test("[kv/batches] concurrent and repeated outcomes are each counted once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const batch = await createBatch(kv, {
      userId: 1,
      chatId: 1,
      lang: "en",
      title: "Mix",
      total: 40,
      statusMessageId: 7,
    });
    const outcomes = Array.from({ length: 40 }, (_, i) => i % 10 === 0 ? "failed" : "done");
    // every entry reported twice at the same time, as a retried report would
    const first = await Promise.all([
      ...outcomes.map((outcome, i) =>
        recordBatchOutcome(kv, batch.id, `job-${i}`, {
          outcome: outcome as "done" | "failed",
          title: `Clip ${i}`,
        })
      ),
      ...outcomes.map((outcome, i) =>
        recordBatchOutcome(kv, batch.id, `job-${i}`, {
          outcome: outcome as "done" | "failed",
          title: `Clip ${i}`,
        })
      ),
    ]);
    assertEquals(first.filter(Boolean).length, 40, "one of each pair counted");
    const counted = (await getBatch(kv, batch.id))!;
    assertEquals([counted.done, counted.failed, counted.cancelled], [36, 4, 0]);
    assertEquals(finishedCount(counted), counted.total);
  } finally {
    kv.close();
  }
});

Deno.test("[services/batches] the progress message reads i/N with ✅ and ❌, titles escaped", async () => {
  const t = translatorFor(await createI18n(), "en");
  const running = renderBatchProgress(t, {
    title: "Road <trip>",
    total: 4,
    done: 1,
    failed: 1,
    cancelled: 0,
  });
  assert(running.startsWith("⬇️ <b>Road &lt;trip&gt;</b>"), running);
  assert(running.includes("2/4 · ✅ 1 · ❌ 1"), running);
  const finished = renderBatchProgress(
    t,
    { title: "Road <trip>", total: 2, done: 1, failed: 1, cancelled: 0 },
    [{ outcome: "failed", title: "Bad <clip>" }],
  );
  assert(finished.includes("finished") && finished.includes("2/2 · ✅ 1 · ❌ 1"), finished);
  assert(finished.includes("❌ Bad &lt;clip&gt;"), finished);
});
