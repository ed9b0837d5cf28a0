/**
 * What main.ts loads before it answers: no Node built-in and no package whose build needs Node's
 * compatibility layer (tens of ms of every cold start; see README, Deno Deploy). Those are loaded
 * at first use, by dynamic import.
 */
import { assertEquals } from "../support/assert.ts";

interface Graph {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

/** Packages whose builds import Node's modules or are CommonJS. */
const NODE_BOUND_PACKAGES = ["npm:grammy@", "npm:lru-cache", "npm:ulid", "npm:ipaddr.js"];

Deno.test("[scripts/cold_start] main.ts loads no Node module before its first answer", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const graph: Graph = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  const loaded = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (loaded.has(specifier)) continue;
    loaded.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      // a type-only import has no code entry: it loads nothing
      if (!dependency.isDynamic && dependency.code) pending.push(dependency.code.specifier);
    }
  }
  const nodeBound = [...loaded].filter((specifier) =>
    specifier.startsWith("node:") ||
    // grammY's web build is the one meant for Deno
    (NODE_BOUND_PACKAGES.some((name) => specifier.startsWith(name)) && !specifier.endsWith("/web"))
  );
  assertEquals(nodeBound, [], "loaded at start");
  assertEquals(loaded.size > 100, true, `the start-up graph was read (${loaded.size} modules)`);
});
