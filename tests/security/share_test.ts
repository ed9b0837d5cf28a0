/**
 * Hostile inline queries, forged chosen results and deep links against "📤 Share". Invariants:
 * every query is answered, only a share's exact token gets a file (its own; a link gets only the
 * deep link that opens the bot on it), a forged chosen result pays nothing, and a forged deep link
 * opens no preview.
 */
import { Api, InputFile } from "grammy";
import { assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { saveShare } from "../../kv/shares.ts";
import { getXp } from "../../kv/xp.ts";

const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 10,
  privatePerSecond: 10,
  groupBurst: 3,
  groupPerSecond: 1,
};

function hostileQueries(token: string): string[] {
  const swapCase = [...token].map((c) => c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())
    .join("");
  const near = [...token].map((_, i) =>
    token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1)
  );
  const shapes = [
    "",
    "A".repeat(15),
    "A".repeat(17),
    "A".repeat(256),
    "\u0000".repeat(16),
    "🎬".repeat(8),
    "À".repeat(16),
    "‮" + token.slice(1),
    "../../shares/" + token,
    "shares",
    `["shares","${token}"]`,
    `sh_${token}`,
    `${token}x`,
    `x${token}`,
    `${token} ${token}`,
    encodeURIComponent(`${token}/`),
    `<b>${token.slice(3)}</b>`,
    "https://example.com/video.mp4",
    "http://127.0.0.1/",
    "$(touch /tmp/mediabot-pwned)",
    "' OR 1=1 --",
    "%00%00%00%00%00%00%00%00",
  ];
  if (swapCase !== token) shapes.push(swapCase);
  return [...shapes, ...near];
}

Deno.test("[security/share] hostile inline queries, chosen results and deep links reach no share", async () => {
  await using telegram = await FakeTelegram.start();
  using kv = await Deno.openKv(":memory:");
  const bed = await startTestSystem({ WORKERS: "0" }, { throttle: FAST, telegram, kv });
  const { system } = bed;
  const owner = telegram.user(71_000, { languageCode: "en" });
  const media = { extractor: "generic", id: "clip", webpageUrl: "https://example.com/clip" };
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const sent = await api.sendVideo(owner.id, new InputFile(new Uint8Array(2048), "clip.mp4"));
  await system.media.saveFile(media, "360", {
    fileId: sent.video!.file_id,
    fileUniqueId: sent.video!.file_unique_id,
    kind: "video",
    size: 2048,
    title: "Clip",
    createdAt: Date.now(),
  });
  const share = await saveShare(system.kv, {
    media,
    title: "Clip",
    file: { variant: "360", mode: "video" },
  });

  let inputs = 0;
  let escapes = 0;
  let wrongFiles = 0;
  let crashes = 0;
  const answerTo = async (id: string) => {
    try {
      return await telegram.waitFor(() =>
        telegram.inlineAnswers.find((a) => a.inline_query_id === id)
      );
    } catch {
      crashes++;
      return undefined;
    }
  };

  // one user each, so the bot's rate limit never stands in for the check
  const queries = hostileQueries(share.token);
  for (const [i, query] of queries.entries()) {
    inputs++;
    const user = telegram.user(72_000 + i, { languageCode: "en" });
    const answer = await answerTo(user.sendInlineQuery(query.slice(0, 256)).inline_query!.id);
    // a link gets the deep link that opens the bot on it (tests/e2e/inline_test.ts), nothing else
    const deepLinkOnly = answer?.results.every((r) =>
      r.type === "article" && String(r.id).startsWith("dl_")
    );
    if (answer && !deepLinkOnly) escapes++;
  }
  // the exact token, padded as a client may type it, gets its own file and nothing else
  const real = await answerTo(owner.sendInlineQuery(` ${share.token} `).inline_query!.id);
  const results = real?.results ?? [];
  if (results.length !== 1 || results[0].video_file_id !== sent.video!.file_id) wrongFiles++;

  // chosen results Telegram never reported for this user's answers, forged onto the webhook
  for (const [i, query] of queries.entries()) {
    inputs++;
    const user = telegram.user(73_000 + i, { languageCode: "en" });
    user.sendUpdate({
      chosen_inline_result: { result_id: query || "x", from: user.info, query },
    });
  }
  // deep links with a hostile share token: a clear answer, never a preview
  for (const [i, query] of queries.entries()) {
    inputs++;
    const user = telegram.user(74_000 + i, { languageCode: "en" });
    user.sendText(`/start sh_${query.replace(/\s/g, "").slice(0, 60)}`);
  }
  // each deep link answered means every update before it was taken; stopping lets those still in
  // flight, and every event handler, finish
  await telegram.waitFor(
    () => queries.every((_, i) => telegram.messages(74_000 + i).length > 0),
    { timeoutMs: 30_000 },
  ).catch(() => crashes++);
  await bed.close();
  for (const [i] of queries.entries()) {
    if (await getXp(kv, 73_000 + i)) escapes++;
    const answers = telegram.messages(74_000 + i);
    if (!answers.some((m) => /no longer works/.test(m.text ?? ""))) crashes++;
    if (answers.some((m) => m.media?.kind === "photo" || m.replyMarkup)) escapes++;
  }

  await reportHostile({
    name: "share tokens and inline queries",
    inputs,
    escapes,
    wrongFiles,
    crashes,
  });
  assertEquals({ escapes, wrongFiles, crashes }, { escapes: 0, wrongFiles: 0, crashes: 0 });
});
