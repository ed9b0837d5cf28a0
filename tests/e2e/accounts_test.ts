/** Accounts: menu, quota, Stars payments, settings, admin and blocked users, end to end. */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import { starsRevenue } from "../../kv/payments.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { downloadsCountKey } from "../../kv/history.ts";
import { formatBytes } from "../../lib/format.ts";
import { waitUntil } from "../support/wait.ts";

Deno.test("[e2e/accounts] the menu speaks the user's language and every button it offers works", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "7002" });
  const { telegram } = bed;
  const fr = telegram.user(7001, { languageCode: "fr" });
  const admin = telegram.user(7002, { languageCode: "en" });
  const menu = await reply(telegram, fr, "/start", /Votre compte/);
  assertMatch(menu.text ?? "", /Gratuit/);
  assertMatch(menu.text ?? "", /Téléchargements : 0/);
  assert(!buttons(menu).some((b) => b.data === "menu:admin"), "only admins see Admin");
  const adminMenu = await reply(telegram, admin, "/menu", /Your account/);
  assert(buttons(adminMenu).some((b) => b.data === "menu:admin"));

  for (const { data } of buttons(adminMenu)) {
    // Settings and History open in the menu's own message: each button gets a menu of its own
    const menuNow = await reply(telegram, admin, "/menu", /Your account/);
    const before = telegram.messages(admin.id).length;
    const answersBefore = telegram.callbackAnswers.length;
    admin.pressButton(menuNow.message, data);
    const answered = await telegram.waitFor(() =>
      telegram.callbackAnswers.slice(answersBefore).find((a) => a.data === data)
    );
    assert(!/expired/.test(answered.text ?? ""), `${data} is handled`);
    const shownInPlace = () =>
      telegram.messages(admin.id).some((m) =>
        m.messageId === menuNow.messageId && m.text !== menuNow.text
      );
    await telegram.waitFor(() =>
      telegram.messages(admin.id).length > before || shownInPlace() || undefined
    );
  }
  await reply(telegram, fr, "/admin", /administrateurs/);
});

Deno.test("[e2e/accounts] downloads reserve quota, settle to the real size, and a refusal says what is left", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({ FREE_QUOTA_MB: "1.5" });
  const { telegram, system } = bed;
  const user = telegram.user(7101, { languageCode: "en" });
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, "720p"));
  const video = await waitForFile(telegram, user.id, "video");
  const size = video.media!.fileSize;
  const quota = new QuotaStore(system.kv);
  const usedBytes = async () => (await quota.usage(user.id, "UTC", 1.5 * 1024 * 1024)).usedBytes;
  await waitUntil(async () => (await usedBytes()) === size, "the quota settled");

  user.pressButton(preview.message, dataFor(preview, "360p"));
  const small = await waitForFile(telegram, user.id, "video", video.messageId);
  await waitUntil(
    async () => (await usedBytes()) === size + small.media!.fileSize,
    "the second download settled",
  );
  await waitUntil(
    async () => (await system.kv.get<Deno.KvU64>(downloadsCountKey(user.id))).value?.value === 2n,
    "both downloads are in the history",
  );
  const menu = await reply(telegram, user, "/start", /Your account/);
  assertMatch(menu.text ?? "", /Downloads: 2/);
  const used = formatBytes(size + small.media!.fileSize, "en");
  assert(menu.text?.includes(`Last 24 h: ${used} / 1.5 MB`), menu.text);

  user.pressButton(preview.message, dataFor(preview, "🎵 Audio only"));
  const refusal = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Quota reached/.test(m.text ?? ""))
  );
  assertMatch(refusal.text ?? "", /left of your 1\.5 MB per 24 hours/);
  assertMatch(refusal.text ?? "", /free again at .*\(UTC\)/);
  assertEquals((await system.queue.countByState()).ready, 0, "nothing queued");
});

Deno.test("[e2e/accounts] Stars: invoice, checked pre-checkout, premium granted once, refunded by an admin", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "7299" });
  const { telegram, system } = bed;
  const user = telegram.user(7201, { languageCode: "en" });
  const admin = telegram.user(7299, { languageCode: "en" });
  const plans = await reply(telegram, user, "/premium", /MediaBot Premium/);
  user.pressButton(plans.message, "buy:month");
  const invoice = await telegram.waitFor(() => telegram.messages(user.id).find((m) => m.invoice));
  assertEquals(invoice.invoice?.currency, "XTR");
  assertEquals(invoice.invoice?.prices, [{ label: "MediaBot Premium, 30 days", amount: 250 }]);

  user.payInvoice(invoice);
  const thanks = await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) => /Thank you/.test(m.text ?? ""))
  );
  assertMatch(thanks.text ?? "", /Premium is active until/);
  assertEquals(telegram.preCheckoutAnswers.filter((a) => a.ok).length, 1);

  // Telegram delivers the payment twice: granted once
  const profile = await system.kv.get<{ premiumUntil: number }>(["users", user.id]);
  const paid = telegram.messages(user.id).length;
  const payment = (await system.kv.list({ prefix: ["payments_by_user", user.id] }).next()).value;
  assertExists(payment);
  const chargeId = payment.value as string;
  user.sendUpdate({
    message: {
      message_id: 9999,
      date: Math.floor(Date.now() / 1000),
      chat: user.chat,
      from: user.info,
      successful_payment: {
        currency: "XTR",
        total_amount: 250,
        invoice_payload: invoice.invoice!.payload,
        telegram_payment_charge_id: chargeId,
        provider_payment_charge_id: chargeId,
      },
    },
  });
  await reply(telegram, user, "/start", /Premium until/);
  const after = await system.kv.get<{ premiumUntil: number }>(["users", user.id]);
  assertEquals(after.value?.premiumUntil, profile.value?.premiumUntil, "no second grant");
  assertEquals(await starsRevenue(system.kv), 250);
  assertEquals(
    telegram.messages(user.id).slice(paid).filter((m) => /Thank you/.test(m.text ?? "")).length,
    0,
  );

  await reply(telegram, admin, `/admin refund ${chargeId}`, /refunded to user 7201/);
  assertEquals(telegram.refunds.length, 1);
  assertEquals(await starsRevenue(system.kv), 0);
  await reply(telegram, user, "/start", /Plan: 👤 Free/);
  await reply(telegram, admin, `/admin refund ${chargeId}`, /already refunded/);
});

Deno.test("[e2e/accounts] settings persist and change behaviour at once", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  const user = telegram.user(7301, { languageCode: "en" });
  const settings = await reply(telegram, user, "/settings", /Settings/);
  user.pressButton(settings.message, "set:audio:1");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === settings.messageId && /Prefer audio: on/.test(m.text ?? "")
    )
  );
  user.sendText(lab.urls.page);
  const preview = await waitForPreview(telegram, user.id);
  assertEquals(buttons(preview)[0].text, "🎵 Audio only", "audio comes first");

  const current = telegram.messages(user.id).find((m) => m.messageId === settings.messageId)!;
  user.pressButton(current.message, "set:send:file");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === settings.messageId && /file \(document\)/.test(m.text ?? "")
    )
  );
  user.pressButton(preview.message, dataFor(preview, "720p"));
  await waitForFile(telegram, user.id, "document");

  await reply(telegram, user, "/settings timezone Mars/Olympus", /not a time zone/);
  await reply(telegram, user, "/settings timezone Europe/Paris", /Time zone: Europe\/Paris/);
  const latest = telegram.messages(user.id).findLast((m) => /Settings/.test(m.text ?? ""))!;
  user.pressButton(latest.message, "set:lang:fr");
  await telegram.waitFor(() =>
    telegram.messages(user.id).find((m) =>
      m.messageId === latest.messageId && /Paramètres/.test(m.text ?? "")
    )
  );
  await reply(telegram, user, "/start", /Votre compte/);
});

Deno.test("[e2e/accounts] a blocked user gets nothing processed until unblocked", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: "7499" });
  const { telegram } = bed;
  const user = telegram.user(7401, { languageCode: "en" });
  const admin = telegram.user(7499, { languageCode: "en" });
  await reply(telegram, user, "/start", /Your account/);
  await reply(telegram, admin, "/admin block 7401", /is blocked/);
  const before = telegram.messages(user.id).length;
  user.sendText("/start");
  user.sendText("http://127.0.0.1:9/video");
  await reply(telegram, admin, "/admin", /Users: 2/);
  assertEquals(telegram.messages(user.id).length, before, "no answer to a blocked user");
  await reply(telegram, admin, "/admin unblock 7401", /is unblocked/);
  await reply(telegram, user, "/start", /Your account/);
});
