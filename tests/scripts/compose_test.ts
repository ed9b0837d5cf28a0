/**
 * docker-compose.yml, .env.example, .dockerignore and .gitignore, checked without a Docker
 * engine: `docker compose config` when the Compose plugin is installed (it is not on the machine
 * this was written on), and always the file's structure, read by tests/support/compose_yaml.ts,
 * against what the app and the workers need: each service's environment loads with config.ts,
 * secrets come as files, health checks gate the start, images are pinned.
 */
import { assert, assertEquals, assertMatch, assertThrows } from "../support/assert.ts";
import { parseComposeYaml, type YamlValue } from "../support/compose_yaml.ts";
import { loadConfig, loadWorkerConfig } from "../../config.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const COMPOSE_FILE = `${ROOT}docker-compose.yml`;

type Mapping = { [key: string]: YamlValue };

function mapping(value: YamlValue | undefined, what: string): Mapping {
  assert(value && typeof value === "object" && !Array.isArray(value), `${what} is a mapping`);
  return value as Mapping;
}

function strings(value: YamlValue | undefined, what: string): string[] {
  assert(Array.isArray(value) && value.every((v) => typeof v === "string"), `${what}: strings`);
  return value as string[];
}

/** .env.example's settings, as Compose reads a .env file. */
function envExample(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of Deno.readTextFileSync(`${ROOT}.env.example`).split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) settings[match[1]] = match[2];
  }
  return settings;
}

/** Compose's `${NAME}` and `${NAME:-default}`; an unset variable without a default fails. */
function interpolate(text: string, settings: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name, fallback) => {
    const value = settings[name];
    if (value !== undefined && value !== "") return value;
    assert(fallback !== undefined, `${name} is in .env.example or has a default`);
    return fallback;
  });
}

function composeFile(): Mapping {
  return mapping(parseComposeYaml(Deno.readTextFileSync(COMPOSE_FILE)), "the file");
}

function composeAvailable(): boolean {
  try {
    return new Deno.Command("docker", {
      args: ["compose", "version"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

const hasCompose = composeAvailable();

Deno.test({
  name: hasCompose
    ? "[compose] docker compose config accepts docker-compose.yml"
    : "[compose] docker compose config accepts docker-compose.yml — skipped: the `docker compose` plugin is not installed on this machine",
  ignore: !hasCompose,
  fn: async () => {
    const { code, stderr } = await new Deno.Command("docker", {
      args: ["compose", "--env-file", ".env.example", "-f", COMPOSE_FILE, "config", "--quiet"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
  },
});

Deno.test("[compose] the reader of docker-compose.yml refuses what it does not understand", () => {
  assertEquals(parseComposeYaml("a:\n  b: [x, \"y z\"] # note\n  c:\n    - 'd'\n"), {
    a: { b: ["x", "y z"], c: ["d"] },
  });
  for (const text of ["a: &x 1", "a: *x", "a: |\n  b", "a: { b: c }", "a:\n\tb: c", "a: 1\na: 2"]) {
    assertThrows(() => parseComposeYaml(text));
  }
});

Deno.test("[compose] health checks gate the start, and every image is pinned", () => {
  const services = mapping(composeFile().services, "services");
  assertEquals(Object.keys(services).sort(), ["app", "telegram-bot-api", "worker"]);
  for (const [name, value] of Object.entries(services)) {
    const service = mapping(value, name);
    const image = interpolate(String(service.image), envExample());
    const tag = /:([^:/]+)$/.exec(image)?.[1];
    assert(tag && tag !== "latest", `${name}'s image ${image} names a version`);
    if (!service.build) assertMatch(tag, /^\d+(\.\d+)*$/, `${name}'s image is a release`);
    const dependsOn = mapping(service.depends_on ?? {}, `${name}.depends_on`);
    for (const [needed, condition] of Object.entries(dependsOn)) {
      assertEquals(mapping(condition, needed).condition, "service_healthy", `${name} → ${needed}`);
      const check = mapping(mapping(services[needed], needed).healthcheck, `${needed}.healthcheck`);
      assertEquals(strings(check.test, `${needed}'s health check`)[0], "CMD");
    }
  }
  const appCheck = strings(mapping(mapping(services.app, "app").healthcheck, "").test, "app");
  assert(appCheck.some((word) => word.endsWith(":8000/healthz")), "the app's check is /healthz");
  assert(mapping(services.worker, "worker").depends_on, "workers wait for the app");
  assert(mapping(services.app, "app").depends_on, "the app waits for the Bot API server");
});

Deno.test("[compose] the app's and the workers' environments load, their secrets read from files", async () => {
  const file = composeFile();
  const services = mapping(file.services, "services");
  const secrets = mapping(file.secrets, "secrets");
  const settings = envExample();
  const dir = await Deno.makeTempDir({ prefix: "compose-secrets-" });
  const values: Record<string, string> = {
    bot_token: "123456:ABC-compose-test",
    worker_token: "worker-token-0123456789",
    webhook_secret: "webhook-secret-0123",
    metrics_token: "metrics-token-0123456789",
    cookies_key: btoa("k".repeat(32)),
  };
  try {
    for (const [name, secret] of Object.entries(secrets)) {
      const path = String(mapping(secret, name).file);
      assertEquals(path, `./secrets/${name}`, "secrets are files in ./secrets/");
      await Deno.writeTextFile(`${dir}/${name}`, `${values[name] ?? "1"}\n`);
    }
    const environments: Record<string, Record<string, string>> = {};
    for (const [name, value] of Object.entries(services)) {
      const service = mapping(value, name);
      const granted = strings(service.secrets ?? [], `${name}.secrets`);
      const env: Record<string, string> = {};
      for (const [key, raw] of Object.entries(mapping(service.environment, name))) {
        assert(key !== "HOSTNAME", "HOSTNAME is Docker's (the container id)");
        const text = interpolate(String(raw), settings);
        const secret = /^\/run\/secrets\/(.+)$/.exec(text)?.[1];
        if (secret) {
          assert(key.endsWith("_FILE"), `${name}: ${key} names a file`);
          assert(granted.includes(secret) && secret in secrets, `${name} is given ${secret}`);
          env[key] = `${dir}/${secret}`;
        } else {
          assert(!/TOKEN|SECRET|KEY|HASH/.test(key), `${name}: ${key} is a secret, from a file`);
          env[key] = text;
        }
      }
      environments[name] = env;
    }
    const knownVariables = new Set(
      [...Deno.readTextFileSync(`${ROOT}config.ts`).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)]
        .map((match) => match[1]),
    );
    for (const service of ["app", "worker"]) {
      for (const key of Object.keys(environments[service])) {
        assert(knownVariables.has(key.replace(/_FILE$/, "")), `${service}: ${key} is read`);
      }
    }
    const app = loadConfig(environments.app);
    assertEquals(app.botToken, values.bot_token);
    assertEquals(app.workerToken, values.worker_token);
    assertEquals(app.hostname, "0.0.0.0");
    assertEquals(app.workers, 0);
    const worker = loadWorkerConfig(environments.worker);
    assertEquals([worker.botToken, worker.workerToken], [values.bot_token, values.worker_token]);
    assertEquals(worker.appUrl, "http://app:8000");
    assertEquals(worker.telegramApiRoot, app.telegramApiRoot);

    // the Bot API server's folder, read-only in the app at the same path
    const botApi = mapping(services["telegram-bot-api"], "telegram-bot-api");
    assertEquals(mapping(botApi.environment, "").TELEGRAM_LOCAL, "1");
    const serverMount = strings(botApi.volumes, "telegram-bot-api.volumes")[0];
    assertEquals(serverMount, `bot-api-data:${app.telegramLocalDir}`);
    assert(
      strings(mapping(services.app, "app").volumes, "app.volumes")
        .includes(`bot-api-data:${app.telegramLocalDir}:ro`),
      "the app mounts it read-only",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[compose] workers keep job files where the Bot API server reads them, and have time to hand jobs back", () => {
  const services = mapping(composeFile().services, "services");
  const worker = mapping(services.worker, "worker");
  const environment = mapping(worker.environment, "worker");
  const dataDir = String(environment.DATA_DIR);
  // DATA_DIR (yt-dlp's cache) on an anonymous volume, one per container; job files in the local
  // server's folder, mounted at the same path in both, one folder per worker inside it
  const serverMount = strings(
    mapping(services["telegram-bot-api"], "telegram-bot-api").volumes,
    "telegram-bot-api.volumes",
  )[0];
  assertEquals(strings(worker.volumes, "worker.volumes"), [dataDir, serverMount]);
  const serverDir = serverMount.split(":")[1];
  assert(String(environment.TELEGRAM_SHARED_DIR).startsWith(`${serverDir}/`));
  // the server's uid, so the worker can write in the server's folder
  assertEquals(worker.user, mapping(services.app, "app").user);
  const grace = /^(\d+)s$/.exec(String(worker.stop_grace_period));
  assert(grace, "stop_grace_period in seconds");
  // workers/pool.ts: 20 s for running jobs, then a hand-back call with a 10 s deadline
  assert(Number(grace[1]) > 20 + 10, `${grace[1]} s leaves time to hand jobs back`);
});

Deno.test("[compose] secrets and local data stay out of git and out of the image", () => {
  const lines = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`).split("\n");
  const ignoredByGit = lines(".gitignore");
  for (const entry of [".env", "secrets/", "data/"]) assert(ignoredByGit.includes(entry), entry);
  const ignoredByDocker = lines(".dockerignore");
  for (const entry of [".env", "secrets/", "data/", ".git", "tests/", "bench/"]) {
    assert(ignoredByDocker.includes(entry), entry);
  }
  const example = envExample();
  for (const name of Object.keys(example)) {
    assert(!/TOKEN|SECRET|KEY|HASH/.test(name), `${name} is a secret: ./secrets/, not .env`);
  }
});
