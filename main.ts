/** The app: bot, HTTP routes, crons and in-process workers (`deno task start`). */
import { loadConfig } from "./config.ts";
import { createSystem } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const system = await createSystem(config, {
  onPollingStopped: () => shutdown(1),
});

// the in-process sweep covers one machine; on Deno Deploy the cron does it
const stopCron = new AbortController();
Deno.cron(
  "sweep job leases and start due schedules",
  "* * * * *",
  { signal: stopCron.signal },
  () => system.sweep(),
);

const server = Deno.serve(
  { port: config.port, hostname: config.hostname, onListen: () => {} },
  system.app.fetch,
);
await system.start();

/** One shutdown, whatever asks for it (SIGTERM, SIGINT, polling that ended) and how often. */
let exiting: Promise<void> | undefined;
function shutdown(code = 0): Promise<void> {
  exiting ??= (async () => {
    stopCron.abort();
    try {
      await system.stop(server);
    } catch (error) {
      console.error("shutdown failed:", error);
      code = 1;
    }
    Deno.exit(code);
  })();
  return exiting;
}
Deno.addSignalListener("SIGTERM", () => shutdown());
Deno.addSignalListener("SIGINT", () => shutdown());
