/**
 * Hostile inline queries against inline mode's link lookups. Invariants: a link goes through the
 * URL guard before any cache lookup (each hostile link below has a cached file waiting, which an
 * unguarded lookup would send), no inline query queues a probe, a user over the rate limit gets
 * no lookup, a forged offset or deep link token reaches nothing.
 */
import { Api, InputFile } from "grammy";
import { assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import type { FakeTelegram, FakeUser, InlineAnswer } from "../support/fake_telegram.ts";
import { reportHostile } from "../support/hostile_report.ts";
import type { ProbeInfo } from "../../media/media_types.ts";

const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 10,
  privatePerSecond: 10,
  groupBurst: 3,
  groupPerSecond: 1,
};

/** Links the URL guard refuses without asking DNS (the test machine has none). */
const HOSTILE_LINKS = [
  "http://127.0.0.1/clip",
  "http://127.1/clip",
  "http://0x7f000001/clip",
  "http://2130706433/clip",
  "http://[::1]/clip",
  "http://[::ffff:127.0.0.1]/clip",
  "http://localhost/clip",
  "http://media.localhost/clip",
  "media.localhost/clip",
  "metadata.google.internal/computeMetadata/v1/",
  "http://10.0.0.7/clip",
  "http://192.168.1.1/clip",
  "http://169.254.169.254/latest/meta-data/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://user:secret@93.184.216.34/clip",
  "file:///etc/passwd",
  "ftp://93.184.216.34/clip",
  "javascript://93.184.216.34/%0aalert(1)",
  "data://text/plain,hello",
  "gopher://127.0.0.1:6379/_INFO",
  "http://[fe80::1%25eth0]/clip",
  "http://0.0.0.0/clip",
];

function probeOf(url: string): ProbeInfo {
  return {
    id: "clip",
    extractor: "generic",
    webpageUrl: url,
    title: "Clip",
    isLive: false,
    formats: [],
  };
}

Deno.test("[security/inline] hostile links, floods, offsets and deep links in inline mode reach no file", async () => {
  await using bed = await startTestSystem({ WORKERS: "0", ALLOW_PRIVATE_URLS: "false" }, {
    throttle: FAST,
  });
  const { telegram, system } = bed;
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const owner = telegram.user(81_000, { languageCode: "en" });
  const sent = await api.sendVideo(owner.id, new InputFile(new Uint8Array(2048), "clip.mp4"));
  const cache = async (url: string) => {
    const probe = probeOf(url);
    await system.media.saveProbe(url, probe);
    await system.media.saveFile(probe, "360", {
      fileId: sent.video!.file_id,
      fileUniqueId: sent.video!.file_unique_id,
      kind: "video",
      size: 2048,
      title: "Clip",
      createdAt: Date.now(),
    });
  };
  for (const link of HOSTILE_LINKS) await cache(link);

  let inputs = 0;
  let escapes = 0;
  let wrongFiles = 0;
  let crashes = 0;
  const answerOf = async (
    telegram: FakeTelegram,
    user: FakeUser,
    query: string,
    offset?: string,
  ): Promise<InlineAnswer | undefined> => {
    const { id } = user.sendInlineQuery(query, undefined, offset).inline_query!;
    try {
      return await telegram.waitFor(() =>
        telegram.inlineAnswers.find((a) => a.inline_query_id === id)
      );
    } catch {
      crashes++;
      return undefined;
    }
  };

  // one user each, so the rate limit never stands in for the guard
  for (const [i, link] of HOSTILE_LINKS.entries()) {
    inputs++;
    const user = telegram.user(82_000 + i, { languageCode: "en" });
    const answer = await answerOf(telegram, user, link);
    if (!answer) continue;
    if (answer.results.length > 0) escapes++;
    if (!answer.button?.text) crashes++;
  }

  // a flood of lookups of a link that is cached and allowed: the rate limit stops the lookups
  const public_ = "http://93.184.216.34/clip";
  await cache(public_);
  const flooder = telegram.user(83_000, { languageCode: "en" });
  let looked = 0;
  let limited = 0;
  for (let i = 0; i < 45; i++) {
    inputs++;
    const answer = await answerOf(telegram, flooder, public_);
    if (!answer) continue;
    if (answer.results.length > 0) {
      looked++;
      if (answer.results[0].video_file_id !== sent.video!.file_id) wrongFiles++;
    } else if (/a bit fast/i.test(String(answer.button?.text))) limited++;
  }
  if (looked > 30) escapes += looked - 30;

  // offsets a client may forge: an answer from the user's own first page, never a crash
  for (const offset of ["../../history/1", "Z".repeat(26), "0".repeat(26), "x".repeat(64), "-1"]) {
    inputs++;
    const user = telegram.user(84_000 + inputs, { languageCode: "en" });
    const answer = await answerOf(telegram, user, "", offset);
    if (answer && answer.results.length > 0) escapes++;
  }

  // deep link tokens nobody was given: a clear answer, never a preview
  const tokens = ["", "A".repeat(16), "A".repeat(15), "../inline_links/x", "%00".repeat(6)];
  for (const [i, token] of tokens.entries()) {
    inputs++;
    const user = telegram.user(85_000 + i, { languageCode: "en" });
    user.sendText(`/start dl_${token}`);
  }
  await telegram.waitFor(
    () => tokens.every((_, i) => telegram.messages(85_000 + i).length > 0),
    { timeoutMs: 30_000 },
  ).catch(() => crashes++);
  for (const [i] of tokens.entries()) {
    const answers = telegram.messages(85_000 + i);
    if (!answers.some((m) => /no longer works/.test(m.text ?? ""))) crashes++;
    if (answers.some((m) => m.replyMarkup)) escapes++;
  }

  // no inline query queued a probe, and no refused link was kept for a deep link
  for await (const job of system.kv.list({ prefix: ["jobs"] })) escapes += job ? 1 : 0;
  let kept = 0;
  for await (const _ of system.kv.list({ prefix: ["inline_links"] })) kept++;
  escapes += kept;

  await reportHostile({ name: "inline mode links", inputs, escapes, wrongFiles, crashes });
  assertEquals({ escapes, wrongFiles, crashes }, { escapes: 0, wrongFiles: 0, crashes: 0 });
  assertEquals(looked > 0 && limited > 0, true, "lookups until the limit, then refusals");
});
