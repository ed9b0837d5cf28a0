/** The hostile-input suite (tests/security/): every class of attack, how many inputs, what got through. */
import type { HostileOutcome } from "../tests/support/hostile_report.ts";

interface Row {
  name: string;
  result: string;
  target: string;
  met: boolean;
}

export async function benchHostile(): Promise<Row[]> {
  const report = await Deno.makeTempFile({ prefix: "mediabot-hostile-" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all", "--parallel", "tests/security/"],
      env: { MEDIABOT_HOSTILE_REPORT: report, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const summary = new TextDecoder().decode(run.stdout).match(/(ok|FAILED) \| .*/)?.[0] ?? "";
    const outcomes = (await Deno.readTextFile(report)).split("\n").filter(Boolean)
      .map((line) => JSON.parse(line) as HostileOutcome);
    const rows = outcomes.map((o) => ({
      name: `Hostile: ${o.name}`,
      result:
        `${o.inputs} inputs: ${o.escapes} escapes, ${o.wrongFiles} wrong files, ${o.crashes} crashes`,
      target: "0, 0, 0",
      met: o.escapes === 0 && o.wrongFiles === 0 && o.crashes === 0,
    }));
    const total = outcomes.reduce((sum, o) => sum + o.inputs, 0);
    rows.push({
      name: "Hostile-input suite (tests/security/)",
      result: `${total} inputs in ${outcomes.length} classes; deno test: ${summary}`,
      target: "every test passes",
      met: run.success,
    });
    return rows;
  } finally {
    await Deno.remove(report).catch(() => {});
  }
}
