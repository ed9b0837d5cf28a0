/**
 * main.ts as Deno Deploy runs it: `--allow-net --allow-env --allow-read` only (no file written,
 * no subprocess), WORKERS=0, webhook mode. KV is `:memory:` (a file KV needs --allow-write; on
 * Deploy the platform's KV is opened instead). Telegram delivers to the webhook; a fleet worker
 * does the media work over the worker API, as it would next to Deploy.
 */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { spawnWorker, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { TEST_METRICS_TOKEN } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { loadConfig } from "../../config.ts";
import { runTelegramSetup } from "../../scripts/telegram_setup.ts";
import { CHART_HEIGHT, CHART_WIDTH } from "../../views/stats_chart.ts";

const SECRET = "deploy-like-secret";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("[e2e/deploy] main.ts without write or run permission, in webhook mode: routes and commands work, /stats' chart included", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    PUBLIC_URL: url,
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    LISTEN_HOST: "127.0.0.1",
    KV_PATH: ":memory:",
    WORKERS: "0",
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ALLOW_PRIVATE_URLS: "true",
    LOG_LEVEL: "error",
  };
  const app = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "main.ts"],
    cwd: new URL("../..", import.meta.url).pathname,
    clearEnv: true,
    env: { ...env, PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = app.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let errors = "";
  const reading = (async () => {
    for (let chunk = await stderr.read(); !chunk.done; chunk = await stderr.read()) {
      errors += chunk.value;
    }
  })();
  const worker = spawnWorker(url, telegram, "deploy-fleet");
  try {
    const health = await waitUntil(async () => {
      const answer = await fetch(`${url}/healthz`).catch(() => undefined);
      return answer?.ok ? await answer.json() : await answer?.body?.cancel();
    }, "the app listening");
    assertEquals(health.status, "ok");
    assertMatch(health.kv.id, /^[0-9a-f-]{36}$/);

    // the operator's `deno task telegram:setup`, from outside the app (its own KV here)
    const setupKv = await Deno.openKv(":memory:");
    await runTelegramSetup(loadConfig(env), setupKv);
    setupKv.close();

    // routes
    const metrics = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    assertMatch(await metrics.text(), /^mediabot_queue_depth \d+$/m);
    const forged = await fetch(`${url}/telegram/webhook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": "wrong" },
      body: "{}",
    });
    assertEquals(forged.status, 401);
    await forged.body?.cancel();
    const claim = await fetch(`${url}/worker/v1/claim`, { method: "POST" });
    assertEquals(claim.status, 401);
    await claim.body?.cancel();
    const page = await fetch(`${url}/p/${"x".repeat(22)}`);
    assertEquals(page.status, 404);
    await page.body?.cancel();

    // commands, through the webhook
    const user = telegram.user(7401, { languageCode: "en" });
    const answered = (pattern: RegExp) =>
      telegram.waitFor(() =>
        telegram.messages(user.id).find((m) => pattern.test(m.text ?? m.caption ?? ""))
      );
    user.sendText("/start");
    await answered(/MediaBot/);
    user.sendText("/help");
    await answered(/quota|24 hours/i);
    user.sendText("/settings");
    await answered(/Settings/i);
    user.sendText("/profile");
    await answered(/Level/i);

    // a link: the fleet worker probes it, the app shows the preview, the worker delivers
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "360p"));
    await waitForFile(telegram, user.id, "video");

    // /stats: the chart as a PNG, drawn with the font that ships with the code
    const before = telegram.messages(user.id).length;
    user.sendText("/stats");
    const chart = await telegram.waitFor(() =>
      telegram.messages(user.id).slice(before).find((m) => m.media?.kind === "photo")
    );
    assertEquals([chart.media?.width, chart.media?.height], [CHART_WIDTH, CHART_HEIGHT]);
    assertMatch(chart.caption ?? "", /Your last 30 days/);
    assert(telegram.webhookDeliveries.every((d) => d.status === 200), "every update answered 200");
    assert(!/NotCapable|PermissionDenied/.test(errors), errors);
  } finally {
    await worker.stop();
    app.kill("SIGTERM");
    const status = await app.status;
    await reading;
    assert(!/NotCapable|PermissionDenied/.test(errors), errors);
    assertEquals(status.code, 0, errors);
  }
});
