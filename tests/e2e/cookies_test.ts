/**
 * Cookies managed by admins, end to end against the real yt-dlp: a members' page refuses the
 * worker until an admin stores its session cookie, then delivers; a bad set stored later is tried,
 * refused and skipped for the good one; the cookie's value shows in no log line, Bot API call,
 * /metrics answer or KV value.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { LAB_MEMBERS, startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { readMetrics, startTestSystem } from "../support/system.ts";
import { waitUntil } from "../support/wait.ts";
import type { FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { createLogger } from "../../lib/logger.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { getLabelCounts, lastDays } from "../../kv/analytics.ts";
import { listCookieSets } from "../../kv/cookies.ts";

const ADMIN_ID = 900;
const COOKIES_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

function cookiesFile(value: string): Uint8Array {
  return new TextEncoder().encode(
    `# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\t${LAB_MEMBERS.cookieName}\t${value}\n`,
  );
}

/** Sends a document and waits for the bot's first answer after it matching `pattern`. */
async function sendCookies(
  telegram: FakeTelegram,
  admin: FakeUser,
  bytes: Uint8Array,
  caption: string | undefined,
  pattern: RegExp,
) {
  const before = telegram.messages(admin.id).at(-1)?.messageId ?? 0;
  const update = admin.sendDocument({
    fileName: "cookies.txt",
    mimeType: "text/plain",
    bytes,
    caption,
  });
  const answer = await telegram.waitFor(() =>
    telegram.messages(admin.id, { after: before }).find((m) => pattern.test(m.text ?? ""))
  );
  return { answer, messageId: update.message!.message_id };
}

/** Every key and value in KV as text, bytes read as Latin-1 so no byte string hides. */
async function everythingIn(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    parts.push(JSON.stringify(entry.key, (_, v) => typeof v === "bigint" ? String(v) : v));
    parts.push(
      JSON.stringify(
        entry.value,
        (_, value) =>
          value instanceof Uint8Array
            ? String.fromCharCode(...value)
            : typeof value === "bigint" || value instanceof Deno.KvU64
            ? String(value)
            : value,
      ),
    );
  }
  return parts.join("\n");
}

Deno.test("[e2e] a members' page is refused with the login message until an admin adds its cookies; a bad set is skipped for the good one; the value shows nowhere", async () => {
  await using lab = await startMediaLab();
  const logLines: string[] = [];
  await using bed = await startTestSystem(
    { ADMIN_IDS: String(ADMIN_ID), COOKIES_KEY },
    { logger: createLogger("debug", {}, (line) => logLines.push(line)) },
  );
  const { telegram, system } = bed;
  const t = translatorFor(await createI18n(), "en");
  const user = telegram.user(1001, { firstName: "Uma", languageCode: "en" });
  const admin = telegram.user(ADMIN_ID, { firstName: "Ada", languageCode: "en" });

  // before any cookies: the site's 403 is told as a sign-in the admins can fix
  user.sendText(lab.urls.members);
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => m.text === t("error-needs-login"))
  );

  // the admin sends the session's cookies.txt with the caption /cookies
  const good = await sendCookies(
    telegram,
    admin,
    cookiesFile(lab.session.value),
    "/cookies",
    /^✅/,
  );
  assertEquals(good.answer.text, t("cookies-added", { count: 1, domains: 1, expired: 0 }));
  const deleted = telegram.calls.some((call) =>
    call.method === "deleteMessage" && Number(call.params.message_id) === good.messageId
  );
  assert(deleted, "the message carrying the file is deleted from the chat");
  const list = await telegram.waitFor(() =>
    telegram.messages(admin.id).find((m) => m.text?.startsWith("🍪 Cookies for sites"))
  );
  assert(list.text?.includes("127.0.0.1"), list.text);
  dataFor(list, /^🗑 1\. 127\.0\.0\.1$/);

  // now the page opens and its video is delivered (the probe and the download both carry it)
  const before = telegram.messages(user.id).at(-1)!.messageId;
  user.sendText(lab.urls.members);
  const preview = await waitForPreview(telegram, user.id, before);
  user.pressButton(preview.message, dataFor(preview, new RegExp(`${LAB_MEMBERS.height}p$`)));
  const video = await waitForFile(telegram, user.id, "video", preview.messageId);
  assertEquals(video.message.video?.height, LAB_MEMBERS.height);

  // a second set, of a signed-out session, added the other way: /cookies, then the file
  const prompt = telegram.messages(admin.id).at(-1)!.messageId;
  admin.sendText("/cookies");
  await telegram.waitFor(() =>
    telegram.messages(admin.id, { after: prompt }).find((m) => m.text?.includes("I wait 5 minutes"))
  );
  const badValue = `signed-out-${crypto.randomUUID()}`;
  await sendCookies(telegram, admin, cookiesFile(badValue), undefined, /^✅/);

  // the newest set is tried first, refused, and the good one gets the media
  const again = telegram.messages(user.id).at(-1)!.messageId;
  user.sendText(`${lab.urls.members}?again=1`);
  const secondPreview = await waitForPreview(telegram, user.id, again);
  user.pressButton(
    secondPreview.message,
    dataFor(secondPreview, new RegExp(`${LAB_MEMBERS.height}p$`)),
  );
  await waitForFile(telegram, user.id, "video", secondPreview.messageId);
  const sets = await listCookieSets(system.kv);
  const failuresByAge = sets.map((set) => set.failures);
  assertEquals(failuresByAge[0], 0, "the good set never failed");
  assert(failuresByAge[1] >= 1, `the bad set was tried and refused: ${failuresByAge}`);

  // the refusal before the cookies was counted under its reason (analytics write each second)
  const failures = await waitUntil(async () => {
    const counts = await getLabelCounts(system.kv, lastDays(1), "download_failed", "reason");
    return counts.length > 0 && counts;
  }, "the failure counted");
  assertEquals(failures, [["needs_login", 1]]);

  // the cookie's value is in no log line, no Bot API call, no /metrics answer, no KV value
  const secrets = [lab.session.value, badValue];
  const metrics = await readMetrics(system);
  const calls = JSON.stringify(telegram.calls);
  const stored = await everythingIn(system.kv);
  for (const secret of secrets) {
    assertEquals(logLines.filter((line) => line.includes(secret)), [], "log lines");
    assert(!calls.includes(secret), "Bot API calls");
    assert(!metrics.includes(secret), "/metrics");
    assert(!stored.includes(secret), "KV");
  }
  assert(logLines.length > 0, "the run logged");
});

Deno.test("[e2e] without COOKIES_KEY, /cookies says what to set and stores nothing; non-admins are refused", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN_ID) });
  const { telegram, system } = bed;
  const t = translatorFor(await createI18n(), "en");
  const admin = telegram.user(ADMIN_ID, { languageCode: "en" });
  await sendCookies(telegram, admin, cookiesFile("value-123456"), "/cookies", /COOKIES_KEY/);
  assertEquals(await listCookieSets(system.kv), []);

  const stranger = telegram.user(1002, { languageCode: "en" });
  stranger.sendText("/cookies");
  await telegram.waitFor(() =>
    telegram.messages(stranger.id).find((m) => m.text === t("error-forbidden"))
  );
});

Deno.test("[e2e] a file that is not a cookies.txt is refused with its line, and nothing is stored", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN_ID), COOKIES_KEY });
  const { telegram, system } = bed;
  const t = translatorFor(await createI18n(), "en");
  const admin = telegram.user(ADMIN_ID, { languageCode: "en" });
  const links = new TextEncoder().encode("# my links\nhttps://example.com/a\n");
  const { answer } = await sendCookies(telegram, admin, links, "/cookies", /^⚠️/);
  assertEquals(answer.text, t("cookies-bad-line", { line: 2 }));
  assertEquals(await listCookieSets(system.kv), []);
});
