/**
 * PROXY_URLS end to end, against the real yt-dlp: jobs take the proxies in turn; a job whose
 * proxy refuses, or whose site refuses that proxy's address (429), moves to the other, once.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { startUpstreamProxy, type UpstreamProxy } from "../support/upstream_proxy.ts";
import type { Job } from "../../media/job_types.ts";

/** How many times each job was claimed: a move to the other proxy happens within one claim. */
async function claimsPerJob(kv: Deno.Kv): Promise<number[]> {
  const attempts: number[] = [];
  for await (const entry of kv.list<Job>({ prefix: ["jobs"] })) attempts.push(entry.value.attempts);
  return attempts;
}

Deno.test("[e2e] jobs alternate between two upstream proxies", async () => {
  await using lab = await startMediaLab();
  await using first = startUpstreamProxy();
  await using second = startUpstreamProxy({ scheme: "socks5" });
  await using bed = await startTestSystem({ PROXY_URLS: `${first.url},${second.url}` });
  const { telegram } = bed;
  const user = telegram.user(1001, { languageCode: "en" });
  const proxies: [string, UpstreamProxy][] = [["first", first], ["second", second]];
  const used: string[] = [];
  for (let i = 0; i < 4; i++) {
    const counts = proxies.map(([, proxy]) => proxy.targets.length);
    const before = telegram.messages(user.id).at(-1)?.messageId ?? 0;
    // each link is new, so each is a probe job of its own
    user.sendText(`${lab.urls.page}?n=${i}`);
    await waitForPreview(telegram, user.id, before);
    const grew = proxies.filter(([, proxy], j) => proxy.targets.length > counts[j]);
    assertEquals(grew.length, 1, `job ${i} went through one proxy`);
    used.push(grew[0][0]);
  }
  assertEquals(used, ["first", "second", "first", "second"]);
});

Deno.test("[e2e] a job whose proxy refuses moves to the other one", async () => {
  await using lab = await startMediaLab();
  await using refusing = startUpstreamProxy({ mode: "refuse" });
  await using working = startUpstreamProxy();
  await using bed = await startTestSystem({ PROXY_URLS: `${refusing.url},${working.url}` });
  const { telegram } = bed;
  const user = telegram.user(1001, { languageCode: "en" });
  user.sendText(lab.urls.page);
  await waitForPreview(telegram, user.id);
  assert(refusing.targets.length >= 1, "the first proxy was asked");
  assert(working.targets.length >= 1, "the job moved to the second");
  assertEquals(await claimsPerJob(bed.system.kv), [1], "within its first run, not by a retry");
});

Deno.test("[e2e] a job refused by the site through one proxy (429) is tried once through the other", async () => {
  await using lab = await startMediaLab();
  await using blocked = startUpstreamProxy({ mode: "blocked" });
  await using working = startUpstreamProxy();
  await using bed = await startTestSystem({ PROXY_URLS: `${blocked.url},${working.url}` });
  const { telegram } = bed;
  const user = telegram.user(1001, { languageCode: "en" });
  user.sendText(lab.urls.page);
  await waitForPreview(telegram, user.id);
  assert(blocked.blockedRequests >= 1, "the site refused the first proxy's address");
  assert(working.targets.length >= 1, "the job moved to the second");
  assertEquals(await claimsPerJob(bed.system.kv), [1], "within its first run, not by a retry");
});
