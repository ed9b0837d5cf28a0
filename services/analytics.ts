/**
 * Follows product events into daily KV counters, and optionally forwards them to an external
 * HTTP endpoint (ANALYTICS_URL) in batches from a bounded queue. Both run on the event bus,
 * after the user's request: nothing here is awaited by a handler.
 */
import { type AnalyticsEvent, markActive, recordEvents } from "../kv/analytics.ts";
import { utcDay } from "../lib/time.ts";
import { Lru } from "../lib/lru.ts";
import type { Logger } from "../lib/logger.ts";
import type { EventBus, EventType, ProductEvent } from "./events.ts";

/** The analytics view of a product event; null for events that only mark a user active. */
function toAnalyticsEvent(event: ProductEvent, at = Date.now()): AnalyticsEvent | null {
  const base = { name: event.type, userId: event.userId, at };
  switch (event.type) {
    case "download_requested":
      return {
        ...base,
        labels: {
          site: event.extractor,
          variant: event.variant,
          source: event.source ?? "preview",
        },
        amounts: {},
      };
    case "download_delivered":
      return {
        ...base,
        labels: { site: event.entry.extractor, kind: event.entry.kind },
        amounts: { bytes: event.entry.size },
      };
    case "download_failed":
      return { ...base, labels: { reason: event.reason }, amounts: {} };
    case "cache_hit":
      return { ...base, labels: { site: event.extractor, source: event.source }, amounts: {} };
    case "menu_opened":
      return { ...base, labels: { menu: event.menu }, amounts: {} };
    case "playlist_created":
      return { ...base, labels: {}, amounts: {} };
    case "payment":
      return { ...base, labels: { plan: event.planId }, amounts: { stars: event.stars } };
    default:
      return null;
  }
}

const COUNTED_EVENTS = [
  "download_requested",
  "download_delivered",
  "download_failed",
  "cache_hit",
  "menu_opened",
  "playlist_created",
  "payment",
] as const satisfies readonly EventType[];

export interface ForwarderOptions {
  batchSize?: number;
  intervalMs?: number;
  /** beyond this, the oldest waiting events are dropped: a dead endpoint cannot grow memory */
  maxQueued?: number;
  timeoutMs?: number;
}

/** Sends events in batches, in the background; a slow or failing endpoint only loses events. */
export class AnalyticsForwarder {
  readonly #queue: AnalyticsEvent[] = [];
  readonly #batchSize: number;
  readonly #intervalMs: number;
  readonly #maxQueued: number;
  readonly #timeoutMs: number;
  #timer?: ReturnType<typeof setTimeout>;
  #sending: Promise<void> = Promise.resolve();
  #closed = false;
  dropped = 0;
  sent = 0;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    options: ForwarderOptions = {},
  ) {
    this.#batchSize = options.batchSize ?? 100;
    this.#intervalMs = options.intervalMs ?? 2_000;
    this.#maxQueued = options.maxQueued ?? 1_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  enqueue(event: AnalyticsEvent): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#maxQueued) {
      this.#queue.shift();
      this.dropped++;
    }
    this.#queue.push(event);
    if (this.#queue.length >= this.#batchSize) this.#sendSoon(0);
    else if (this.#timer === undefined) this.#sendSoon(this.#intervalMs);
  }

  /** Sends what is waiting, then stops. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sending = this.#sending.then(() => this.#sendAll());
    await this.#sending;
  }

  #sendSoon(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sending = this.#sending.then(() => this.#sendAll());
    }, delayMs);
  }

  async #sendAll(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#batchSize);
      try {
        const response = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ sentAt: Date.now(), events: batch }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`analytics endpoint answered ${response.status}`);
        this.sent += batch.length;
      } catch (error) {
        this.dropped += batch.length;
        this.logger.warn("analytics batch not forwarded", { events: batch.length, error });
      }
    }
  }
}

export interface AnalyticsDeps {
  kv: Deno.Kv;
  events: EventBus;
  logger: Logger;
  forwardUrl?: string;
  forwarder?: ForwarderOptions;
}

/** Events are written in batches: one flush a second, or sooner under load. */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_AT_EVENTS = 200;

export class Analytics {
  /** users already marked active today by this process: one KV write per user and day */
  readonly #activeDay = new Lru<number, string>({ max: 100_000, ttl: 86_400_000 });
  readonly forwarder?: AnalyticsForwarder;
  readonly #pending: AnalyticsEvent[] = [];
  #flushTimer?: ReturnType<typeof setTimeout>;

  constructor(private readonly deps: AnalyticsDeps) {
    if (deps.forwardUrl) {
      this.forwarder = new AnalyticsForwarder(deps.forwardUrl, deps.logger, deps.forwarder);
    }
    for (const type of COUNTED_EVENTS) deps.events.on(type, (event) => this.record(event));
    deps.events.on("interaction", (event) => this.markActive(event.userId, event.at));
  }

  async record(event: ProductEvent, at = Date.now()): Promise<void> {
    const analyticsEvent = toAnalyticsEvent(event, at);
    if (!analyticsEvent) return;
    this.forwarder?.enqueue(analyticsEvent);
    this.#pending.push(analyticsEvent);
    if (this.#pending.length >= FLUSH_AT_EVENTS) await this.flush();
    else this.#flushTimer ??= setTimeout(() => this.flush().catch(() => {}), FLUSH_INTERVAL_MS);
    await this.markActive(event.userId, at);
  }

  /** Writes the buffered events; counters lose at most FLUSH_INTERVAL_MS of events on a crash. */
  async flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const events = this.#pending.splice(0);
    if (events.length === 0) return;
    try {
      await recordEvents(this.deps.kv, events);
    } catch (error) {
      this.deps.logger.warn("analytics events dropped", { count: events.length, error });
    }
  }

  async markActive(userId: number, at: number): Promise<void> {
    const day = utcDay(at);
    if (this.#activeDay.get(userId) === day) return;
    this.#activeDay.set(userId, day);
    await markActive(this.deps.kv, userId, at);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.forwarder?.close();
  }
}
