/**
 * A job's cookies over /worker/v1: handed to the worker holding the job's lease and to no one
 * else (another lease, a job that ended, a caller without the token), and how they fared
 * reported back by that worker only.
 */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { serveApp, TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { httpTransport, WorkerApiError } from "../../workers/http_transport.ts";
import { listCookieSets } from "../../kv/cookies.ts";

const COOKIES_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

Deno.test("[routes/worker_api] a job's cookies go to its lease's holder only, who alone reports how they fared", async () => {
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-worker-cookies-" });
  const app = await serveApp(telegram, dataDir, { env: { COOKIES_KEY } });
  const transport = httpTransport(app.url, TEST_WORKER_TOKEN);
  const claiming = new AbortController();
  try {
    const { system } = app;
    const secret = `sid-${crypto.randomUUID()}`;
    const added = await system.cookies.add(
      { id: 1, name: "Ada" },
      `.x.test\tTRUE\t/\tTRUE\t0\tSID\t${secret}\n`,
    );
    assert(added.ok);
    const job = await system.queue.enqueue({
      userId: 1,
      chatId: 1,
      payload: { kind: "probe", url: "https://www.x.test/watch?v=1", lang: "en" },
    });
    const claim = await transport.claim("w1", claiming.signal);
    assertEquals(claim?.job.id, job.id);
    const leaseId = claim!.leaseId;

    const sets = await transport.cookies(job.id, leaseId);
    assertEquals(sets.map((set) => set.id), [added.set.id]);
    assert(sets[0].text.includes(secret));
    assert(!JSON.stringify(claim).includes(secret), "the claim itself carries no cookie");

    const refused = await assertRejects(() => transport.cookies(job.id, "another-lease"));
    assert(refused instanceof WorkerApiError && refused.status === 409, String(refused));
    const anonymous = await fetch(`${app.url}/worker/v1/jobs/${job.id}/cookies`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ leaseId }),
    });
    assertEquals(anonymous.status, 401);
    assert(!(await anonymous.text()).includes(secret));

    const outcome = [{ setId: added.set.id, worked: false }];
    await assertRejects(() => transport.reportCookies(job.id, "another-lease", outcome));
    assertEquals(
      ((await listCookieSets(system.kv)).find((set) => set.id === added.set.id))?.failures,
      0,
    );
    await transport.reportCookies(job.id, leaseId, outcome);
    assertEquals(
      ((await listCookieSets(system.kv)).find((set) => set.id === added.set.id))?.failures,
      1,
    );

    await transport.fail(job.id, leaseId, { code: "needs_login", message: "x", retryable: false });
    const ended = await assertRejects(() => transport.cookies(job.id, leaseId));
    assert(ended instanceof WorkerApiError && ended.status === 409, "not once the job ended");
  } finally {
    claiming.abort();
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
