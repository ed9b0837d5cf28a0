/** The app: bot, HTTP routes, crons and in-process workers (`deno task start`). */
import { loadConfig } from "./config.ts";
import { createSystem } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const system = await createSystem(config, {
  onPollingStopped: () => shutdown(1),
});

// the in-process sweep covers one machine; on Deno Deploy the cron does it
Deno.cron("sweep job leases and start due schedules", "* * * * *", () => system.jobs.sweep());

const server = Deno.serve(
  { port: config.port, hostname: config.hostname, onListen: () => {} },
  system.app.fetch,
);
await system.start();

async function shutdown(code = 0) {
  await system.stop();
  await server.shutdown();
  Deno.exit(code);
}
Deno.addSignalListener("SIGTERM", () => shutdown());
Deno.addSignalListener("SIGINT", () => shutdown());
