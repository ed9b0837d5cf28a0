/**
 * Cold start: from spawning `main.ts` (webhook mode, WORKERS=0, a KV file the operator's
 * `deno task telegram:setup` primed) to the first webhook update answered, with no Bot API call
 * on the way: the bot comes from KV and /start's menu travels in the webhook answer.
 */
import { FakeTelegram } from "../tests/support/fake_telegram.ts";
import { loadConfig } from "../config.ts";
import { runTelegramSetup } from "../scripts/telegram_setup.ts";

const RUNS = 15;
const TARGET_MS = 300;
const SECRET = "cold-start-secret";

/** CPU time a process has used so far (user + system), in ms, from /proc (100 ticks a second). */
function cpuMs(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function startUpdate(updateId: number, userId: number): string {
  return JSON.stringify({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Cold" },
      from: { id: userId, is_bot: false, first_name: "Cold", language_code: "en" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  });
}

/** Posts the update until the server takes it; resolves with the answer's body. */
async function firstAnswer(url: string, body: string): Promise<string> {
  for (;;) {
    try {
      const answer = await fetch(`${url}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body,
      });
      return await answer.text();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

export async function benchColdStart() {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-cold-" });
  const timings: number[] = [];
  const cpu: number[] = [];
  let botApiCalls = 0;
  try {
    for (let run = 0; run < RUNS; run++) {
      const port = freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = {
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        PUBLIC_URL: url,
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        LISTEN_HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        KV_PATH: `${dataDir}/bot.kv`,
        WORKERS: "0",
        LOG_LEVEL: "error",
      };
      // what `deno task telegram:setup` does once per deploy: the webhook, and the bot in KV
      const kv = await Deno.openKv(env.KV_PATH);
      await runTelegramSetup(loadConfig(env), kv);
      kv.close();
      const user = telegram.user(3_000_000 + run, { languageCode: "en" });
      const callsBefore = telegram.calls.length;
      const started = performance.now();
      const app = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "main.ts"],
        cwd: new URL("..", import.meta.url).pathname,
        env,
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      const body = await firstAnswer(url, startUpdate(run + 1, user.id));
      timings.push(performance.now() - started);
      cpu.push(cpuMs(app.pid));
      if (!body.includes('"sendMessage"')) throw new Error(`no menu in the answer: ${body}`);
      const calls = telegram.calls.slice(callsBefore).map((call) => call.method);
      if (calls.length > 0) console.error("Bot API calls before the answer:", calls.join(", "));
      botApiCalls += calls.length;
      app.kill("SIGTERM");
      await app.status;
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpuMedian = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)];
  // the machine is shared: its load average, so the wall time can be read against it
  const load = Deno.loadavg()[0].toFixed(1);
  return {
    name: "Cold start: main.ts spawned → first webhook update answered (webhook mode, file KV)",
    result: `median ${median.toFixed(0)} ms of ${RUNS} (min ${sorted[0].toFixed(0)}, max ${
      sorted.at(-1)!.toFixed(0)
    }); CPU used ${cpuMedian} ms; load average ${load} on ${navigator.hardwareConcurrency} cores; Bot API calls on the way: ${botApiCalls}`,
    target: `< ${TARGET_MS} ms, 0 calls`,
    met: median < TARGET_MS && botApiCalls === 0,
  };
}

if (import.meta.main) console.log(await benchColdStart());
