/**
 * The layer rule (docs/architecture.md), checked over `deno info --json` of the entry points:
 * every import goes from a layer to a lower one, top-level folders never import each other in a
 * cycle, and every production module is reachable from an entry point. Prints each offence and
 * exits 1; `deno task layers` runs it alone, `deno task ok` before the tests.
 */

/** Highest first: a module may import only from the layers after its own. */
export const LAYERS: readonly (readonly string[])[] = [
  ["main.ts"],
  ["app.ts"],
  ["routes"],
  ["bot"],
  ["services"],
  ["views"],
  ["i18n"],
  ["kv"],
  ["media"],
  ["config.ts", "lib"],
];

/** Workers run apart from the app and share only pure media code with it; only app.ts wires them. */
export const WORKERS = "workers";
const WORKERS_MAY_IMPORT = ["media", "config.ts", "lib"];
const WORKERS_IMPORTED_BY = ["app.ts"];

export const ENTRY_POINTS = ["main.ts", "workers/main.ts"];

/** What `deno info --json` says of one module graph (the fields read here). */
export interface ModuleGraph {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
  }[];
}

export interface Import {
  from: string;
  to: string;
}

export interface LayerReport {
  /** imports of a higher layer, or between two folders of one layer */
  violations: Import[];
  /** each cycle between top-level folders, as the folders in it and one import per step */
  cycles: { units: string[]; imports: Import[] }[];
  /** production modules no entry point reaches */
  unreachable: string[];
}

/** The top-level folder a path belongs to, or the file itself at the root. */
export function unitOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

export function mayImport(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === WORKERS) return WORKERS_MAY_IMPORT.includes(to);
  if (to === WORKERS) return WORKERS_IMPORTED_BY.includes(from);
  const fromRank = LAYERS.findIndex((layer) => layer.includes(from));
  const toRank = LAYERS.findIndex((layer) => layer.includes(to));
  return fromRank >= 0 && toRank > fromRank;
}

/** Imports between the repository's own modules, as paths relative to `root` (a file: URL). */
export function importsOf(graphs: ModuleGraph[], root: string): Import[] {
  const seen = new Set<string>();
  const imports: Import[] = [];
  for (const graph of graphs) {
    for (const module of graph.modules) {
      if (!module.specifier.startsWith(root)) continue;
      const from = module.specifier.slice(root.length);
      for (const dependency of module.dependencies ?? []) {
        // a type-only import is a dependency too: it ties the two modules' designs together
        for (const resolved of [dependency.code, dependency.type]) {
          if (!resolved?.specifier.startsWith(root)) continue;
          const to = resolved.specifier.slice(root.length);
          const key = `${from} ${to}`;
          if (seen.has(key)) continue;
          seen.add(key);
          imports.push({ from, to });
        }
      }
    }
  }
  return imports;
}

export function checkLayers(
  graphs: ModuleGraph[],
  root: string,
  productionFiles: string[],
): LayerReport {
  const imports = importsOf(graphs, root);
  const violations = imports.filter(({ from, to }) => !mayImport(unitOf(from), unitOf(to)));
  const reached = new Set<string>();
  for (const graph of graphs) {
    for (const module of graph.modules) {
      if (module.specifier.startsWith(root)) reached.add(module.specifier.slice(root.length));
    }
  }
  return {
    violations,
    cycles: unitCycles(imports),
    unreachable: productionFiles.filter((file) => !reached.has(file)).sort(),
  };
}

/** Strongly connected groups of top-level folders (Tarjan), each with the imports inside it. */
function unitCycles(imports: Import[]): LayerReport["cycles"] {
  const edges = new Map<string, Map<string, Import>>();
  for (const edge of imports) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, edge);
    if (!edges.has(to)) edges.set(to, new Map());
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (unit: string) => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit)!);
    stack.push(unit);
    onStack.add(unit);
    for (const next of edges.get(unit)!.keys()) {
      if (!index.has(next)) {
        visit(next);
        low.set(unit, Math.min(low.get(unit)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(unit, Math.min(low.get(unit)!, index.get(next)!));
    }
    if (low.get(unit) !== index.get(unit)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== unit);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const unit of [...edges.keys()].sort()) if (!index.has(unit)) visit(unit);
  return groups.map((units) => ({
    units,
    imports: units.flatMap((from) =>
      [...edges.get(from)!].filter(([to]) => units.includes(to)).map(([, edge]) => edge)
    ),
  }));
}

export function formatReport(report: LayerReport): string[] {
  return [
    ...report.violations.map(({ from, to }) =>
      `layer: ${from} → ${to} (${unitOf(from)} may not import ${unitOf(to)})`
    ),
    ...report.cycles.map(({ units, imports }) =>
      `cycle between ${units.join(", ")}: ${
        imports.map(({ from, to }) => `${from} → ${to}`).join("; ")
      }`
    ),
    ...report.unreachable.map((file) => `unreachable from ${ENTRY_POINTS.join(" and ")}: ${file}`),
  ];
}

async function denoInfo(entry: string): Promise<ModuleGraph> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`deno info ${entry} failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Every .ts/.tsx module of the layers' folders and root files (tests, bench, scripts aside). */
async function productionFiles(rootDir: string): Promise<string[]> {
  const units = [...LAYERS.flat(), WORKERS];
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${rootDir}/${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  for (const unit of units) {
    if (/\.tsx?$/.test(unit)) files.push(unit);
    else if (await isDirectory(`${rootDir}/${unit}`)) await walk(unit);
  }
  return files;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

if (import.meta.main) {
  const rootUrl = new URL("../", import.meta.url);
  Deno.chdir(rootUrl);
  const graphs = await Promise.all(ENTRY_POINTS.map(denoInfo));
  const report = checkLayers(graphs, rootUrl.href, await productionFiles("."));
  const lines = formatReport(report);
  for (const line of lines) console.error(line);
  if (lines.length > 0) Deno.exit(1);
  console.log(`layers: ok (${importsOf(graphs, rootUrl.href).length} imports checked)`);
}
