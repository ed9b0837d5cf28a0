/**
 * Webhook throughput: /start updates from known users through Hono + grammY + KV, at 50 and
 * 200 concurrent connections, next to a bare Hono handler in the same run. wrk makes the load:
 * in C it leaves the app most of the CPU, where a JavaScript client would take half. Then
 * 10,000 updates at 200 concurrency, counted one by one (every update answered, no 5xx).
 */
import { ms, summarize } from "./stats.ts";

interface WrkResult {
  perSecond: number;
  p50: number;
  p99: number;
  /** non-2xx answers, answers without the menu, and socket errors */
  failures: number;
}

const LOAD_SCRIPT = new URL("./webhook_load.lua", import.meta.url).pathname;
/**
 * Known users the load comes from: enough that none of them passes the bot's own per-user rate
 * limit (30 updates in 30 s) over the whole run, which would answer without a menu.
 */
export const LOAD_USERS = 20_000;

/** Runs wrk with one thread (the app needs the other core) and reads its report. */
async function wrk(port: number, connections: number, seconds: number): Promise<WrkResult> {
  const { stdout, success } = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      LOAD_SCRIPT,
      `http://127.0.0.1:${port}/telegram/webhook`,
    ],
    env: { LOAD_USERS: String(LOAD_USERS) },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const report = new TextDecoder().decode(stdout);
  if (!success) throw new Error(`wrk failed:\n${report}`);
  const duration = (label: string) => {
    const [, value, unit] = report.match(new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`)) ?? [];
    if (!value) throw new Error(`no ${label} in wrk's report:\n${report}`);
    return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit as "us" | "ms" | "s"];
  };
  const count = (pattern: RegExp) =>
    [...report.matchAll(pattern)].reduce((sum, [, n]) => sum + Number(n), 0);
  return {
    perSecond: Number(report.match(/Requests\/sec:\s+([\d.]+)/)?.[1]),
    p50: duration("50%"),
    p99: duration("99%"),
    failures: count(/Non-2xx or 3xx responses: (\d+)/g) + count(/Without menu: (\d+)/g) +
      count(/(?:connect|read|write|timeout) (\d+)/g),
  };
}

/**
 * Sends `total` updates from `concurrency` clients; counts every status, and the menus that
 * came back in the webhook answer to the right chat.
 */
async function flood(port: number, total: number, concurrency: number, secret: string) {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let menus = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const userId = 1_000_000 + (i % LOAD_USERS);
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
      const answer = await response.text();
      latencies.push(performance.now() - at);
      const call = answer ? JSON.parse(answer) : {};
      if (call.method === "sendMessage" && call.chat_id === userId) menus++;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  }));
  return { statuses, menus, ...summarize(latencies) };
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
    await flood(ports.app, LOAD_USERS, 50, "bench-secret");
    for (const concurrency of [50, 200]) {
      const app = await wrk(ports.app, concurrency, 15);
      const bare = await wrk(ports.bare, concurrency, 5);
      rows.push({
        name: `Webhook /start, ${concurrency} connections (bare Hono: ${
          bare.perSecond.toFixed(0)
        }/s)`,
        result: `${app.perSecond.toFixed(0)} updates/s, p50 ${ms(app.p50)}, p99 ${
          ms(app.p99)
        }, ${app.failures} failed; bare ${(bare.perSecond / app.perSecond).toFixed(0)}× faster`,
        target: "≥ 5,000/s, p99 < 50 ms",
        met: app.perSecond >= 5_000 && app.p99 < 50 && app.failures === 0,
      });
    }
    const flooded = await flood(ports.app, 10_000, 200, "bench-secret");
    const ok = flooded.statuses.get(200) ?? 0;
    const errors = [...flooded.statuses].filter(([status]) => status >= 500).reduce(
      (n, [, c]) => n + c,
      0,
    );
    rows.push({
      name: "Load: 10,000 webhook updates at 200 concurrency",
      result: `${ok} answered 200 (${flooded.menus} with their menu), ${errors} 5xx, p99 ${
        ms(flooded.p99)
      }`,
      target: "all answered, no 5xx",
      met: ok === 10_000 && flooded.menus === 10_000 && errors === 0,
    });
  } finally {
    server.kill("SIGKILL");
    await reader.cancel().catch(() => {});
    await server.status;
  }
  return rows;
}
