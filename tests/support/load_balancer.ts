/**
 * An HTTP load balancer on loopback in front of several app instances, as on Deno Deploy: one
 * public address (the webhook URL Telegram posts to, the APP_URL fleet workers call), each
 * request handed to an instance picked at random. Requests and answers are streamed through
 * untouched, long polls included.
 *
 *   await using balancer = LoadBalancer.start(); // PUBLIC_URL = balancer.url
 *   balancer.setBackends([a.url, b.url, c.url]);
 */
export class LoadBalancer implements AsyncDisposable {
  readonly url: string;
  /** how many requests each backend got, by its URL */
  readonly served = new Map<string, number>();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #random: () => number;
  #backends: string[] = [];

  private constructor(seed: number) {
    this.#random = seededRandom(seed);
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#forward(request),
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Listens at once; requests wait for backends (503) until setBackends() is called. */
  static start(seed = 1): LoadBalancer {
    return new LoadBalancer(seed);
  }

  setBackends(urls: string[]): void {
    this.#backends = [...urls];
  }

  async #forward(request: Request): Promise<Response> {
    if (this.#backends.length === 0) return new Response("no backend", { status: 503 });
    const backend = this.#backends[Math.floor(this.#random() * this.#backends.length)];
    this.served.set(backend, (this.served.get(backend) ?? 0) + 1);
    const url = new URL(request.url);
    try {
      return await fetch(`${backend}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
    } catch {
      return new Response("backend unreachable", { status: 502 });
    }
  }

  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** mulberry32: the same seed sends the same requests to the same backends. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
