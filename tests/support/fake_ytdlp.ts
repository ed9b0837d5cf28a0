/**
 * A stand-in for the yt-dlp binary: an executable shell script in a temporary folder, handed to
 * the code as its yt-dlp path. Each run records its arguments, working directory and process ids,
 * then answers as told: canned stdout and stderr and an exit status, after waiting for
 * `release()` when `held`, or never (with a child process of its own, as yt-dlp has ffmpeg) when
 * `hang`. It runs under the same cleared environment as the real one.
 *
 *   await using ytdlp = await FakeYtdlp.create({ stdout: JSON.stringify(info) });
 *   await probeMedia(url, { ytdlpPath: ytdlp.path, timeoutMs }); (await ytdlp.run(1)).argv
 */
export interface FakeYtdlpAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** wait for release() before answering */
  held?: boolean;
  /** never answer: sleep (in a child process) until killed */
  hang?: boolean;
}

export interface FakeYtdlpRun {
  argv: string[];
  cwd: string;
  /** the script's own pid, then its child's when it hangs */
  pids: number[];
}

export class FakeYtdlp implements AsyncDisposable {
  private constructor(readonly dir: string, readonly path: string) {}

  static async create(answer: FakeYtdlpAnswer = {}): Promise<FakeYtdlp> {
    const dir = await Deno.makeTempDir({ prefix: "fake-ytdlp-" });
    const path = `${dir}/yt-dlp`;
    await Deno.writeTextFile(path, script(dir, answer), { mode: 0o755 });
    const fake = new FakeYtdlp(dir, path);
    await fake.answerWith(answer);
    return fake;
  }

  /** What later runs print and exit with (held and hang stay as created). */
  async answerWith(answer: Pick<FakeYtdlpAnswer, "stdout" | "stderr" | "exitCode">) {
    await Deno.writeTextFile(`${this.dir}/stdout`, answer.stdout ?? "");
    await Deno.writeTextFile(`${this.dir}/stderr`, answer.stderr ?? "");
    await Deno.writeTextFile(`${this.dir}/exit`, String(answer.exitCode ?? 0));
  }

  /** How many runs have started. */
  async runCount(): Promise<number> {
    let count = 0;
    for await (const entry of Deno.readDir(this.dir)) {
      if (/^argv\.\d+$/.test(entry.name)) count++;
    }
    return count;
  }

  /** The nth run (1-based); undefined until it has recorded itself. */
  async run(n: number): Promise<FakeYtdlpRun | undefined> {
    let pids: string;
    try {
      pids = await Deno.readTextFile(`${this.dir}/pids.${n}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const argv = await Deno.readTextFile(`${this.dir}/argv.${n}`);
    return {
      argv: argv.split("\0").slice(0, -1),
      cwd: (await Deno.readTextFile(`${this.dir}/cwd.${n}`)).trim(),
      pids: pids.split("\n").filter(Boolean).map(Number),
    };
  }

  /** Lets held runs answer. */
  async release(): Promise<void> {
    await Deno.writeTextFile(`${this.dir}/go`, "");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** True while a process runs (a zombie has ended: only its parent has yet to read its status). */
export function isRunning(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function script(dir: string, answer: FakeYtdlpAnswer): string {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const at = quote(dir);
  // pids.N is written last, renamed into place: once it is there, the run is recorded whole
  const recordPids = (format: string, values: string) =>
    `printf '${format}' ${values} > ${at}/pids.tmp.$n && mv ${at}/pids.tmp.$n ${at}/pids.$n`;
  return [
    "#!/bin/sh",
    "n=1",
    `while [ -e ${at}/argv.$n ]; do n=$((n + 1)); done`,
    `printf '%s\\0' "$@" > ${at}/argv.$n`,
    `pwd > ${at}/cwd.$n`,
    ...(answer.hang
      ? ["sleep 600 &", recordPids("%s\\n%s\\n", "$$ $!"), "wait", "exit 1"]
      : [recordPids("%s\\n", "$$")]),
    ...(answer.held ? [`while [ ! -e ${at}/go ]; do sleep 0.05; done`] : []),
    `cat ${at}/stdout`,
    `cat ${at}/stderr >&2`,
    `exit "$(cat ${at}/exit)"`,
    "",
  ].join("\n");
}
