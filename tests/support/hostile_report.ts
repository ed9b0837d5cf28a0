/**
 * What a hostile-input test tried and what came of it. `deno task bench hostile` runs
 * tests/security/ with MEDIABOT_HOSTILE_REPORT set and records these lines in bench/RESULTS.md.
 */
export interface HostileOutcome {
  /** the class of attack, e.g. "colliding media ids" */
  name: string;
  /** how many hostile inputs were tried */
  inputs: number;
  /** requests that reached what they must not (a canary, a private address, another user's data) */
  escapes: number;
  /** files delivered that were not the one asked for */
  wrongFiles: number;
  /** processes or handlers that died */
  crashes: number;
}

export async function reportHostile(outcome: HostileOutcome): Promise<void> {
  const path = Deno.env.get("MEDIABOT_HOSTILE_REPORT");
  if (!path) return;
  await Deno.writeTextFile(path, JSON.stringify(outcome) + "\n", { append: true });
}
