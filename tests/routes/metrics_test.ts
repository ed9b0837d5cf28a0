/** /metrics: read with METRICS_TOKEN as a bearer token, and off while that is unset. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startTestSystem, TEST_METRICS_TOKEN } from "../support/system.ts";

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
