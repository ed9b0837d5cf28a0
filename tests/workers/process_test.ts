import { lineSplitter, runProcess, useEgressProxy } from "../../workers/process.ts";
import { MediaError } from "../../media/media_types.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../support/assert.ts";

/** Runs a snippet in a child Deno, so the tests need no shell and no extra binaries. */
function denoEval(code: string): [string, string[]] {
  return [Deno.execPath(), ["eval", "--quiet", code]];
}

async function expectMediaError(run: () => Promise<unknown>, code: string): Promise<MediaError> {
  const error = await assertRejects(run);
  assert(error instanceof MediaError, `expected a MediaError, got ${error}`);
  assertEquals(error.code, code);
  return error;
}

function isGone(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

Deno.test("[workers/process] collects stdout, the exit code and the tail of stderr", async () => {
  const [binary, args] = denoEval("console.log('hello'); console.error('oops'); Deno.exit(3)");
  const result = await runProcess(binary, args, { timeoutMs: 10_000 });
  assertEquals(result.code, 3);
  assertEquals(result.stdout, "hello\n");
  assertMatch(result.stderrTail, /oops/);
});

Deno.test("[workers/process] streams stdout and stderr line by line instead of collecting", async () => {
  const [binary, args] = denoEval(
    "await Deno.stdout.write(new TextEncoder().encode('a\\r\\nb\\rc\\n\\nlast'));" +
      "console.error('e1'); console.error('e2');",
  );
  const out: string[] = [];
  const err: string[] = [];
  const result = await runProcess(binary, args, {
    timeoutMs: 10_000,
    onStdoutLine: (line) => out.push(line),
    onStderrLine: (line) => err.push(line),
  });
  assertEquals(out, ["a", "b", "c", "last"]);
  assertEquals(err, ["e1", "e2"]);
  assertEquals(result.stdout, "");
});

Deno.test("[workers/process] keeps only the last 8 kB of stderr", async () => {
  const [binary, args] = denoEval("console.error('x'.repeat(100_000) + 'END')");
  const result = await runProcess(binary, args, { timeoutMs: 10_000 });
  assert(result.stderrTail.length <= 8 * 1024, `tail is ${result.stderrTail.length} chars`);
  assertMatch(result.stderrTail, /xEND\n$/);
});

Deno.test("[workers/process] stops a process that prints more stdout than allowed", async () => {
  const [binary, args] = denoEval("console.log('y'.repeat(10_000))");
  const error = await expectMediaError(
    () => runProcess(binary, args, { timeoutMs: 10_000, maxStdoutBytes: 1_000 }),
    "failed",
  );
  assertMatch(error.message, /more output than allowed/);
});

Deno.test("[workers/process] a timeout kills the process and is retryable", async () => {
  const started = Date.now();
  const error = await expectMediaError(
    () => runProcess("sleep", ["30"], { timeoutMs: 200 }),
    "timeout",
  );
  assert(error.retryable, "a timeout may pass on a later try");
  assert(Date.now() - started < 3_000, "should stop right after the timeout");
});

Deno.test("[workers/process] aborting kills the process and its children", async () => {
  const [binary, args] = denoEval(
    "const c = new Deno.Command('sleep', { args: ['30'] }).spawn(); console.log(c.pid); await c.status;",
  );
  const controller = new AbortController();
  let grandchild = 0;
  const started = Date.now();
  await expectMediaError(
    () =>
      runProcess(binary, args, {
        timeoutMs: 10_000,
        signal: controller.signal,
        onStdoutLine: (line) => {
          grandchild = Number(line);
          controller.abort();
        },
      }),
    "cancelled",
  );
  assert(Date.now() - started < 5_000, "should stop right after the abort");
  assert(grandchild > 0, "the child should have reported its own child");
  // SIGKILL is delivered asynchronously: give the kernel a moment under load
  const deadline = Date.now() + 2_000;
  while (!isGone(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert(isGone(grandchild), `sleep ${grandchild} outlived the cancelled parent`);
});

Deno.test("[workers/process] a process ignoring SIGTERM gets SIGKILL after the grace period", async () => {
  const [binary, args] = denoEval(
    "Deno.addSignalListener('SIGTERM', () => {}); console.log('ready'); setTimeout(() => {}, 30_000);",
  );
  const controller = new AbortController();
  const started = Date.now();
  await expectMediaError(
    () =>
      runProcess(binary, args, {
        timeoutMs: 10_000,
        killGraceMs: 300,
        signal: controller.signal,
        onStdoutLine: () => controller.abort(),
      }),
    "cancelled",
  );
  assert(Date.now() - started < 5_000, "SIGKILL should follow the grace period");
});

Deno.test("[workers/process] an already aborted signal starts nothing", async () => {
  await expectMediaError(
    () => runProcess("sleep", ["30"], { timeoutMs: 10_000, signal: AbortSignal.abort() }),
    "cancelled",
  );
});

Deno.test("[workers/process] a missing binary is a clear failure", async () => {
  const error = await expectMediaError(
    () => runProcess("/nonexistent/yt-dlp", [], { timeoutMs: 1_000 }),
    "failed",
  );
  assertMatch(error.message, /not installed/);
});

Deno.test("[workers/process] a throwing line callback stops the process with that error", async () => {
  const error = await assertRejects(
    () =>
      runProcess(...denoEval("console.log('boom'); setTimeout(() => {}, 30_000)"), {
        timeoutMs: 10_000,
        onStdoutLine: () => {
          throw new Error("bad line");
        },
      }),
    /bad line/,
  );
  assert(!(error instanceof MediaError));
});

Deno.test("[workers/process] lineSplitter joins lines split across chunks and cuts endless ones", () => {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line), 5);
  splitter.push("ab");
  splitter.push("c\r");
  splitter.push("\nabcdefgh");
  splitter.push("ijk\nok");
  splitter.end();
  assertEquals(lines, ["abc", "abcde", "ok"]);
});

Deno.test("[workers/process] a subprocess gets a cleared environment, and every scheme goes to the egress proxy", async () => {
  const [binary, args] = denoEval("console.log(JSON.stringify(Deno.env.toObject()))");
  const env = async () =>
    JSON.parse((await runProcess(binary, args, { timeoutMs: 30_000 })).stdout);
  const planted = {
    MEDIABOT_TEST_TOKEN: "123:secret",
    no_proxy: "*",
    ftp_proxy: "http://10.0.0.1:21",
    // where yt-dlp's Deno finds its challenge solver's npm packages
    DENO_DIR: "/srv/deno-dir",
  };
  for (const [name, value] of Object.entries(planted)) Deno.env.set(name, value);
  const release = useEgressProxy("http://127.0.0.1:9");
  try {
    const seen: Record<string, string> = await env();
    assertEquals(seen.MEDIABOT_TEST_TOKEN, undefined, "no token reaches a media tool");
    for (const scheme of ["http", "https", "ftp", "all"]) {
      assertEquals(seen[`${scheme}_proxy`], "http://127.0.0.1:9", scheme);
      assertEquals(seen[`${scheme.toUpperCase()}_PROXY`], "http://127.0.0.1:9", scheme);
    }
    assertEquals([seen.no_proxy, seen.NO_PROXY], ["", ""], "nothing bypasses the guard");
    assertEquals(seen.DENO_DIR, "/srv/deno-dir");
    const allowed = ["PATH", "HOME", "TMPDIR", "LANG", "DENO_DIR", "XDG_CACHE_HOME"];
    const unexpected = Object.keys(seen).filter((name) =>
      !allowed.includes(name) && !/^(http|https|ftp|all|no)_proxy$/i.test(name)
    );
    assertEquals(unexpected, []);
  } finally {
    release();
    for (const name of Object.keys(planted)) Deno.env.delete(name);
  }
  const unguarded: Record<string, string> = await env();
  assertEquals(Object.keys(unguarded).filter((name) => /proxy/i.test(name)), []);
});
