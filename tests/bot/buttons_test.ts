/**
 * A button of each main feature, its data built by the registry (views/callbacks.ts), reaches its
 * handler: driven through bot.handleUpdate, with no worker (jobs stay queued).
 */
import { assert, assertEquals, assertExists } from "../support/assert.ts";
import { type BotHarness, buttonData, startBotHarness } from "../support/bot_harness.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { createPreview } from "../../kv/previews.ts";
import { createSubtitleChoice } from "../../kv/subtitle_choices.ts";
import type { ProbeInfo } from "../../media/media_types.ts";
import { buildCallback } from "../../views/callbacks.ts";

const en = translatorFor(await createI18n(), "en");

const INFO: ProbeInfo = {
  id: "clip-1",
  extractor: "generic",
  webpageUrl: "https://videos.example/clip",
  title: "A clip",
  duration: 60,
  isLive: false,
  formats: [
    { id: "720", ext: "mp4", height: 720, vcodec: "avc1", acodec: "mp4a", filesize: 5_000_000 },
    { id: "a", ext: "m4a", vcodec: "none", acodec: "mp4a", filesize: 1_000_000 },
  ],
};

async function activeJobs(bot: BotHarness, userId: number) {
  return await bot.queue.listActiveByUser(userId);
}

Deno.test("[bot/buttons] a preview's quality queues its download; Cancel on the status stops it", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7301);
  await user.send("/start");
  const preview = await createPreview(bot.kv, {
    userId: user.info.id,
    chatId: user.info.id,
    url: INFO.webpageUrl,
    info: INFO,
  });
  const menu = bot.lastMessage(user.info.id);
  await user.pressData(menu, buildCallback("download", { previewId: preview.id, variant: "720" }));
  const [job] = await activeJobs(bot, user.info.id);
  assertEquals(job?.payload.kind, "download");
  assertEquals(job.payload.kind === "download" && job.payload.variant, "720");
  const status = bot.lastMessage(user.info.id);
  assertEquals(buttonData(status, en("button-stop")), buildCallback("jobCancel"));
  await user.press(status, en("button-stop"));
  assertEquals(bot.answers().at(-1)?.text, en("download-cancelling", { count: 1 }));
  assertEquals(await activeJobs(bot, user.info.id), []);
  // someone else's preview is not theirs to use
  const stranger = bot.user(7302);
  await stranger.pressData(
    menu,
    buildCallback("download", { previewId: preview.id, variant: "720" }),
  );
  assertEquals(bot.answers().at(-1), { text: en("preview-not-yours"), alert: true });
});

Deno.test("[bot/buttons] a playlist opens from the list, and its rename button asks for the name", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7303);
  await user.send("/playlist create Road trip");
  await user.pressData(bot.lastMessage(user.info.id), buildCallback("playlistList"));
  const list = bot.lastMessage(user.info.id);
  await user.press(list, /Road trip/);
  const view = bot.lastMessage(user.info.id);
  assert(view.text.includes("Road trip"), view.text);
  await user.press(view, en("playlist-button-rename"));
  assertEquals(
    bot.lastMessage(user.info.id).text,
    en("playlist-ask-name", { name: "Road trip" }).replace(/<\/?b>/g, ""),
  );
});

Deno.test("[bot/buttons] a schedule's Cancel removes it, once", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7304);
  await user.send("/schedule https://videos.example/clip tomorrow 8am");
  const confirmation = bot.lastMessage(user.info.id);
  const cancel = buttonData(confirmation, en("schedule-button-cancel"));
  await user.press(confirmation, en("schedule-button-cancel"));
  assertEquals(bot.answers().at(-1)?.text, en("schedule-cancelled"));
  await user.pressData(confirmation, cancel);
  assertEquals(bot.answers().at(-1)?.text, en("schedule-gone"));
});

Deno.test("[bot/buttons] subtitles: tracks, a track's options, then its .srt is queued", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7305);
  await user.send("/start");
  const choice = await createSubtitleChoice(bot.kv, {
    userId: user.info.id,
    chatId: user.info.id,
    url: INFO.webpageUrl,
    title: "A clip",
    tracks: [{ language: "fr", automatic: false }, { language: "en", automatic: true }],
  });
  await user.pressData(
    bot.lastMessage(user.info.id),
    buildCallback("subtitleTrack", { choiceId: choice.id, track: 0 }),
  );
  const options = bot.lastMessage(user.info.id);
  await user.press(options, en("button-subs-srt"));
  const [job] = await activeJobs(bot, user.info.id);
  assertExists(job, "a subtitles job");
  assertEquals(job.payload.kind === "subtitles" && job.payload.language, "fr");
  await user.pressData(options, buildCallback("subtitleTrack", { choiceId: choice.id, track: 9 }));
  assertEquals(bot.answers().at(-1), { text: en("preview-expired"), alert: true });
});

Deno.test("[bot/buttons] a playlist link's 'All N' lists it; Premium's plan opens an invoice", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7306);
  await user.send("/start");
  const preview = await createPreview(bot.kv, {
    userId: user.info.id,
    chatId: user.info.id,
    url: "https://videos.example/list",
    info: { ...INFO, playlist: { title: "List", count: 3 } },
  });
  await user.pressData(
    bot.lastMessage(user.info.id),
    buildCallback("batchList", {
      previewId: preview.id,
    }),
  );
  const [job] = await activeJobs(bot, user.info.id);
  assertEquals(job?.payload.kind, "expand");

  await user.pressData(bot.lastMessage(user.info.id), buildCallback("menuPremium"));
  await user.press(bot.lastMessage(user.info.id), /^30 days/);
  const invoice = bot.calls.find((call) => call.method === "sendInvoice");
  assertExists(invoice, "an invoice");
  assertEquals(invoice.params.currency, "XTR");
});

Deno.test("[bot/buttons] data no kind has, or from a removed kind, gets the expired answer", async () => {
  await using bot = await startBotHarness();
  const user = bot.user(7307);
  await user.send("/start");
  for (const data of ["x".repeat(64), "dl:01ARZ3NDEKTSV4RRFFQ69G5FAV:-o", "set:lang:de"]) {
    await user.pressData(bot.lastMessage(user.info.id), data);
    assertEquals(bot.answers().at(-1)?.text, en("preview-expired"), data);
  }
});
