/** What a log line keeps of an error: enough to find where it was thrown and why. */
import { assert, assertEquals } from "../support/assert.ts";
import { createLogger } from "../../lib/logger.ts";

/** The JSON lines the logger writes to stderr while `fn` runs. */
function linesLogged(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    fn();
  } finally {
    console.error = original;
  }
  return lines.map((line) => JSON.parse(line));
}

function openConnection(): never {
  throw new Error("could not reach the app", {
    cause: new TypeError("connection refused", { cause: { errno: -111 } }),
  });
}

Deno.test("[lib/logger] an error keeps its stack and its causes", () => {
  let thrown: unknown;
  try {
    openConnection();
  } catch (error) {
    thrown = error;
  }
  const [line] = linesLogged(() =>
    createLogger("info").warn("heartbeat failed", { error: thrown })
  );
  const error = line.error as Record<string, unknown>;
  assertEquals([error.name, error.message], ["Error", "could not reach the app"]);
  assert(String(error.stack).includes("at openConnection"), String(error.stack));
  const cause = error.cause as Record<string, unknown>;
  assertEquals([cause.name, cause.message], ["TypeError", "connection refused"]);
  assert(String(cause.stack).startsWith("TypeError: connection refused"), String(cause.stack));
  assertEquals(cause.cause, { errno: -111 });
});

Deno.test("[lib/logger] a cause that leads back to its error ends the chain, not the log line", () => {
  const outer = new Error("outer");
  const inner = new Error("inner", { cause: outer });
  outer.cause = inner;
  const [line] = linesLogged(() => createLogger("info").error("loop", { error: outer }));
  const error = line.error as { cause: { message: string; cause: unknown } };
  assertEquals(error.cause.message, "inner");
  assertEquals(error.cause.cause, "Error: outer (again)");
});
