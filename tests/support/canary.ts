/**
 * A raw TCP listener that must never be reached (ftp, rtmp and http alike): it counts
 * connections and greets like an FTP server, so an error that repeats what answered shows BANNER.
 */
export const CANARY_BANNER = "220 canary-7f3c1e FTP service ready";

export interface TcpCanary {
  readonly hostname: string;
  readonly port: number;
  /** connections accepted so far */
  readonly connections: number;
  close(): Promise<void>;
}

export function startTcpCanary(hostname = "127.0.0.1", port = 0): TcpCanary {
  const listener = Deno.listen({ hostname, port });
  let connections = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.write(new TextEncoder().encode(`${CANARY_BANNER}\r\n`))
        .catch(() => 0)
        .finally(() => {
          try {
            conn.close();
          } catch {
            // the client left first
          }
        });
    }
  })().catch(() => {});
  return {
    hostname,
    port: (listener.addr as Deno.NetAddr).port,
    get connections() {
      return connections;
    },
    async close() {
      listener.close();
      await serving;
    },
  };
}
