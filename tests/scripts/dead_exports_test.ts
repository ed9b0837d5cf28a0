/**
 * No dead exports: a production module's exported value (function, constant, class) is imported
 * by another module (a test counts), and an exported type is imported or used by its own module.
 * Read from `deno doc --json`, which lists each module's exports and imports.
 */
import { assertEquals } from "../support/assert.ts";

interface DocJson {
  nodes: Record<string, {
    imports?: { originalName: string; src: string }[];
    symbols?: { name: string; declarations: { declarationKind: string; kind: string }[] }[];
  }>;
}

const TYPE_KINDS = new Set(["interface", "typeAlias"]);

/** Exports of production modules nothing uses, as "path: name"; `sources` by path. */
function deadExports(doc: DocJson, root: string, sources: Map<string, string>): string[] {
  const imported = new Set<string>();
  for (const node of Object.values(doc.nodes)) {
    for (const { src, originalName } of node.imports ?? []) imported.add(`${src} ${originalName}`);
  }
  const dead: string[] = [];
  for (const [specifier, node] of Object.entries(doc.nodes)) {
    const path = specifier.slice(root.length);
    if (!specifier.startsWith(root) || /^(tests|bench|scripts)\//.test(path)) continue;
    const code = (sources.get(path) ?? "").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    for (const symbol of node.symbols ?? []) {
      const exported = symbol.declarations.find((d) => d.declarationKind === "export");
      if (!exported || imported.has(`${specifier} ${symbol.name}`)) continue;
      const uses = code.match(new RegExp(`(?<![\\w$.])${symbol.name}(?![\\w$])`, "g"))?.length ?? 0;
      if (TYPE_KINDS.has(exported.kind) && uses > 1) continue;
      dead.push(`${path}: ${symbol.name}`);
    }
  }
  return dead.sort();
}

async function typeScriptFiles(root: URL): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".") || ["data", "node_modules"].includes(entry.name)) continue;
      const url = new URL(entry.isDirectory ? `${entry.name}/` : entry.name, dir);
      if (entry.isDirectory) await walk(url);
      else if (/\.tsx?$/.test(entry.name)) {
        files.set(url.href.slice(root.href.length), await Deno.readTextFile(url));
      }
    }
  };
  await walk(root);
  return files;
}

async function docOf(root: URL, paths: string[]): Promise<DocJson> {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...paths],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!success) throw new Error("deno doc failed");
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("[scripts/dead_exports] a value nobody imports and a type nobody uses are dead", async () => {
  const dir = await Deno.makeTempDir();
  const root = new URL(`file://${dir}/`);
  try {
    const sources = new Map([
      [
        "lib/a.ts",
        [
          "export interface Options { size: number }",
          "export type Unused = string;",
          "export function used(options: Options) { return options.size; }",
          "export function onlyHere() { return 1; }",
          "export const FOR_TESTS = 2;",
          "export const dead = onlyHere();",
        ].join("\n"),
      ],
      ["main.ts", 'import { used } from "./lib/a.ts";\nused({ size: 1 });\n'],
      ["tests/a_test.ts", 'import { FOR_TESTS } from "../lib/a.ts";\nconsole.log(FOR_TESTS);\n'],
    ]);
    for (const [path, text] of sources) {
      await Deno.mkdir(new URL(".", new URL(path, root)), { recursive: true });
      await Deno.writeTextFile(new URL(path, root), text);
    }
    const doc = await docOf(root, [...sources.keys()]);
    assertEquals(deadExports(doc, root.href, sources), [
      "lib/a.ts: Unused",
      "lib/a.ts: dead",
      "lib/a.ts: onlyHere",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[scripts/dead_exports] the repository exports nothing dead", async () => {
  const root = new URL("../../", import.meta.url);
  const sources = await typeScriptFiles(root);
  const doc = await docOf(root, [...sources.keys()]);
  assertEquals(deadExports(doc, root.href, sources), []);
});
