/** `deno task bench`: runs the benchmarks, prints them and records them in bench/RESULTS.md. */
import { benchDispatch } from "./dispatch.ts";
import { benchDelivery } from "./delivery.ts";

interface Row {
  name: string;
  result: string;
  target: string;
  met: boolean;
}

const rows: Row[] = [];
for (const bench of [benchDispatch, benchDelivery]) {
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
Deno.exit(0);
