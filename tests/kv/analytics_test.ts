import { assert, assertEquals } from "../support/assert.ts";
import {
  type AnalyticsEvent,
  countActiveUsers,
  getAmount,
  getEventCounts,
  getLabelCounts,
  lastDays,
  recordEvents,
} from "../../kv/analytics.ts";
import type { HistoryEntry } from "../../kv/history.ts";
import { createLogger } from "../../lib/logger.ts";
import { Analytics, AnalyticsForwarder } from "../../services/analytics.ts";
import { EventBus } from "../../services/events.ts";

const logger = createLogger("error");

function delivered(userId: number, i: number): HistoryEntry {
  return {
    id: `e${i}`,
    userId,
    title: `Clip ${i}`,
    url: `https://example.com/${i}`,
    kind: i % 2 ? "audio" : "video",
    variant: "720",
    size: 1000 + i,
    extractor: i % 3 ? "youtube" : "vimeo",
    mediaId: String(i),
    fromCache: false,
    at: Date.now(),
  };
}

Deno.test("[kv/analytics] daily counters stay exact under hundreds of concurrent events", async () => {
  using kv = await Deno.openKv(":memory:");
  const events = new EventBus(logger);
  const analytics = new Analytics({ kv, events, logger });
  const users = 20, perUser = 15;
  let bytes = 0;
  for (let i = 0; i < users * perUser; i++) {
    const userId = 100 + (i % users);
    const entry = delivered(userId, i);
    bytes += entry.size;
    // all emitted at once: every handler's atomic runs concurrently with the others
    events.emit({
      type: "download_requested",
      userId,
      key: `r${i}`,
      extractor: entry.extractor,
      variant: "720",
    });
    events.emit({
      type: "download_delivered",
      userId,
      key: `d${i}`,
      entry,
      chatId: userId,
      lang: "en",
    });
    if (i % 4 === 0) {
      events.emit({
        type: "download_failed",
        userId,
        key: `f${i}`,
        reason: i % 8 ? "timeout" : "private",
      });
    }
    if (i % 5 === 0) {
      events.emit({
        type: "cache_hit",
        userId,
        key: `c${i}`,
        extractor: entry.extractor,
        source: "preview",
      });
    }
    events.emit({
      type: "interaction",
      userId,
      key: `u${i}`,
      chatId: userId,
      lang: "en",
      at: Date.now(),
    });
  }
  await events.settled();
  await analytics.close();

  const today = lastDays(1);
  const counts = await getEventCounts(kv, today);
  assertEquals(counts.get("download_requested"), 300);
  assertEquals(counts.get("download_delivered"), 300);
  assertEquals(counts.get("download_failed"), 75);
  assertEquals(counts.get("cache_hit"), 60);
  assertEquals(counts.has("interaction"), false, "interactions only mark users active");
  assertEquals(await getAmount(kv, today, "download_delivered", "bytes"), bytes);
  assertEquals(await getLabelCounts(kv, today, "download_failed", "reason"), [["private", 38], [
    "timeout",
    37,
  ]]);
  assertEquals(await getLabelCounts(kv, today, "download_delivered", "site"), [["youtube", 200], [
    "vimeo",
    100,
  ]]);
  assertEquals(await getLabelCounts(kv, today, "download_delivered", "kind"), [["audio", 150], [
    "video",
    150,
  ]]);
  assertEquals(await countActiveUsers(kv, today), users);
  let raw = 0;
  for await (const entry of kv.list<AnalyticsEvent[]>({ prefix: ["analytics_events"] })) {
    raw += entry.value.length;
    assert(JSON.stringify(entry.value).length < 60_000, "a group fits in a KV value");
  }
  assertEquals(raw, 300 + 300 + 75 + 60, "each counted event is kept raw (with an expiry)");
});

Deno.test("[kv/analytics] a weekly active is counted once across days, and days are UTC", async () => {
  using kv = await Deno.openKv(":memory:");
  const events = new EventBus(logger);
  const analytics = new Analytics({ kv, events, logger });
  const now = Date.UTC(2026, 10, 24, 12);
  for (let day = 0; day < 7; day++) {
    await analytics.markActive(1, now - day * 86_400_000);
    await analytics.markActive(2 + day, now - day * 86_400_000);
  }
  const week = lastDays(7, now);
  assertEquals(week[0], "2026-11-18");
  assertEquals(week[6], "2026-11-24");
  assertEquals(await countActiveUsers(kv, week.slice(-1)), 2);
  assertEquals(await countActiveUsers(kv, week), 8);
  await analytics.close();
});

Deno.test("[services/analytics] forwarding is off by default and never holds up the emitter", async () => {
  using kv = await Deno.openKv(":memory:");
  const received: { events: { name: string }[] }[] = [];
  let release = () => {};
  const hold = new Promise<void>((resolve) => release = resolve);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      received.push(await request.json());
      // the endpoint is slow: handlers must not wait for it
      await hold;
      return new Response(null, { status: 204 });
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/collect`;

  const silent = new Analytics({ kv, events: new EventBus(logger), logger });
  assertEquals(silent.forwarder, undefined);

  const events = new EventBus(logger);
  const analytics = new Analytics({
    kv,
    events,
    logger,
    forwardUrl: url,
    forwarder: { batchSize: 10, intervalMs: 20, maxQueued: 1000 },
  });
  for (let i = 0; i < 25; i++) {
    events.emit({ type: "menu_opened", userId: 1, key: `m${i}`, menu: "main" });
  }
  const started = performance.now();
  await events.settled();
  assert(performance.now() - started < 1000, "the KV side finished while the endpoint hangs");
  release();
  await analytics.close();
  assertEquals(received.flatMap((batch) => batch.events).length, 25);
  assert(received.every((batch) => batch.events.length <= 10), "batches of at most batchSize");
  assertEquals(analytics.forwarder?.sent, 25);
});

Deno.test("[services/analytics] a dead endpoint drops events beyond the queue bound", async () => {
  const forwarder = new AnalyticsForwarder("http://127.0.0.1:9/unreachable", logger, {
    batchSize: 1000,
    intervalMs: 60_000,
    maxQueued: 50,
    timeoutMs: 500,
  });
  for (let i = 0; i < 80; i++) {
    forwarder.enqueue({ name: "menu_opened", userId: 1, at: Date.now(), labels: {}, amounts: {} });
  }
  assertEquals(forwarder.dropped, 30, "the oldest 30 went first");
  await forwarder.close();
  assertEquals(
    forwarder.dropped,
    80,
    "the last batch failed to send and was dropped, not retried forever",
  );
  assertEquals(forwarder.sent, 0);
});

Deno.test("[kv/analytics] raw events with huge labels still fit their groups: labels are cut", async () => {
  using kv = await Deno.openKv(":memory:");
  const at = Date.UTC(2026, 10, 24, 12);
  const events: AnalyticsEvent[] = Array.from({ length: 200 }, (_, i) => ({
    name: "download_failed",
    userId: i,
    at,
    labels: { reason: "x".repeat(5_000), site: "y".repeat(5_000) },
    amounts: {},
  }));
  await recordEvents(kv, events);
  let raw = 0;
  for await (const entry of kv.list<AnalyticsEvent[]>({ prefix: ["analytics_events"] })) {
    for (const event of entry.value) {
      raw++;
      assert(event.labels.reason.length <= 100 && event.labels.site.length <= 100);
    }
  }
  assertEquals(raw, 200);
  assertEquals((await getEventCounts(kv, lastDays(1, at))).get("download_failed"), 200);
});
