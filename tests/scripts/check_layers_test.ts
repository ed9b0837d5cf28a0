import { assertEquals } from "../support/assert.ts";
import { checkLayers, formatReport, type ModuleGraph } from "../../scripts/check_layers.ts";

const ROOT = "file:///repo/";

/** A `deno info --json` answer: each module with the modules it imports. */
function graph(imports: Record<string, string[]>): ModuleGraph {
  return {
    modules: Object.entries(imports).map(([from, tos]) => ({
      specifier: ROOT + from,
      dependencies: tos.map((to) => ({ code: { specifier: ROOT + to } })),
    })),
  };
}

Deno.test("[scripts/check_layers] imports down the layers pass", () => {
  const report = checkLayers(
    [graph({
      "main.ts": ["app.ts"],
      "app.ts": ["bot/bot.ts", "workers/pool.ts"],
      "bot/bot.ts": ["services/delivery.ts"],
      "services/delivery.ts": ["views/preview.ts", "kv/media.ts"],
      "views/preview.ts": ["i18n/translations.ts", "media/media_types.ts"],
      "kv/media.ts": ["media/media_types.ts", "lib/format.ts"],
      "workers/pool.ts": ["media/media_types.ts", "lib/format.ts", "config.ts"],
    })],
    ROOT,
    ["main.ts", "app.ts", "bot/bot.ts", "services/delivery.ts", "kv/media.ts"],
  );
  assertEquals(report, { violations: [], cycles: [], unreachable: [] });
});

Deno.test("[scripts/check_layers] an import of a higher layer, a cycle and a dead file are each reported", () => {
  const report = checkLayers(
    [
      graph({
        "main.ts": ["app.ts"],
        "app.ts": ["bot/bot.ts"],
        "bot/bot.ts": ["services/job_service.ts"],
        // the knot this check was written against: a service reaching into the bot
        "services/job_service.ts": ["bot/views.ts", "kv/jobs.ts"],
        "bot/views.ts": [],
        "kv/jobs.ts": [],
      }),
      // a second entry point's graph: workers may not reach the app's storage
      graph({ "workers/main.ts": ["workers/runner.ts"], "workers/runner.ts": ["kv/jobs.ts"] }),
    ],
    ROOT,
    ["main.ts", "app.ts", "bot/bot.ts", "bot/old_views.ts", "kv/jobs.ts"],
  );
  assertEquals(report.violations, [
    { from: "services/job_service.ts", to: "bot/views.ts" },
    { from: "workers/runner.ts", to: "kv/jobs.ts" },
  ]);
  assertEquals(report.cycles, [{
    units: ["bot", "services"],
    imports: [
      { from: "bot/bot.ts", to: "services/job_service.ts" },
      { from: "services/job_service.ts", to: "bot/views.ts" },
    ],
  }]);
  assertEquals(report.unreachable, ["bot/old_views.ts"]);
  assertEquals(formatReport(report).length, 4);
});

Deno.test("[scripts/check_layers] type-only imports count, and folders of one layer may not import each other", () => {
  const report = checkLayers(
    [{
      modules: [
        {
          specifier: ROOT + "kv/jobs.ts",
          dependencies: [{ type: { specifier: ROOT + "services/events.ts" } }],
        },
        {
          specifier: ROOT + "lib/format.ts",
          dependencies: [{ code: { specifier: ROOT + "config.ts" } }],
        },
      ],
    }],
    ROOT,
    [],
  );
  assertEquals(report.violations, [
    { from: "kv/jobs.ts", to: "services/events.ts" },
    { from: "lib/format.ts", to: "config.ts" },
  ]);
});
