/**
 * Hostile members of a group: pressing another's buttons, forging callback data, /dl replies to
 * messages without a link, and the bot removed while a download runs. Invariants: only the
 * requester's presses do anything, nothing personal is said in the group, and a group the bot
 * was removed from is recorded once and never sent to again, with no report left looping.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { getBotChat } from "../../kv/bot_chats.ts";
import { listRecentHistory } from "../../kv/history.ts";

const GROUP_ID = -2001;
const NOT_YOURS = "This preview belongs to someone else.";
const PERSONAL = "🔒 That is personal: I answer it in our private chat.";

Deno.test("[security/groups] another member's presses and forged buttons do nothing; /dl without a link queues nothing", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram, system } = bed;
  const alice = telegram.user(4001, { firstName: "Alice", languageCode: "en" });
  const mallory = telegram.user(4002, { firstName: "Mallory", languageCode: "en" });
  // a second hostile member: Mallory's presses use up her rate limit (silent in a group)
  const eve = telegram.user(4003, { firstName: "Eve", languageCode: "en" });
  const group = telegram.group(GROUP_ID, { members: [alice, mallory, eve] });
  group.addBot(alice);
  await telegram.waitFor(() => telegram.messages(GROUP_ID)[0]);

  const request = group.sendText(alice, `/dl ${lab.urls.page}`);
  const preview = await waitForPreview(telegram, GROUP_ID);
  const previewId = /^dl:([0-9A-Z]{26}):/.exec(dataFor(preview, "360p"))![1];
  let inputs = 0;
  let escapes = 0;
  let crashes = 0;
  const answerTo = (update: { callback_query?: { id: string } }) =>
    telegram.waitFor(() =>
      telegram.callbackAnswers.find((a) => a.callback_query_id === update.callback_query!.id)
    );
  const crashed = () =>
    telegram.messages(GROUP_ID).filter((m) => /Something went wrong/i.test(m.text ?? "")).length;

  // every button of Alice's preview, pressed by Mallory
  for (const { data } of buttons(preview).filter((b) => b.data)) {
    inputs++;
    const answer = await answerTo(mallory.pressButton(preview.message, data));
    if (answer.text !== NOT_YOURS) escapes++;
  }

  // forged data on Alice's preview: other variants, other kinds, personal screens, junk
  const forged = [
    `dl:${previewId}:best`,
    `dl:${previewId}:audio`,
    `dl:${previewId}:split`,
    `dl:${previewId}:c_low`,
    `rc:${previewId}:5`,
    `cz:${previewId}`,
    `tt:${previewId}`,
    `pv:${previewId}:close`,
    `pa:${previewId}`,
    `px:${previewId}`,
    "menu:history",
    "menu:settings",
    "menu:premium",
    "cx",
    `dl:${previewId.toLowerCase()}:best`,
    `dl:${previewId}:best:extra`,
    `dl:../../previews/${previewId}:best`,
    "dl:" + "Z".repeat(61),
    "x",
    "\u0000",
  ];
  const shown = telegram.messages(GROUP_ID).length;
  for (const data of forged) {
    // Alice's own kinds would act for her, as they should: she tries only what is not hers here
    const personal = data === "\u0000" ||
      /^(pa|px|menu):|^x$|^dl:(?![0-9A-Z]{26}:[a-z0-9_]+$)/.test(data);
    for (const presser of personal ? [mallory, alice] : [mallory]) {
      inputs++;
      const answer = await answerTo(presser.pressForgedButton(preview.message, data));
      // Mallory: never anything but a refusal; Alice: her own kinds act, personal ones do not
      const refused = [NOT_YOURS, PERSONAL, "Nothing is running."];
      if (presser === mallory && !refused.includes(answer.text ?? "")) escapes++;
      if (data.startsWith("pa:") || data.startsWith("px:") || data.startsWith("menu:")) {
        if (answer.text !== PERSONAL) escapes++;
      }
    }
  }
  // Mallory got no job and no history, and nothing personal reached the group
  await system.jobs.settled();
  if ((await system.queue.listActiveByUser(mallory.id)).length > 0) escapes++;
  if ((await listRecentHistory(system.kv, mallory.id)).length > 0) escapes++;
  const said = telegram.messages(GROUP_ID, { after: preview.messageId }).slice(shown);
  for (const message of said) {
    if (/history|settings|Premium|Plan:|Your account/i.test(message.text ?? "")) escapes++;
  }
  crashes += crashed();

  // /dl in reply to messages without a link
  const linkless = [
    "no link here",
    "ftp://example.com/video.mp4",
    "javascript:alert(1)",
    "@someone",
    "example",
    "<b>https</b>",
  ];
  for (const text of linkless) {
    inputs++;
    const target = group.sendText(mallory, text);
    const before = telegram.messages(GROUP_ID).length;
    group.sendText(eve, "/dl", target);
    const answer = await telegram.waitFor(() => telegram.messages(GROUP_ID)[before]);
    if (!/\/dl <link>/.test(answer.text ?? "")) escapes++;
  }
  await system.jobs.settled();
  if ((await system.queue.listActiveByUser(eve.id)).length > 0) escapes++;

  // the preview still works for its owner, and answers her request
  alice.pressButton(preview.message, dataFor(preview, "360p"));
  const video = await waitForFile(telegram, GROUP_ID, "video");
  assertEquals(video.message.reply_to_message?.message_id, request.message_id);
  crashes += crashed();

  await reportHostile({ name: "group buttons and /dl", inputs, escapes, wrongFiles: 0, crashes });
  assertEquals({ escapes, crashes }, { escapes: 0, crashes: 0 });
  assert(inputs >= 40, `inputs tried: ${inputs}`);
});

Deno.test("[security/groups] removed mid-download without my_chat_member: Telegram's 403 marks the group once, nothing loops", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({}, { reportRetryBaseMs: 50 });
  const { telegram, system } = bed;
  const alice = telegram.user(4101, { firstName: "Alice", languageCode: "en" });
  const group = telegram.group(GROUP_ID, { members: [alice] });
  group.addBot(alice);
  await telegram.waitFor(() => telegram.messages(GROUP_ID)[0]);
  group.sendText(alice, `/dl ${lab.urls.page}`);
  const preview = await waitForPreview(telegram, GROUP_ID);
  alice.pressButton(preview.message, dataFor(preview, "720p"));
  await waitUntil(
    async () => (await system.queue.listActiveByUser(alice.id)).length > 0,
    "the download queued",
  );
  // the bot is removed and the update saying so is lost: only Telegram's answers tell
  const kickedAt = Date.now();
  telegram.failChat(GROUP_ID, {
    code: 403,
    description: "Forbidden: bot was kicked from the group chat",
  });

  await waitUntil(
    async () => {
      const active = await system.queue.listActiveByUser(alice.id);
      const outbox = await system.queue.listOutbox({});
      return active.length === 0 && outbox.entries.length === 0;
    },
    "the job ended and its report finished",
    60_000,
  );
  await system.jobs.settled();
  assertEquals((await getBotChat(system.kv, GROUP_ID))?.status, "gone");
  const tries = telegram.calls.filter((call) =>
    call.time >= kickedAt && Number(call.params.chat_id) === GROUP_ID
  );
  // at most: the upload, a progress edit, the status edit and its fallback send
  assert(tries.length <= 4, `calls to the group after it was gone: ${tries.length}`);
  assertEquals(await listRecentHistory(system.kv, alice.id), []);
  // once recorded, later outcomes for that group send nothing at all
  const calls = telegram.calls.length;
  await system.jobs.sweep();
  assertEquals(
    telegram.calls.slice(calls).filter((c) => Number(c.params.chat_id) === GROUP_ID),
    [],
  );
  await reportHostile({
    name: "bot removed from a group mid-download",
    inputs: 1,
    escapes: tries.length > 4 ? 1 : 0,
    wrongFiles: 0,
    crashes: 0,
  });
});
