/** Batches of links, end to end: /batch, a .txt file, a listed playlist, /cancel. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_SERIES, startMediaLab } from "../support/media_lab.ts";
import { dataFor, reply, waitForPreview } from "../support/chat.ts";
import { probeFile, startTestSystem } from "../support/system.ts";
import { type BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { waitUntil } from "../support/wait.ts";

const FILE_KINDS = new Set(["video", "audio", "document"]);

function files(telegram: FakeTelegram, chatId: number): BotMessage[] {
  return telegram.messages(chatId).filter((m) => m.media && FILE_KINDS.has(m.media.kind));
}

/** The batch's progress message once every entry has ended. */
function waitForSummary(telegram: FakeTelegram, chatId: number, pattern: RegExp) {
  return telegram.waitFor(
    () => telegram.messages(chatId).find((m) => pattern.test(m.text ?? "")),
    { timeoutMs: 60_000 },
  );
}

Deno.test("[e2e/batch] /batch with a 404 among four links: three files, one progress message, the summary names the failure", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(8101, { languageCode: "en" });
  user.sendText(
    `/batch ${lab.urls.page} ${lab.urls.audioPage}\n${lab.urls.missing} ${lab.urls.series} ${lab.urls.page}`,
  );
  const summary = await waitForSummary(telegram, user.id, /— finished/);
  assertMatch(summary.text ?? "", /4 links/);
  assertMatch(summary.text ?? "", /4\/4 · ✅ 3 · ❌ 1/);
  assertMatch(summary.text ?? "", /❌ http:\/\/127\.0\.0\.1:\d+\/missing — not found or removed/);
  assert(summary.history.length > 1, "the one message was edited as items finished");
  await telegram.waitFor(() => files(telegram, user.id).length === 3 || undefined);
  assertEquals(files(telegram, user.id).map((m) => m.media!.kind).sort(), [
    "audio",
    "video",
    "video",
  ]);
  // no message of its own for the failed link, no preview to choose from: one summary
  assert(
    !telegram.messages(user.id).some((m) => /unavailable|Choose/.test(m.text ?? m.caption ?? "")),
    "batch items answer only in the summary",
  );
});

Deno.test("[e2e/batch] a .txt file of links: comments, blanks and repeats skipped; the summary in French", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(8201, { languageCode: "fr" });
  const lines = [
    "# mes vidéos",
    `${lab.urls.page}   le clip`,
    "",
    lab.urls.page,
    "pas un lien",
    lab.urls.gone,
  ];
  user.sendDocument({
    fileName: "liens.txt",
    mimeType: "text/plain",
    bytes: new TextEncoder().encode(lines.join("\r\n")),
  });
  const summary = await waitForSummary(telegram, user.id, /— terminé/);
  assertMatch(summary.text ?? "", /liens\.txt/);
  assertMatch(summary.text ?? "", /2\/2 · ✅ 1 · ❌ 1/);
  assertMatch(summary.text ?? "", /\/gone — introuvable ou supprimé/);
  await telegram.waitFor(() => files(telegram, user.id).length === 1 || undefined);

  const huge = new TextEncoder().encode(`${lab.urls.page}\n`.repeat(3000));
  user.sendDocument({ fileName: "big.txt", mimeType: "text/plain", bytes: huge });
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /trop gros pour une liste de liens/.test(m.text ?? ""))
  );
});

Deno.test("[e2e/batch] a page of three videos is a playlist: 'Download all 3', then each video once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(8301, { languageCode: "en" });
  user.sendText(lab.urls.series);
  const preview = await waitForPreview(telegram, user.id);
  assertMatch(preview.text ?? preview.caption ?? "", /Part of Lab series: 3 items/);
  user.pressButton(preview.message, dataFor(preview, "📚 All 3 items"));
  const offer = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      /Download all 3/.test(JSON.stringify(m.replyMarkup ?? {}))
    )
  );
  assertMatch(offer.text ?? "", /Lab series: 3 items/);
  // pressed twice before the bot answers: one batch only
  const download = dataFor(offer, "⬇️ Download all 3");
  user.pressButton(offer.message, download);
  user.pressButton(offer.message, download);
  const summary = await waitForSummary(telegram, user.id, /— finished/);
  assertMatch(summary.text ?? "", /3\/3 · ✅ 3 · ❌ 0/);
  await telegram.waitFor(() => files(telegram, user.id).length === 3 || undefined);
  const videos = files(telegram, user.id);
  assertEquals(new Set(videos.map((m) => m.media!.fileUniqueId)).size, 3, "three different videos");
  for (const video of videos) {
    const info = await probeFile(telegram.filePath(video.media!.fileId));
    assertEquals(info.height, LAB_SERIES.height);
  }
  const answers = telegram.callbackAnswers.filter((a) => a.data === download);
  assertEquals(answers.length, 2);
  assertEquals(
    telegram.messages(user.id).filter((m) =>
      /Lab series/.test(m.text ?? "") && /\d\/3/.test(m.text ?? "")
    )
      .length,
    1,
    "one batch",
  );
});

Deno.test("[e2e/batch] /cancel stops a batch: waiting links are dropped, running ones cancelled", async () => {
  await using lab = await startMediaLab({ throttleBytesPerSecond: 20_000 });
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(8401, { languageCode: "en" });
  const links = Array.from({ length: 5 }, (_, i) => `${lab.urls.page}?copy=${i}`);
  user.sendText(`/batch ${links.join(" ")}`);
  // free plan: two run at once, three wait
  await waitUntil(
    async () => (await bed.system.queue.listActiveByUser(user.id)).length === 2,
    "two links running",
  );
  user.sendText("/cancel");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /3 waiting links of your batches/.test(m.text ?? ""))
  );
  const summary = await waitForSummary(telegram, user.id, /— finished/);
  assertMatch(summary.text ?? "", /5\/5/);
  assertMatch(summary.text ?? "", /✖️ 5 cancelled/);
  assertEquals(files(telegram, user.id).length, 0);
});

Deno.test("[e2e/batch] a user who prefers audio gets audio from /batch and from a playlist's 'Download all'", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const user = telegram.user(8501, { languageCode: "en" });
  await reply(telegram, user, "/start", /Your account/);
  // a default quality too: for what runs unattended, preferring audio decides
  await system.users.update(user.id, (profile) => ({
    ...profile!,
    prefs: { ...profile!.prefs, preferAudio: true, defaultQuality: "720" },
  }));

  user.sendText(`/batch ${lab.urls.page} ${lab.urls.page}?copy=1`);
  await waitForSummary(telegram, user.id, /— finished/);
  await telegram.waitFor(() => files(telegram, user.id).length === 2 || undefined);
  assertEquals(files(telegram, user.id).map((m) => m.media!.kind), ["audio", "audio"]);

  await reply(telegram, user, "/playlist create Songs", /created/);
  await reply(telegram, user, `/playlist add ${lab.urls.page}?copy=2 1`, /added to/);
  const view = await reply(telegram, user, "/playlist show 1", /Your role: owner/);
  const after = view.messageId;
  user.pressButton(view.message, dataFor(view, "⬇️ Download all"));
  await telegram.waitFor(
    () => telegram.messages(user.id, { after }).find((m) => /— finished/.test(m.text ?? "")),
    { timeoutMs: 60_000 },
  );
  const [delivered] = telegram.messages(user.id, { after }).filter((m) => m.media);
  assertEquals(delivered?.media?.kind, "audio");
});

Deno.test("[e2e/batch] a .txt file through a local Bot API server: getFile's absolute path is read from TELEGRAM_LOCAL_DIR", async () => {
  await using lab = await startMediaLab();
  const localDir = await Deno.makeTempDir({ prefix: "telegram-bot-api-" });
  await using telegram = await FakeTelegram.start({ localDir });
  await using bed = await startTestSystem({ TELEGRAM_LOCAL_DIR: localDir }, { telegram });
  try {
    const user = telegram.user(8251, { languageCode: "en" });
    user.sendDocument({
      fileName: "links.txt",
      mimeType: "text/plain",
      bytes: new TextEncoder().encode(`${lab.urls.page}\n${lab.urls.missing}\n`),
    });
    const summary = await waitForSummary(bed.telegram, user.id, /— finished/);
    assertMatch(summary.text ?? "", /2\/2 · ✅ 1 · ❌ 1/);
    // the server put it in its folder, and serves no /file/ downloads: the app read it there
    const stored = [...Deno.readDirSync(`${localDir}/${telegram.token}/documents`)];
    assertEquals(stored.map((entry) => entry.name.endsWith(".txt")), [true]);
  } finally {
    await Deno.remove(localDir, { recursive: true });
  }
});
