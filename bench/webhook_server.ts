/**
 * The app in webhook mode (no workers) and a bare Hono handler, for bench/webhook.ts to load
 * from another process. Prints one JSON line with their addresses, then serves until killed.
 */
import { Hono } from "hono";
import { FakeTelegram } from "../tests/support/fake_telegram.ts";
import { loadConfig } from "../config.ts";
import { createSystem } from "../app.ts";
import { createLogger } from "../lib/logger.ts";
import { runTelegramSetup } from "../scripts/telegram_setup.ts";
import { LOAD_USERS } from "./webhook.ts";

const telegram = await FakeTelegram.start();
// the load's users, so the fake Bot API knows their chats
for (let i = 0; i < LOAD_USERS; i++) telegram.user(1_000_000 + i, { languageCode: "en" });
const dataDir = await Deno.makeTempDir();
const appServer = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  (req) => handler(req),
);
let handler: (req: Request) => Response | Promise<Response> = () =>
  new Response(null, { status: 503 });
const config = loadConfig({
  BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: telegram.apiRoot,
  PUBLIC_URL: `http://127.0.0.1:${appServer.addr.port}`,
  WEBHOOK_SECRET: "bench-secret",
  KV_PATH: `${dataDir}/bench.kv`,
  DATA_DIR: dataDir,
  WORKERS: "0",
});
// Telegram's flood limits are Telegram's; this measures the app, so the throttle is opened wide
const system = await createSystem(config, {
  logger: createLogger("error"),
  throttle: {
    globalPerSecond: 1e6,
    privateBurst: 1e6,
    privatePerSecond: 1e6,
    groupBurst: 1e6,
    groupPerSecond: 1e6,
  },
});
handler = system.app.fetch;
await system.start();
await runTelegramSetup(config, system.kv);

const bare = new Hono().post("/telegram/webhook", (c) => c.json({ ok: true }));
const bareServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, bare.fetch);

console.log(
  JSON.stringify({ app: appServer.addr.port, bare: bareServer.addr.port, token: telegram.token }),
);
