/**
 * Workers that claimed or reported lately, as every app instance sees them: a worker's calls
 * reach any instance, so each keeps its sightings in KV for /healthz and /metrics to count.
 */

/** a worker counts as seen for this long after its last call */
const WORKER_SEEN_WINDOW_MS = 5 * 60_000;

function workerSeenKey(workerId: string) {
  return ["workers_seen", workerId] as const;
}

export async function markWorkerSeen(kv: Deno.Kv, workerId: string, at: number): Promise<void> {
  await kv.set(workerSeenKey(workerId), at, { expireIn: WORKER_SEEN_WINDOW_MS });
}

/** Workers seen by any instance within the window. */
export async function countWorkersSeen(kv: Deno.Kv, now = Date.now()): Promise<number> {
  let count = 0;
  for await (const entry of kv.list<number>({ prefix: ["workers_seen"] })) {
    if (entry.value >= now - WORKER_SEEN_WINDOW_MS) count++;
  }
  return count;
}
