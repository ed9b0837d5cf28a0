/**
 * What a worker says about its yt-dlp goes into KV keys, metric labels and admin pages: a claim
 * whose status could break out of any of them is refused whole, and records nothing.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { readMetrics, startTestSystem } from "../support/system.ts";
import { listWorkerYtdlp } from "../../kv/worker_ytdlp.ts";

const HOSTILE_STATUSES = [
  { worker: "w", ytdlpVersion: '2026.11.23",worker="forged"} 1\nmediabot_queue_depth 0\n#' },
  { worker: 'w"} 1\nmediabot_forged 1\n#', ytdlpVersion: "2026.11.23" },
  { worker: "w", ytdlpVersion: "<b>2026.11.23</b>" },
  { worker: "w", ytdlpVersion: "2".repeat(41) },
  { worker: "x".repeat(101), ytdlpVersion: "2026.11.23" },
  { worker: "", ytdlpVersion: "2026.11.23" },
  { worker: "w", ytdlpVersion: "" },
  { worker: "w/../../jobs", ytdlpVersion: "2026.11.23" },
  { worker: "w", ytdlpVersion: 20261123 },
  { worker: ["w"], ytdlpVersion: "2026.11.23" },
];

Deno.test("[security/worker_status] a claim whose yt-dlp status could escape a label, a key or a page is refused", async () => {
  await using bed = await startTestSystem({ WORKERS: "0", WORKER_TOKEN: TEST_WORKER_TOKEN });
  const { app, kv } = bed.system;
  let escapes = 0;
  let crashes = 0;
  for (const status of HOSTILE_STATUSES) {
    const response = await app.request("/worker/v1/claim", {
      method: "POST",
      headers: {
        authorization: `Bearer ${TEST_WORKER_TOKEN}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ workerId: "hostile-0", waitMs: 0, status }),
    });
    await response.body?.cancel();
    if (response.status >= 500) crashes++;
    else if (response.status !== 400) escapes++;
  }
  const recorded = await listWorkerYtdlp(kv);
  const metrics = await readMetrics(bed.system);
  if (recorded.length > 0 || /forged/.test(metrics)) escapes++;
  await reportHostile({
    name: "worker status: yt-dlp versions and worker names built to break labels, keys or pages",
    inputs: HOSTILE_STATUSES.length,
    escapes,
    wrongFiles: 0,
    crashes,
  });
  assertEquals({ escapes, crashes }, { escapes: 0, crashes: 0 });
  assertEquals(recorded, []);
  assert(!metrics.includes("mediabot_ytdlp_info{"), "no yt-dlp line from a refused claim");

  // the same claim with a plain status is taken and shown
  const fine = await app.request("/worker/v1/claim", {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_WORKER_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      workerId: "plain-0",
      waitMs: 0,
      status: { worker: "plain", ytdlpVersion: "2026.11.23.010203" },
    }),
  });
  assertEquals(fine.status, 204);
  assert(
    (await readMetrics(bed.system)).includes(
      'mediabot_ytdlp_info{version="2026.11.23.010203",worker="plain"} 1',
    ),
  );
});
