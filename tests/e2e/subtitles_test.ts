/** /subs against the media lab page (WebVTT tracks en and fr): real yt-dlp, ffmpeg and Apertium. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile } from "../support/chat.ts";
import type { BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { readValidSrt } from "../support/srt.ts";
import { middayTimezone, startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { outboxKey } from "../../kv/jobs.ts";
import { getXpCounters } from "../../kv/xp.ts";
import type { Job } from "../../media/job_types.ts";

/** at midday in the user's zone, so that no night owl joins the achievements counted here */
const MIDDAY = { DEFAULT_TIMEZONE: middayTimezone() };

function trackList(telegram: FakeTelegram, chatId: number): Promise<BotMessage> {
  return telegram.waitFor(
    () =>
      telegram.messages(chatId).findLast((m) => buttons(m).some((b) => b.data.startsWith("sb:"))),
    { timeoutMs: 30_000 },
  );
}

/** Presses a button and waits for the message to show another keyboard. */
async function press(telegram: FakeTelegram, message: BotMessage, data: string) {
  const chatId = message.chatId;
  telegram.user(chatId).pressButton(message.message, data);
  return await telegram.waitFor(() =>
    telegram.messages(chatId).find((m) =>
      m.messageId === message.messageId && buttons(m).every((b) => b.data !== data)
    )
  );
}

async function srtOf(telegram: FakeTelegram, document: BotMessage) {
  const text = new TextDecoder().decode(await telegram.fileBytes(document.media!.fileId));
  return { text, cues: readValidSrt(text) };
}

/** Sends a text and waits for the bot's first new message matching `pattern`. */
async function replyTo(telegram: FakeTelegram, chatId: number, text: string, pattern: RegExp) {
  const before = telegram.messages(chatId).length;
  telegram.user(chatId).sendText(text);
  return await telegram.waitFor(
    () => telegram.messages(chatId).slice(before).find((m) => pattern.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
}

/** The Polyglot lines of /achievements: the badge and, while it is locked, the progress. */
async function polyglot(telegram: FakeTelegram, chatId: number): Promise<string> {
  const achievements = await replyTo(telegram, chatId, "/achievements", /Achievements ·/);
  return /.*Polyglot.*(\n.*\d+\/3)?/.exec(achievements.text ?? "")?.[0] ?? "";
}

async function subtitleStreams(path: string): Promise<string[]> {
  const { stdout } = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0", path],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(stdout).trim().split("\n").filter((l) => l.includes("subtitle"));
}

Deno.test("[e2e] /subs lists the languages, delivers valid SRT and translates it keeping every timestamp", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const user = telegram.user(8001, { languageCode: "en" });

  const askedAt = performance.now();
  user.sendText(`/subs ${lab.urls.page}`);
  const list = await trackList(telegram, user.id);
  const listMs = performance.now() - askedAt;
  assertEquals(buttons(list).map((b) => b.text), ["English", "French"]);
  assertMatch(list.html ?? "", /Lab clip &lt;b&gt;&amp;&lt;\/b&gt;/);

  const options = await press(telegram, list, dataFor(list, "English"));
  const labels = buttons(options).map((b) => b.text);
  assert(!labels.some((l) => l.startsWith("🌐")), `no translation into the track's own language`);
  user.pressButton(options.message, dataFor(options, /\.srt/));
  const english = await waitForFile(telegram, user.id, "document");
  assertMatch(english.media?.fileName ?? "", /\.en\.srt$/);
  const original = await srtOf(telegram, english);
  assertEquals(original.cues.map((c) => c.text), [
    LAB_CLIP.firstCue.en,
    "The picture is testsrc2",
    "Goodbye",
  ]);
  assertEquals(original.cues.map((c) => `${c.start} --> ${c.end}`), [
    "00:00:00,000 --> 00:00:02,000",
    "00:00:02,000 --> 00:00:04,000",
    "00:00:04,000 --> 00:00:06,000",
  ]);

  // translated by the offline translator (Apertium, English → Spanish → French)
  const translatedAt = performance.now();
  user.sendText(`/subs ${lab.urls.page} en fr`);
  const french = await waitForFile(telegram, user.id, "document", english.messageId);
  const translateMs = performance.now() - translatedAt;
  assertMatch(french.caption ?? "", /en → fr/);
  const translated = await srtOf(telegram, french);
  assertEquals(
    translated.cues.map((c) => [c.start, c.end]),
    original.cues.map((c) => [c.start, c.end]),
    "every cue keeps its timing",
  );
  assert(
    translated.cues.every((c, i) => c.text !== original.cues[i].text),
    `every cue is translated: ${JSON.stringify(translated.cues.map((c) => c.text))}`,
  );
  assertMatch(translated.cues[0].text, /laboratoire/i);
  assert(
    !telegram.messages(user.id).some((m) => /translation is unavailable/.test(m.text ?? "")),
    "no fallback note",
  );
  // the translated track counts towards Polyglot once its report is done; the English one does not
  await waitUntil(
    async () => (await getXpCounters(bed.system.kv, user.id)).translation_languages > 0,
    "the translation counted",
  );
  assertMatch(await polyglot(telegram, user.id), /🔒 🌍 Polyglot.*\n\S+ 1\/3$/);
  console.log(
    `/subs: list ${listMs.toFixed(0)} ms; translated SRT ${translateMs.toFixed(0)} ms; ` +
      `fr cue 1: ${JSON.stringify(translated.cues[0].text)}`,
  );
});

Deno.test("[e2e] /subs puts the subtitles into the video as an mp4 track", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const user = telegram.user(8002, { languageCode: "fr" });

  user.sendText(`/subs ${lab.urls.page}`);
  const list = await trackList(telegram, user.id);
  const options = await press(telegram, list, dataFor(list, "Français"));
  user.pressButton(options.message, dataFor(options, /^🎬/));
  const soft = await waitForFile(telegram, user.id, "video");
  assertEquals(await subtitleStreams(telegram.filePath(soft.media!.fileId)), ["mov_text,subtitle"]);
  assert(buttons(options).some((b) => b.text.startsWith("🔥")), "burning in is offered too");
});

Deno.test("[e2e] /subs says when there are no subtitles, or none in the language asked", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram } = bed;
  const user = telegram.user(8003, { languageCode: "en" });

  user.sendText(`/subs ${lab.urls.audioPage}`);
  await telegram.waitFor(
    () => telegram.messages(user.id).find((m) => /No subtitles for/.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
  user.sendText(`/subs ${lab.urls.page} de`);
  const list = await trackList(telegram, user.id);
  assertMatch(list.text ?? "", /no subtitles in “de”/);
  user.sendText("/subs");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /choose among the languages/.test(m.text ?? ""))
  );
});

Deno.test("[e2e] /subs translated into three languages earns Polyglot, once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem(MIDDAY);
  const { telegram, system } = bed;
  const user = telegram.user(8004, { languageCode: "en" });
  let last = 0;
  for (const asked of ["en fr", "en es", "fr en"]) {
    user.sendText(`/subs ${lab.urls.page} ${asked}`);
    last = (await waitForFile(telegram, user.id, "document", last)).messageId;
  }
  const unlocked = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Achievement unlocked: 🌍 Polyglot/.test(m.text ?? ""))
  );
  assertMatch(unlocked.text ?? "", /subtitles translated into 3 languages · \+150 XP/);

  // a report delivered twice (an instance died before clearing its outbox entry) counts once
  const jobs: Job[] = [];
  for await (const { value } of system.kv.list<Job>({ prefix: ["jobs"] })) {
    if (value.userId === user.id && value.payload.kind === "subtitles") jobs.push(value);
  }
  const [first] = jobs.sort((a, b) => a.createdAt - b.createdAt);
  await system.kv.set(outboxKey(first.id), { jobId: first.id, attempts: 1 });
  await system.jobs.report(first);
  await system.jobs.settled();
  await system.events.settled();
  assertEquals((await getXpCounters(system.kv, user.id)).translation_languages, 3);
  assertEquals(
    telegram.messages(user.id).filter((m) => /unlocked: 🌍 Polyglot/.test(m.text ?? "")).length,
    1,
  );
  assertMatch(await polyglot(telegram, user.id), /^✅ 🌍 Polyglot/);
});

Deno.test("[e2e] /subs whose translation failed keeps the original and counts no language", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ ...MIDDAY, TRANSLATOR: "none" });
  const { telegram } = bed;
  const user = telegram.user(8005, { languageCode: "en" });
  user.sendText(`/subs ${lab.urls.page} en fr`);
  await waitForFile(telegram, user.id, "document");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /translation is unavailable/.test(m.text ?? ""))
  );
  await bed.system.events.settled();
  assertMatch(await polyglot(telegram, user.id), /\n\S+ 0\/3$/);
});
