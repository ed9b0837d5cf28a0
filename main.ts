/** The app: bot, HTTP routes, crons and in-process workers (`deno task start`). */
import { loadConfig } from "./config.ts";
import { createSystem, type System } from "./app.ts";

// Deno Deploy finds crons by evaluating the module's top level: registered before anything can
// fail, with a handler that builds the system only when it runs. The in-process sweep covers
// one machine; on Deploy, whose isolates sleep between requests, this cron does it.
const stopCron = new AbortController();
Deno.cron(
  "sweep job leases and start due schedules",
  "* * * * *",
  { signal: stopCron.signal },
  async () => await (await theSystem()).sweep(),
);

let system: Promise<System> | undefined;
function theSystem(): Promise<System> {
  system ??= createSystem(loadConfig(Deno.env.toObject()), {
    onPollingStopped: () => shutdown(1),
  });
  return system;
}

/** One shutdown, whatever asks for it (SIGTERM, SIGINT, polling that ended) and how often. */
let exiting: Promise<void> | undefined;
let server: Deno.HttpServer | undefined;
function shutdown(code = 0): Promise<void> {
  exiting ??= (async () => {
    stopCron.abort();
    try {
      // a system still being built is stopped once it is: its start() then does nothing
      await (await theSystem()).stop(server);
    } catch (error) {
      console.error("shutdown failed:", error);
      code = 1;
    }
    Deno.exit(code);
  })();
  return exiting;
}
// listening before anything starts: a stop asked during start-up is the same clean shutdown
Deno.addSignalListener("SIGTERM", () => shutdown());
Deno.addSignalListener("SIGINT", () => shutdown());

const config = loadConfig(Deno.env.toObject());
const running = await theSystem();
// a signal during the build: its shutdown stops the system, which neither serves nor starts
if (!exiting) {
  server = Deno.serve(
    { port: config.port, hostname: config.hostname, onListen: () => {} },
    running.app.fetch,
  );
  // Telegram's failures are retried inside; what is left (the worker pool's disk) ends the process
  await running.start().catch((error) => {
    console.error("start failed:", error);
    return shutdown(1);
  });
}
