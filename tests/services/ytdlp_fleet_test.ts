/** The fleet's yt-dlp versions in KV: recorded from claims, read back for admins. */
import { assert, assertEquals } from "../support/assert.ts";
import { readYtdlpFleet, WorkerStatusLog } from "../../services/ytdlp_fleet.ts";
import { listWorkerYtdlp, recordWorkerYtdlp } from "../../kv/worker_ytdlp.ts";

const DAY_MS = 24 * 3600_000;
const NOW = Date.UTC(2026, 11, 2, 12);

Deno.test("[services/ytdlp_fleet] versions oldest first, and a warning only past 60 days", async () => {
  using kv = await Deno.openKv(":memory:");
  const report = (worker: string, ytdlpVersion: string, at = NOW) =>
    recordWorkerYtdlp(kv, { worker, ytdlpVersion }, at);
  assertEquals(await readYtdlpFleet(kv, NOW), { versions: [] });

  await report("a", "2026.11.23");
  await report("b", "2026.11.23");
  await report("c", "2026.10.03.101010");
  await report("d", "custom-build");
  const fresh = await readYtdlpFleet(kv, NOW);
  assertEquals(fresh.versions, [
    { version: "2026.10.03.101010", workers: ["c"], ageDays: 60 },
    { version: "2026.11.23", workers: ["a", "b"], ageDays: 9 },
    { version: "custom-build", workers: ["d"], ageDays: undefined },
  ]);
  assertEquals(fresh.stale, undefined, "60 days is not over 60");

  await report("c", "2026.10.02");
  assertEquals((await readYtdlpFleet(kv, NOW)).stale, { version: "2026.10.02", ageDays: 61 });

  // a worker last heard from more than a day ago no longer counts
  await report("c", "2026.10.02", NOW - DAY_MS - 1);
  const later = await readYtdlpFleet(kv, NOW);
  assertEquals(later.versions.map((v) => v.version), ["2026.11.23", "custom-build"]);
  assertEquals(later.stale, undefined);
});

Deno.test("[services/ytdlp_fleet] claims every few seconds write KV only when the version changes or every 10 minutes", async () => {
  using kv = await Deno.openKv(":memory:");
  const log = new WorkerStatusLog(kv);
  const status = { worker: "w", ytdlpVersion: "2026.11.23" };
  const seenAt = async () => (await listWorkerYtdlp(kv, NOW + DAY_MS / 2))[0]?.seenAt;
  await log.note(status, NOW);
  await log.note(status, NOW + 5 * 60_000);
  assertEquals(await seenAt(), NOW);
  await log.note({ ...status, ytdlpVersion: "2026.12.01" }, NOW + 6 * 60_000);
  assertEquals((await listWorkerYtdlp(kv, NOW + 6 * 60_000))[0].version, "2026.12.01");
  await log.note({ ...status, ytdlpVersion: "2026.12.01" }, NOW + 17 * 60_000);
  assertEquals(await seenAt(), NOW + 17 * 60_000);
  // another app instance (its own log) writes what it hears too
  const other = new WorkerStatusLog(kv);
  await other.note({ worker: "w2", ytdlpVersion: "2026.12.01" }, NOW + 18 * 60_000);
  assert((await listWorkerYtdlp(kv, NOW + 18 * 60_000)).some((w) => w.worker === "w2"));
});
