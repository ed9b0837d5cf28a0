/**
 * How one attempt of a job reaches its site: the cookies file its yt-dlp runs pass with
 * `--cookies`, and the egress guard (chained to an upstream proxy) its subprocesses go through.
 * It follows the attempt's async calls, so every yt-dlp and ffmpeg run made for the job, however
 * deep, carries it, and runs of other jobs in the same process never see it.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface SiteRoute {
  /** a Netscape cookies file in the job's scratch folder (mode 0600) */
  cookiesFile?: string;
  /** the job's own egress guard, e.g. http://127.0.0.1:40123, for the *_proxy variables */
  egressProxy?: string;
}

const routes = new AsyncLocalStorage<SiteRoute>();

export function runOnRoute<T>(route: SiteRoute, run: () => Promise<T>): Promise<T> {
  return routes.run(route, run);
}

/** The route of the attempt the caller runs for; undefined outside one. */
export function currentSiteRoute(): SiteRoute | undefined {
  return routes.getStore();
}
