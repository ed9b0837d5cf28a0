/**
 * scripts/image_setup.sh, the image's build steps (Dockerfile.worker), run on this machine: the
 * files the image would hold (.dockerignore applied) set up for a user of their own, then the
 * real worker started as that user. No Docker engine here: this is the image's steps, not the
 * image. It switches users, so it runs only as root.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { waitUntil } from "../support/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
/** the image's user: any non-root user with a group of its own will do */
const IMAGE_USER = { name: "nobody", uid: 65534, gid: 65534 };
/** docker-compose.yml runs the app under the Bot API server's uid, with the image's group */
const APP_UID = 101;
const isRoot = Deno.uid() === 0;

/** What `COPY . .` takes: the top-level entries .dockerignore does not name. */
async function copyImageFiles(into: string): Promise<string[]> {
  const patterns = (await Deno.readTextFile(`${ROOT}.dockerignore`)).split("\n")
    .map((line) => line.trim().replace(/\/$/, ""))
    .filter((line) => line && !line.startsWith("#"))
    .map((glob) => new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`));
  const copied: string[] = [];
  for await (const entry of Deno.readDir(ROOT)) {
    if (patterns.some((pattern) => pattern.test(entry.name))) continue;
    const { code } = await new Deno.Command("cp", {
      args: ["-a", `${ROOT}${entry.name}`, `${into}/`],
    }).output();
    assertEquals(code, 0, `copied ${entry.name}`);
    copied.push(entry.name);
  }
  return copied.sort();
}

async function run(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  as?: { uid: number; gid: number },
): Promise<{ code: number; output: string }> {
  const switchUser = as
    ? ["setpriv", `--reuid=${as.uid}`, `--regid=${as.gid}`, "--clear-groups", "--"]
    : [];
  const [program, ...args] = [...switchUser, ...command];
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    cwd,
    // as root it reaches the npm registry as this machine does (proxies, certificates); as the
    // image's user it gets only what the image sets
    env: as ? env : { ...Deno.env.toObject(), ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test({
  name:
    "[scripts/image_setup] the image's steps on Debian: the worker, run as the image's non-root user, writes its scratch and caches (runs only as root: it switches users)",
  ignore: !isRoot,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "image-setup-" });
    await Deno.chmod(root, 0o755);
    const app = `${root}/app`;
    const dataDir = `${root}/home/data`;
    const denoDir = `${root}/deno-dir`;
    await Deno.mkdir(app);
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: root,
      IMAGE_USER: IMAGE_USER.name,
      DATA_DIR: dataDir,
      DENO_DIR: denoDir,
    };
    let worker: Deno.ChildProcess | undefined;
    try {
      const copied = await copyImageFiles(app);
      for (const left of [".env", ".git", "data", "tests", "bench"]) {
        assert(!copied.includes(left), `${left} stays out of the image`);
      }
      const tools = await run(["bash", "scripts/image_setup.sh", "tools"], env, app);
      assertEquals(tools.code, 0, tools.output);
      const setup = await run(["bash", "scripts/image_setup.sh", "app"], env, app);
      assertEquals(setup.code, 0, setup.output);
      for (const folder of [dataDir, `${dataDir}/scratch`, `${dataDir}/ytdlp-cache`, denoDir]) {
        assertEquals(Deno.statSync(folder).uid, IMAGE_USER.uid, folder);
      }
      await Deno.writeTextFile(`${dataDir}/scratch/left-by-a-crash`, "");

      // the worker, as the image runs it, against an app that is not there yet
      const [program, ...args] = [
        "setpriv",
        `--reuid=${IMAGE_USER.uid}`,
        `--regid=${IMAGE_USER.gid}`,
        "--clear-groups",
        "--",
        Deno.execPath(),
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-sys",
        "--cached-only",
        "workers/main.ts",
      ];
      worker = new Deno.Command(program, {
        args,
        cwd: app,
        clearEnv: true,
        env: {
          ...env,
          HOME: "/nonexistent",
          APP_URL: "http://127.0.0.1:9",
          WORKER_TOKEN: "worker-token-0123456789",
          BOT_TOKEN: "123456:image-setup-test",
          TRANSLATOR: "none",
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const logs: string[] = [];
      const reading = [worker.stdout, worker.stderr].map((stream) =>
        stream.pipeThrough(new TextDecoderStream()).pipeTo(
          new WritableStream({ write: (chunk) => void logs.push(chunk) }),
        )
      );
      await waitUntil(
        () => Promise.resolve(logs.join("").includes('"worker started"')),
        "the worker started as the image's user",
        60_000,
      );
      // it emptied its scratch folder at start, which it could only do as its owner
      assertEquals([...Deno.readDirSync(`${dataDir}/scratch`)], []);
      worker.kill("SIGTERM");
      const status = await worker.status;
      await Promise.all(reading);
      worker = undefined;
      assertEquals(status.code, 0, logs.join(""));

      // yt-dlp's cache and Deno's, written by the image's user
      const writes = await run(
        ["bash", "-c", 'touch "$DATA_DIR/ytdlp-cache/entry" "$DENO_DIR/entry"'],
        env,
        app,
        IMAGE_USER,
      );
      assertEquals(writes.code, 0, writes.output);
      // the app in Compose: another uid, the image's group, its KV in DATA_DIR
      const kv = await run(
        [
          Deno.execPath(),
          "eval",
          "--unstable-kv",
          `const kv = await Deno.openKv("${dataDir}/bot.kv"); await kv.set(["up"], 1); kv.close();`,
        ],
        env,
        app,
        { uid: APP_UID, gid: IMAGE_USER.gid },
      );
      assertEquals(kv.code, 0, kv.output);
      assertEquals(Deno.statSync(`${dataDir}/bot.kv`).gid, IMAGE_USER.gid, "the folder's group");
    } finally {
      worker?.kill("SIGKILL");
      await worker?.status;
      await Deno.remove(root, { recursive: true });
    }
  },
});
