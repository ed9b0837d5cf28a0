/** `deno task bench`: runs the benchmarks, prints them and records them in bench/RESULTS.md. */
import { benchDispatch } from "./dispatch.ts";
import { benchDelivery } from "./delivery.ts";
import { benchWebhook } from "./webhook.ts";
import { benchCompress } from "./compress.ts";
import { benchPreview } from "./preview.ts";
import { benchRecommend } from "./recommend.ts";
import { benchBatch } from "./batch.ts";
import {
  benchCappedSources,
  benchEndToEnd,
  benchLocalBotApi,
  benchWorkerMemory,
} from "./big_files.ts";
import { benchSoak } from "./soak.ts";
import { benchHostile } from "./hostile.ts";
import { benchColdStart } from "./cold_start.ts";
import { benchSendPriority } from "./send_priority.ts";

interface Row {
  name: string;
  result: string;
  target: string;
  met: boolean;
}

type Bench = () => Promise<Row | Row[]>;

const BENCHES: Record<string, Bench> = {
  dispatch: benchDispatch,
  delivery: benchDelivery,
  webhook: benchWebhook,
  compress: benchCompress,
  preview: benchPreview,
  recommend: benchRecommend,
  batch: benchBatch,
  endToEnd: benchEndToEnd,
  cappedSources: benchCappedSources,
  workerMemory: benchWorkerMemory,
  localBotApi: benchLocalBotApi,
  soak: benchSoak,
  hostile: benchHostile,
  coldStart: benchColdStart,
  sendPriority: benchSendPriority,
};

// `deno task bench webhook delivery` runs only those
const chosen = Deno.args.length > 0 ? Deno.args : Object.keys(BENCHES);
const rows: Row[] = [];
for (const name of chosen) {
  const bench = BENCHES[name];
  if (!bench) throw new Error(`no benchmark "${name}"; known: ${Object.keys(BENCHES).join(", ")}`);
  const result = await bench();
  for (const row of Array.isArray(result) ? result : [result]) {
    console.log(`${row.met ? "✓" : "✗"} ${row.name}: ${row.result} (target ${row.target})`);
    rows.push(row);
  }
}

const cpu = Deno.build.target;
const table = [
  `## ${
    new Date().toISOString().slice(0, 16).replace("T", " ")
  } UTC — ${navigator.hardwareConcurrency} cores, ${cpu}, Deno ${Deno.version.deno}`,
  "",
  "| benchmark | result | target | met |",
  "| --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.name} | ${r.result} | ${r.target} | ${r.met ? "yes" : "no"} |`),
  "",
].join("\n");
const path = new URL("./RESULTS.md", import.meta.url);
const previous = await Deno.readTextFile(path).catch(() =>
  "# Benchmark results\n\nNewest first.\n\n"
);
const [head, ...rest] = previous.split(/\n(?=## )/);
await Deno.writeTextFile(path, [head.trimEnd() + "\n", table, ...rest].join("\n"));
// aligned as `deno fmt` wants it, so `deno task ok` stays green after a run
await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path.pathname] }).output();
Deno.exit(0);
