/**
 * A strict reader for the YAML docker-compose.yml is written in: block mappings and sequences
 * indented by spaces, flow sequences of scalars, plain and quoted scalars (all read as strings),
 * comments. Anything else (tabs, anchors and aliases, tags, block scalars, flow mappings, several
 * documents) is an error, so the file stays in a form this reader understands as Compose does.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue } | null;

interface Line {
  number: number;
  indent: number;
  text: string;
}

export function parseComposeYaml(source: string): YamlValue {
  const lines: Line[] = [];
  for (const [index, raw] of source.split("\n").entries()) {
    const number = index + 1;
    if (raw.includes("\t")) throw new Error(`line ${number}: a tab`);
    const text = stripComment(raw, number).trimEnd();
    if (text.trim() === "") continue;
    if (text.trim() === "---" || text.trim() === "...") {
      throw new Error(`line ${number}: several documents`);
    }
    lines.push({ number, indent: text.length - text.trimStart().length, text: text.trim() });
  }
  const at = { index: 0 };
  const value = parseBlock(lines, at, 0);
  if (at.index < lines.length) throw new Error(`line ${lines[at.index].number}: bad indentation`);
  return value;
}

function parseBlock(lines: Line[], at: { index: number }, indent: number): YamlValue {
  const first = lines[at.index];
  if (!first || first.indent < indent) return null;
  return first.text.startsWith("- ") || first.text === "-"
    ? parseSequence(lines, at, first.indent)
    : parseMapping(lines, at, first.indent);
}

function parseSequence(lines: Line[], at: { index: number }, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (at.index < lines.length && lines[at.index].indent === indent) {
    const line = lines[at.index];
    if (!line.text.startsWith("- ")) throw new Error(`line ${line.number}: expected "- "`);
    const rest = line.text.slice(2).trim();
    if (/^[^"'[][^:]*:(\s|$)/.test(rest)) {
      throw new Error(`line ${line.number}: mappings in sequences are not used here`);
    }
    items.push(parseScalarOrFlow(rest, line.number));
    at.index++;
  }
  return items;
}

function parseMapping(
  lines: Line[],
  at: { index: number },
  indent: number,
): { [key: string]: YamlValue } {
  const mapping: { [key: string]: YamlValue } = {};
  while (at.index < lines.length && lines[at.index].indent === indent) {
    const line = lines[at.index];
    const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line.text);
    if (!match) throw new Error(`line ${line.number}: expected "key: value"`);
    const [, key, rest] = match;
    if (key in mapping) throw new Error(`line ${line.number}: ${key} given twice`);
    at.index++;
    if (rest !== undefined && rest !== "") {
      mapping[key] = parseScalarOrFlow(rest, line.number);
    } else {
      const next = lines[at.index];
      mapping[key] = next && next.indent > indent ? parseBlock(lines, at, next.indent) : null;
    }
  }
  if (at.index < lines.length && lines[at.index].indent > indent) {
    throw new Error(`line ${lines[at.index].number}: bad indentation`);
  }
  return mapping;
}

function parseScalarOrFlow(text: string, number: number): YamlValue {
  if (/^[&*!|>{?%@`]/.test(text)) {
    throw new Error(`line ${number}: ${text[0]} (anchors, tags, block scalars, flow mappings)`);
  }
  if (!text.startsWith("[")) return parseScalar(text, number);
  if (!text.endsWith("]")) throw new Error(`line ${number}: a flow sequence on several lines`);
  const items: string[] = [];
  const inner = text.slice(1, -1).trim();
  let rest = inner;
  while (rest !== "") {
    const token = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,"'[\]{}]+)\s*(?:,\s*|$)/.exec(rest);
    if (!token) throw new Error(`line ${number}: cannot read ${rest}`);
    items.push(parseScalar(token[1].trim(), number));
    rest = rest.slice(token[0].length);
  }
  return items;
}

function parseScalar(text: string, number: number): string {
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\["\\])*"$/.test(text)) throw new Error(`line ${number}: ${text}`);
    return text.slice(1, -1).replace(/\\(["\\])/g, "$1");
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new Error(`line ${number}: ${text}`);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  // in block context only ": " and " #" end a plain scalar (flow items are split before this)
  if (/: |\s#/.test(text)) throw new Error(`line ${number}: quote ${text}`);
  return text;
}

/** The line without its comment: a # at its start or after a space, outside quotes. */
function stripComment(raw: string, number: number): string {
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      if (i === 0 || /[\s[,:-]/.test(raw[i - 1])) quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(raw[i - 1]))) {
      return raw.slice(0, i);
    }
  }
  if (quote) throw new Error(`line ${number}: an unclosed quote`);
  return raw;
}
