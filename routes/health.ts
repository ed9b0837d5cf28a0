import { Hono } from "hono";
import type { JobService } from "../services/job_service.ts";
import type { MediaStore } from "../kv/media.ts";
import { bearerToken, matchesSecret } from "../lib/secrets.ts";
import { readYtdlpFleet } from "../services/ytdlp_fleet.ts";
import { ytdlpReleaseDate } from "../media/ytdlp_version.ts";
import type { YtdlpFleet } from "../views/admin.ts";
import { countWorkersSeen } from "../kv/workers_seen.ts";
import { ensureKvIdentity } from "../kv/kv_identity.ts";

export interface HealthDeps {
  kv: Deno.Kv;
  jobs: JobService;
  media: MediaStore;
  /** the bearer token /metrics expects (METRICS_TOKEN); without one, /metrics is off */
  metricsToken?: string;
}

/**
 * The process's resident memory, and V8's heap by space: "new" (the young generation) grows
 * under load and shrinks when idle, so memory that stays is read from the other spaces.
 */
async function memoryLines(): Promise<string[]> {
  // node:v8 would load Node's compatibility layer at every cold start: read at the first scrape
  const { getHeapSpaceStatistics } = await import("node:v8");
  const spaces = getHeapSpaceStatistics().filter((space) => space.space_size > 0);
  const bySpace = (name: string, pick: (space: typeof spaces[number]) => number) =>
    spaces.map((space) =>
      `${name}{space="${space.space_name.replace(/_space$/, "")}"} ${pick(space)}`
    );
  return [
    "# HELP mediabot_resident_memory_bytes Memory the process holds (RSS).",
    "# TYPE mediabot_resident_memory_bytes gauge",
    `mediabot_resident_memory_bytes ${Deno.memoryUsage().rss}`,
    "# HELP mediabot_heap_space_size_bytes V8 heap reserved, by space.",
    "# TYPE mediabot_heap_space_size_bytes gauge",
    ...bySpace("mediabot_heap_space_size_bytes", (space) => space.space_size),
    "# HELP mediabot_heap_space_used_bytes V8 heap in use (live or not yet collected), by space.",
    "# TYPE mediabot_heap_space_used_bytes gauge",
    ...bySpace("mediabot_heap_space_used_bytes", (space) => space.space_used_size),
  ];
}

/** A Prometheus label value: backslash, quote and newline escaped. */
function label(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** Each worker's yt-dlp (heard from in the last day), and how long ago it was released. */
function ytdlpLines(fleet: YtdlpFleet, now: number): string[] {
  const workers = fleet.versions.flatMap(({ version, workers }) =>
    workers.map((worker) => ({ version, worker: label(worker) }))
  );
  return [
    "# HELP mediabot_ytdlp_info The yt-dlp version each worker reported with its claims (last day).",
    "# TYPE mediabot_ytdlp_info gauge",
    ...workers.map(({ version, worker }) =>
      `mediabot_ytdlp_info{version="${label(version)}",worker="${worker}"} 1`
    ),
    "# HELP mediabot_ytdlp_age_seconds Time since the release of each worker's yt-dlp.",
    "# TYPE mediabot_ytdlp_age_seconds gauge",
    ...workers.flatMap(({ version, worker }) => {
      const released = ytdlpReleaseDate(version);
      if (released === undefined) return [];
      return [
        `mediabot_ytdlp_age_seconds{worker="${worker}"} ${Math.floor((now - released) / 1000)}`,
      ];
    }),
  ];
}

function hitRatio(hits: number, misses: number): string {
  return hits + misses === 0 ? "0" : (hits / (hits + misses)).toFixed(4);
}

/**
 * /healthz is open: load balancers and supervisors call it. /metrics shows the app's load and
 * memory, so only the bearer of METRICS_TOKEN reads it, and it is off while none is set.
 */
export function healthRoutes({ kv, jobs, media, metricsToken }: HealthDeps) {
  const isMetricsToken = metricsToken ? matchesSecret(metricsToken) : undefined;
  return new Hono()
    .get("/healthz", async (c) => {
      try {
        const counts = await jobs.queue.countByState();
        const identity = await ensureKvIdentity(kv);
        const fleet = await readYtdlpFleet(kv);
        return c.json({
          status: "ok",
          // reachable, and which database: a new id at every start means no database is kept
          kv: { id: identity.id, createdAt: new Date(identity.createdAt).toISOString() },
          queueDepth: counts.ready,
          jobs: counts,
          workersSeen: await countWorkersSeen(kv),
          // open to anyone: versions and how many workers run each, not the workers' names
          ytdlp: {
            versions: fleet.versions.map(({ version, ageDays, workers }) => ({
              version,
              ageDays,
              workers: workers.length,
            })),
            stale: fleet.stale !== undefined,
          },
        });
      } catch (error) {
        return c.json({ status: "error", error: String(error) }, 503);
      }
    })
    .get("/metrics", async (c) => {
      if (!isMetricsToken) {
        return c.text("/metrics is off: set METRICS_TOKEN and scrape it as a bearer token\n", 403);
      }
      const given = bearerToken(c.req.header("authorization"));
      if (!given || !isMetricsToken(given)) {
        return c.text("unauthorized\n", 401, { "www-authenticate": "Bearer" });
      }
      const counts = await jobs.queue.countByState();
      const now = Date.now();
      const fleet = await readYtdlpFleet(kv, now);
      const lines = [
        "# HELP mediabot_queue_depth Jobs waiting for a worker.",
        "# TYPE mediabot_queue_depth gauge",
        `mediabot_queue_depth ${counts.ready}`,
        "# HELP mediabot_jobs Jobs by state.",
        "# TYPE mediabot_jobs gauge",
        ...Object.entries(counts).map(([state, n]) => `mediabot_jobs{state="${state}"} ${n}`),
        "# HELP mediabot_workers_seen Workers that claimed or reported in the last 5 minutes.",
        "# TYPE mediabot_workers_seen gauge",
        `mediabot_workers_seen ${await countWorkersSeen(kv)}`,
        "# HELP mediabot_cache_requests_total Cache lookups by cache and outcome.",
        "# TYPE mediabot_cache_requests_total counter",
        ...Object.entries(media.stats).flatMap(([cache, { hits, misses }]) => [
          `mediabot_cache_requests_total{cache="${cache}",outcome="hit"} ${hits}`,
          `mediabot_cache_requests_total{cache="${cache}",outcome="miss"} ${misses}`,
        ]),
        "# HELP mediabot_cache_hit_ratio Hits over lookups since start (0 before any lookup).",
        "# TYPE mediabot_cache_hit_ratio gauge",
        ...Object.entries(media.stats).map(([cache, { hits, misses }]) =>
          `mediabot_cache_hit_ratio{cache="${cache}"} ${hitRatio(hits, misses)}`
        ),
        "# HELP mediabot_probe_memory_entries Probes held in memory (L1).",
        "# TYPE mediabot_probe_memory_entries gauge",
        `mediabot_probe_memory_entries ${media.memoryUsage().entries}`,
        "# HELP mediabot_probe_memory_bytes Approximate size of the probes held in memory (L1).",
        "# TYPE mediabot_probe_memory_bytes gauge",
        `mediabot_probe_memory_bytes ${media.memoryUsage().bytes}`,
        ...jobs.durations.waited.lines(),
        ...jobs.durations.ran.lines(),
        ...ytdlpLines(fleet, now),
        ...await memoryLines(),
      ];
      return c.text(lines.join("\n") + "\n", 200, { "content-type": "text/plain; version=0.0.4" });
    });
}
