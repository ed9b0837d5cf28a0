/**
 * Product events, published where they happen and consumed by features that follow them
 * (XP and achievements, analytics). Handlers run after the event, never inside the user's
 * request path: a slow or failing consumer cannot delay or break a delivery.
 */
import type { HistoryEntry } from "../kv/history.ts";
import type { Logger } from "../lib/logger.ts";

export type ProductEvent =
  | {
    type: "download_delivered";
    userId: number;
    /** the same key for the same delivery, however often it is reported */
    key: string;
    entry: HistoryEntry;
    chatId: number;
    lang: string;
  }
  | {
    type: "download_requested";
    userId: number;
    key: string;
    extractor: string;
    variant: string;
    source?: RequestSource;
  }
  | { type: "download_failed"; userId: number; key: string; reason: string }
  | {
    type: "interaction";
    userId: number;
    key: string;
    chatId: number;
    lang: string;
    at: number;
    /** the user's own time zone, when they set one */
    timezone?: string;
  }
  | { type: "cache_hit"; userId: number; key: string; extractor: string; source: RequestSource }
  | { type: "menu_opened"; userId: number; key: string; menu: string }
  | { type: "playlist_created"; userId: number; key: string }
  | { type: "payment"; userId: number; key: string; stars: number; planId: string }
  | { type: "premium_granted"; userId: number; key: string }
  | { type: "recording_delivered"; userId: number; key: string }
  | { type: "subtitles_translated"; userId: number; key: string; language: string }
  /** key: the media's identity key, so a user's shares of one media are one */
  | { type: "content_shared"; userId: number; key: string };

/** The button a download was asked for with. */
export type RequestSource = "preview" | "history" | "recommendation" | "playlist";

export type EventType = ProductEvent["type"];
type Handler<T extends EventType> = (
  event: Extract<ProductEvent, { type: T }>,
) => Promise<void> | void;

export class EventBus {
  // handlers are stored untyped; `on` pairs each with its own event type
  readonly #handlers = new Map<EventType, ((event: ProductEvent) => Promise<void> | void)[]>();
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  on<T extends EventType>(type: T, handler: Handler<T>): void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as unknown as (event: ProductEvent) => Promise<void> | void);
    this.#handlers.set(type, list);
  }

  emit(event: ProductEvent): void {
    for (const handler of this.#handlers.get(event.type) ?? []) {
      let result: Promise<void> | void;
      try {
        result = handler(event);
      } catch (error) {
        this.#failed(event, error);
        continue;
      }
      if (!(result instanceof Promise)) continue;
      const run = result.catch((error) => this.#failed(event, error));
      this.#running.add(run);
      run.then(() => this.#running.delete(run));
    }
  }

  #failed(event: ProductEvent, error: unknown): void {
    this.logger.error("event handler failed", { type: event.type, error });
  }

  /** Resolves when every handler started so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
