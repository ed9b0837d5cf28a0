/**
 * Webhook throughput: /start updates from known users through Hono + grammY + KV, at 50 and
 * 200 concurrent connections, next to a bare Hono handler in the same run; then 10,000 updates
 * at 200 concurrency checked for completeness (every update answered, no 5xx).
 */
import { ms, summarize } from "./stats.ts";

interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Map<number, number>;
}

async function load(
  port: number,
  total: number,
  concurrency: number,
  secret: string,
): Promise<LoadResult> {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const userId = 1_000_000 + (i % 5_000);
      const update = {
        update_id: i + 1,
        message: {
          message_id: i + 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: userId, type: "private", first_name: "Load" },
          from: { id: userId, is_bot: false, first_name: "Load", language_code: "en" },
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      };
      const at = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
        body: JSON.stringify(update),
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - at);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return { perSecond: total / seconds, p50: s.p50, p99: s.p99, statuses };
}

export async function benchWebhook() {
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./webhook_server.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let first = "";
  while (!first.includes("\n")) first += (await reader.read()).value ?? "";
  const ports = JSON.parse(first.split("\n")[0]) as { app: number; bare: number };
  const rows = [];
  try {
    // first contact creates each user: warm up so the measured updates are from known users
    await load(ports.app, 5_000, 50, "bench-secret");
    for (const concurrency of [50, 200]) {
      const app = await load(ports.app, 10_000, concurrency, "bench-secret");
      const bare = await load(ports.bare, 10_000, concurrency, "bench-secret");
      rows.push({
        name: `Webhook /start, ${concurrency} connections (bare Hono: ${
          bare.perSecond.toFixed(0)
        }/s)`,
        result: `${app.perSecond.toFixed(0)} updates/s, p50 ${ms(app.p50)}, p99 ${ms(app.p99)}; ${
          (bare.perSecond / app.perSecond).toFixed(1)
        }× slower than bare`,
        target: "≥ 5,000/s, p99 < 50 ms",
        met: app.perSecond >= 5_000 && app.p99 < 50,
      });
    }
    const flood = await load(ports.app, 10_000, 200, "bench-secret");
    const ok = flood.statuses.get(200) ?? 0;
    const errors = [...flood.statuses].filter(([status]) => status >= 500).reduce(
      (n, [, c]) => n + c,
      0,
    );
    rows.push({
      name: "Load: 10,000 webhook updates at 200 concurrency",
      result: `${ok} answered 200, ${errors} 5xx`,
      target: "all answered, no 5xx",
      met: ok === 10_000 && errors === 0,
    });
  } finally {
    server.kill("SIGKILL");
    await reader.cancel().catch(() => {});
    await server.status;
  }
  return rows;
}
