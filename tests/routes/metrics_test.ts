/** /metrics: read with METRICS_TOKEN as a bearer token, and off while that is unset. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startTestSystem, TEST_METRICS_TOKEN } from "../support/system.ts";
import { ConfigError, loadConfig } from "../../config.ts";

function assertThrows(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

Deno.test("[routes/metrics] /metrics answers only the bearer of METRICS_TOKEN", async () => {
  await using bed = await startTestSystem({ WORKERS: "0", METRICS_TOKEN: TEST_METRICS_TOKEN });
  const { app } = bed.system;
  const scrape = (authorization?: string) =>
    app.request("/metrics", { headers: authorization ? { authorization } : {} });
  const refused = [
    undefined,
    "",
    "Bearer",
    `Bearer ${TEST_METRICS_TOKEN}x`,
    `Bearer ${TEST_METRICS_TOKEN.slice(0, -1)}`,
    `bearer ${TEST_METRICS_TOKEN}`,
    TEST_METRICS_TOKEN,
    `Basic ${btoa(`prometheus:${TEST_METRICS_TOKEN}`)}`,
  ];
  for (const authorization of refused) {
    const response = await scrape(authorization);
    assertEquals(response.status, 401, `authorization: ${authorization}`);
    assertEquals(response.headers.get("www-authenticate"), "Bearer");
    assert(!(await response.text()).includes("mediabot_"), "no figure leaks");
  }
  const scraped = await scrape(`Bearer ${TEST_METRICS_TOKEN}`);
  assertEquals(scraped.status, 200);
  assertMatch(await scraped.text(), /^mediabot_queue_depth 0$/m);
  const health = await app.request("/healthz");
  assertEquals(health.status, 200, "/healthz stays open to load balancers");
  await health.body?.cancel();
});

Deno.test("[routes/metrics] without METRICS_TOKEN, /metrics is off and says how to turn it on", async () => {
  await using bed = await startTestSystem({ WORKERS: "0", METRICS_TOKEN: "" });
  const response = await bed.system.app.request("/metrics", {
    headers: { authorization: "Bearer anything-at-all-0123456789" },
  });
  assertEquals(response.status, 403);
  const text = await response.text();
  assert(!text.includes("mediabot_"), "no figure leaks");
  assertMatch(text, /METRICS_TOKEN/);
});

Deno.test("[routes/metrics] a METRICS_TOKEN shorter than 16 characters stops the start, named", () => {
  const error = assertThrows(() =>
    loadConfig({ BOT_TOKEN: "123:abc", METRICS_TOKEN: "too-short" })
  );
  assert(error instanceof ConfigError, String(error));
  assertMatch(error.message, /METRICS_TOKEN must be at least 16 characters/);
});
