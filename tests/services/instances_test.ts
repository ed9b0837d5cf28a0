/**
 * Two app instances over one KV, as on Deno Deploy, with what each keeps of its own: status
 * messages edited from heartbeats that reach either one, a batch's message edited by both, and
 * a user's batch pumped by both.
 */
import type { Transformer } from "grammy";
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { loadConfig } from "../../config.ts";
import { createSystem, type System } from "../../app.ts";
import { createLogger } from "../../lib/logger.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { BatchReporter } from "../../services/batches.ts";
import { createI18n } from "../../i18n/translations.ts";
import { PROGRESS_EDIT_INTERVAL_MS } from "../../services/job_service.ts";
import { addWaitingItems, listRunningItems, newBatchItems } from "../../kv/batch_items.ts";
import { BATCH_LIMITS } from "../../services/batch_downloads.ts";

const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 1_000,
  privatePerSecond: 1_000,
  groupBurst: 3,
  groupPerSecond: 1,
};

async function twoInstances(telegram: FakeTelegram, kv: Deno.Kv, dataDir: string) {
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    KV_PATH: ":memory:",
    DATA_DIR: dataDir,
    WORKERS: "0",
  });
  const logger = createLogger("error");
  return [
    await createSystem(config, { kv, logger, throttle: FAST }),
    await createSystem(config, { kv, logger, throttle: FAST }),
  ] as const;
}

async function withTwoInstances(
  test: (telegram: FakeTelegram, kv: Deno.Kv, instances: readonly System[]) => Promise<void>,
) {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-instances-" });
  const instances = await twoInstances(telegram, kv, dataDir);
  try {
    await test(telegram, kv, instances);
  } finally {
    for (const system of instances) await system.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("[services/instances] heartbeats reaching either instance edit the status message at one pace", async () => {
  await withTwoInstances(async (telegram, _kv, instances) => {
    const user = telegram.user(9_501, { languageCode: "en" });
    const api = createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot });
    const status = await api.sendMessage(user.id, "Queued");
    const [a] = instances;
    const job = await a.queue.enqueue({
      userId: user.id,
      chatId: user.id,
      payload: {
        kind: "download",
        url: "https://example.com/watch/1",
        variant: "360",
        info: {
          id: "clip-1",
          extractor: "example",
          webpageUrl: "https://example.com/watch/1",
          title: "Clip",
          isLive: false,
          formats: [],
        },
        lang: "en",
        uploadChatId: user.id,
        caption: "Clip",
        title: "Clip",
        statusMessageId: status.message_id,
      },
    });
    const claim = await a.queue.claim("worker");
    assertEquals(claim?.job.id, job.id);
    const startedAt = Date.now();
    for (let beat = 0; beat < 6; beat++) {
      const instance = instances[beat % 2];
      const progress = { phase: "downloading" as const, percent: 10 + beat * 10 };
      assert((await instance.jobs.heartbeat(job.id, claim!.leaseId, progress)).ok);
    }
    const elapsed = Date.now() - startedAt;
    const edits = telegram.callsTo("editMessageText").filter((call) =>
      Number(call.params.message_id) === status.message_id
    );
    // each instance pacing on its own would edit at its first heartbeat: two at once
    assert(edits.length >= 1, "progress is shown");
    assert(
      edits.length <= 1 + Math.floor(elapsed / PROGRESS_EDIT_INTERVAL_MS),
      `${edits.length} edits in ${elapsed} ms`,
    );

    await instances[1].jobs.complete(job.id, claim!.leaseId, {
      kind: "download",
      file: {
        fileId: "x",
        fileUniqueId: "x",
        kind: "video",
        size: 1,
        chatId: user.id,
        messageId: 999,
      },
    });
    await Promise.all(instances.map((system) => system.jobs.settled()));
    // the outcome deleted the status message; a late heartbeat edits nothing
    assert(telegram.messages(user.id).find((m) => m.messageId === status.message_id)?.deleted);
  });
});

Deno.test("[services/instances] a batch's summary is never overwritten by an older count another instance was showing", async () => {
  await withTwoInstances(async (telegram, kv) => {
    const user = telegram.user(9_502, { languageCode: "en" });
    const i18n = await createI18n();
    const logger = createLogger("error");
    // instance A's edits are held until the test lets them go, as a slow connection would
    const reached = Promise.withResolvers<void>();
    const held = Promise.withResolvers<void>();
    const slowEdits: Transformer = async (prev, method, payload, signal) => {
      if (method === "editMessageText") {
        reached.resolve();
        await held.promise;
      }
      return prev(method, payload, signal);
    };
    const slowApi = createTelegramApi({
      botToken: telegram.token,
      telegramApiRoot: telegram.apiRoot,
    });
    slowApi.config.use(slowEdits);
    const fastApi = createTelegramApi({
      botToken: telegram.token,
      telegramApiRoot: telegram.apiRoot,
    });
    const a = new BatchReporter({ api: slowApi, kv, i18n, logger });
    const b = new BatchReporter({ api: fastApi, kv, i18n, logger });
    const batch = await b.start({
      userId: user.id,
      chatId: user.id,
      lang: "en",
      title: "Two",
      total: 2,
    });

    const first = a.record(batch.id, "one", { outcome: "done", title: "One" });
    // A shows 1/2, but its edit is on its way; meanwhile B counts the last entry
    await reached.promise;
    await b.record(batch.id, "two", { outcome: "done", title: "Two" });
    held.resolve();
    await first;

    const message = telegram.messages(user.id).find((m) => m.messageId === batch.statusMessageId)!;
    assertMatch(message.text ?? "", /2\/2 · ✅ 2 · ❌ 0/);
    assertMatch(message.history.at(-1)?.text ?? "", /— finished/);
  });
});

Deno.test("[services/instances] two instances pumping one user's batch start no more than its share", async () => {
  await withTwoInstances(async (telegram, kv, instances) => {
    const user = telegram.user(9_503, { languageCode: "en" });
    const entries = Array.from({ length: 6 }, (_, i) => ({ url: `https://site.example/${i}` }));
    const items = newBatchItems(
      { batchId: "01JBATCH0000000000000000AA", userId: user.id, chatId: user.id, lang: "en" },
      entries,
    );
    await addWaitingItems(kv, items);
    await Promise.all(
      [0, 1, 0, 1].map((i) => instances[i].jobs.batchDownloads.pump(user.id)),
    );
    const running = await listRunningItems(kv, user.id);
    assertEquals(running.length, BATCH_LIMITS.free.parallel);
  });
});
