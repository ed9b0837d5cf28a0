/**
 * A TCP proxy on loopback between two parts of the system (a fleet worker and the app) that a
 * test can cut and restore, as a network partition would. Cut, it forwards nothing and answers
 * nothing: open connections go silent, with no reset or close, and new ones are accepted but
 * never reach the target. Restored, new connections work again, while the ones that went silent
 * stay dead (until close()), like connections whose state a dropped NAT entry lost: only a
 * client's own deadline gets it out of them.
 *
 *   await using proxy = CuttableProxy.start(app.port); // APP_URL = proxy.url
 *   proxy.cut(); … proxy.restore();
 */
export class CuttableProxy implements AsyncDisposable {
  readonly url: string;
  readonly #listener: Deno.Listener;
  readonly #sockets = new Set<Deno.Conn>();
  /** resolves at close(): what silent links wait on */
  readonly #closed = Promise.withResolvers<void>();
  #links = new Set<{ dead: boolean }>();
  #cut = false;
  #accepting: Promise<void>;

  private constructor(private readonly targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.url = `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
    this.#accepting = this.#accept();
  }

  static start(targetPort: number): CuttableProxy {
    return new CuttableProxy(targetPort);
  }

  /** From now on nothing gets through, on open connections or new ones. */
  cut(): void {
    this.#cut = true;
    for (const link of this.#links) link.dead = true;
    this.#links = new Set();
  }

  /** New connections get through again; those that went silent stay so. */
  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.#listener.close();
    this.#closed.resolve();
    for (const socket of this.#sockets) {
      try {
        socket.close();
      } catch {
        // already closed
      }
    }
    await this.#accepting;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #accept(): Promise<void> {
    try {
      for await (const client of this.#listener) {
        this.#sockets.add(client);
        // accepted, then never answered: a connection attempt into a partition
        if (!this.#cut) this.#connect(client).catch(() => {});
      }
    } catch {
      // the listener was closed
    }
  }

  async #connect(client: Deno.Conn): Promise<void> {
    const target = await Deno.connect({ hostname: "127.0.0.1", port: this.targetPort });
    this.#sockets.add(target);
    const link = { dead: this.#cut };
    this.#links.add(link);
    await Promise.all([this.#pump(client, target, link), this.#pump(target, client, link)]);
    for (const socket of [client, target]) {
      this.#sockets.delete(socket);
      try {
        socket.close();
      } catch {
        // the other direction closed it
      }
    }
    this.#links.delete(link);
  }

  async #pump(from: Deno.Conn, to: Deno.Conn, link: { dead: boolean }): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const read = await from.read(buffer);
        if (link.dead) return await this.#closed.promise;
        if (read === null) break;
        for (let written = 0; written < read;) {
          written += await to.write(buffer.subarray(written, read));
        }
      }
      await to.closeWrite().catch(() => {});
    } catch {
      // a side went away: the other ends too
    }
  }
}
