/**
 * Three complete app instances over one KV, as on Deno Deploy, each update delivered to one of
 * them at random (the webhook URL is a load balancer) and two fleet workers calling it too: every
 * flow ends exactly as on one instance, and Telegram's flood limits hold for all of them together.
 */
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "../support/fake_telegram.ts";
import { floodViolations, sendsOf } from "../support/flood.ts";
import { waitUntil } from "../support/wait.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { starsRevenue } from "../../kv/payments.ts";
import { listPlaylistsByUser } from "../../kv/playlists.ts";
import { listPlaylistItems } from "../../kv/playlist_items.ts";
import { TELEGRAM_LIMITS } from "../../lib/throttle.ts";

const ADMIN = 20_999;
/** calls reach the fake Bot API a little after their turn, and not always in the order taken */
const ARRIVAL_SLACK_MS = 150;
const FILE_KINDS = new Set(["video", "audio", "document"]);

/** Sends a text and returns the bot's next message in that chat. */
async function answerTo(telegram: FakeTelegram, user: FakeUser, text: string) {
  const after = telegram.messages(user.id).at(-1)?.messageId ?? 0;
  user.sendText(text);
  return await telegram.waitFor(() => telegram.messages(user.id, { after })[0], {
    timeoutMs: 20_000,
  });
}

/** The first message of the bot's after `after` that matches. */
function waitForText(telegram: FakeTelegram, chatId: number, pattern: RegExp, after = 0) {
  return telegram.waitFor(
    () => telegram.messages(chatId, { after }).find((m) => pattern.test(m.text ?? "")),
    { timeoutMs: 60_000 },
  );
}

/** A message's current state once an edit made it match. */
function waitForEdit(telegram: FakeTelegram, message: BotMessage, pattern: RegExp) {
  return telegram.waitFor(() =>
    telegram.messages(message.chatId).find((m) =>
      m.messageId === message.messageId && pattern.test(m.text ?? "")
    )
  );
}

function filesIn(telegram: FakeTelegram, chatId: number): BotMessage[] {
  return telegram.messages(chatId).filter((m) => m.media && FILE_KINDS.has(m.media.kind));
}

/** Every update delivered, every job ended and reported, every report's messages sent. */
async function settle(cluster: Cluster): Promise<void> {
  const { queue } = cluster.instances[0].system;
  await waitUntil(
    async () => {
      if (cluster.telegram.pendingUpdates.length > 0) return false;
      const counts = await queue.countByState();
      if (counts.ready + counts.leased > 0) return false;
      return (await queue.listOutbox()).entries.length === 0;
    },
    "the cluster to settle",
    120_000,
  );
  await Promise.all(cluster.instances.map(({ system }) => system.jobs.settled()));
}

/** Waits until Telegram got the webhook's answer to each of these updates. */
function waitForDeliveries(telegram: FakeTelegram, updateIds: number[]) {
  return telegram.waitFor(() =>
    updateIds.every((id) =>
      telegram.webhookDeliveries.some((d) => d.update_id === id && d.status === 200)
    ) || undefined
  );
}

Deno.test("[e2e/cluster] three instances over one KV, updates to any of them, two fleet workers: every flow ends as on one instance", async (t) => {
  await using lab = await startMediaLab();
  await using cluster = await startCluster({ env: { ADMIN_IDS: String(ADMIN) } });
  const { telegram, kv } = cluster;
  const quota = new QuotaStore(kv);
  const usedBytes = async (userId: number) =>
    (await quota.usage(userId, "UTC", 500 * 1024 * 1024)).usedBytes;

  await t.step("a crowd opening the menu at once: one menu each", async () => {
    const crowd = Array.from({ length: 40 }, (_, i) => telegram.user(20_001 + i));
    for (const user of crowd) user.sendText("/start");
    for (const user of crowd) await waitForText(telegram, user.id, /Your account/);
    await settle(cluster);
    for (const user of crowd) assertEquals(telegram.messages(user.id).length, 1, `${user.id}`);
  });

  await t.step(
    "a download, then the same from the cache: one file each, each charged once",
    async () => {
      const [first, second] = [20_101, 20_102].map((id) => telegram.user(id));
      first.sendText(lab.urls.page);
      const preview = await waitForPreview(telegram, first.id);
      first.pressButton(preview.message, dataFor(preview, "720p"));
      const video = await waitForFile(telegram, first.id, "video");
      second.sendText(lab.urls.page);
      const again = await waitForPreview(telegram, second.id);
      second.pressButton(again.message, dataFor(again, "720p"));
      const cached = await waitForFile(telegram, second.id, "video");
      await settle(cluster);
      assertEquals(cached.media?.source, "file_id", "sent again by file_id");
      assertEquals(cached.media?.fileUniqueId, video.media?.fileUniqueId);
      for (const user of [first, second]) {
        assertEquals(filesIn(telegram, user.id).length, 1, `one file for ${user.id}`);
        assertEquals(await usedBytes(user.id), video.media!.fileSize, `${user.id} charged once`);
      }
    },
  );

  await t.step("settings changed on one instance hold on all of them at once", async () => {
    const user = telegram.user(20_201, { languageCode: "en" });
    // every instance has seen this user before the change
    for (let i = 0; i < 6; i++) {
      assertMatch((await answerTo(telegram, user, "/start")).text ?? "", /Your account/);
    }
    const settings = await answerTo(telegram, user, "/settings");
    user.pressButton(settings.message, "set:send:file");
    const asFile = await waitForEdit(telegram, settings, /file \(document\)/);
    user.pressButton(asFile.message, "set:lang:fr");
    await waitForEdit(telegram, settings, /Paramètres/);
    for (let i = 0; i < 6; i++) {
      assertMatch((await answerTo(telegram, user, "/start")).text ?? "", /Votre compte/);
    }
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    await waitForFile(telegram, user.id, "document");
    await settle(cluster);
    assertEquals(filesIn(telegram, user.id).map((m) => m.media?.kind), ["document"]);
  });

  await t.step("a block on one instance holds on all of them at once", async () => {
    const user = telegram.user(20_301, { languageCode: "en" });
    const admin = telegram.user(ADMIN, { languageCode: "en" });
    for (let i = 0; i < 6; i++) {
      assertMatch((await answerTo(telegram, user, "/start")).text ?? "", /Your account/);
    }
    assertMatch((await answerTo(telegram, admin, "/admin block 20301")).text ?? "", /is blocked/);
    const before = telegram.messages(user.id).length;
    const updates = [...Array(6).keys()].map(() => user.sendText("/start").update_id);
    updates.push(user.sendText(lab.urls.page).update_id);
    await waitForDeliveries(telegram, updates);
    await settle(cluster);
    assertEquals(telegram.messages(user.id).length, before, "no answer to a blocked user");
    assertMatch((await answerTo(telegram, admin, "/admin unblock 20301")).text ?? "", /unblocked/);
    assertMatch((await answerTo(telegram, user, "/start")).text ?? "", /Your account/);
  });

  await t.step("a Stars payment Telegram delivers twice: Premium granted once", async () => {
    const user = telegram.user(20_401, { languageCode: "en" });
    const plans = await answerTo(telegram, user, "/premium");
    user.pressButton(plans.message, "buy:month");
    const invoice = await telegram.waitFor(() => telegram.messages(user.id).find((m) => m.invoice));
    user.payInvoice(invoice);
    await waitForText(telegram, user.id, /Thank you/);
    await settle(cluster);
    const granted = (await kv.get<{ premiumUntil: number }>(["users", user.id])).value;
    const payment = (await kv.list<string>({ prefix: ["payments_by_user", user.id] }).next()).value;
    assertExists(payment);
    const chargeId = payment.value;
    const again = user.sendUpdate({
      message: {
        message_id: 9_999,
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
    await waitForDeliveries(telegram, [again.update_id]);
    await settle(cluster);
    const menuAfter = telegram.messages(user.id).at(-1)!.messageId;
    user.sendText("/start");
    const menu = await waitForText(telegram, user.id, /Your account/, menuAfter);
    assertMatch(menu.text ?? "", /Premium until/);
    const after = (await kv.get<{ premiumUntil: number }>(["users", user.id])).value;
    assertEquals(after?.premiumUntil, granted?.premiumUntil, "no second grant");
    assertEquals(await starsRevenue(kv), 250);
    assertEquals(
      telegram.messages(user.id).filter((m) => /Thank you/.test(m.text ?? "")).length,
      1,
      "thanked once",
    );
  });

  await t.step("a playlist two people build together", async () => {
    const owner = telegram.user(20_501, { firstName: "Dora", languageCode: "en" });
    const editor = telegram.user(20_502, { firstName: "Eli", languageCode: "en" });
    assertMatch((await answerTo(telegram, owner, "/playlist create Trip")).text ?? "", /created/);
    const invite = await answerTo(telegram, owner, "/playlist invite Trip edit");
    const token = /start=inv_([\w-]+)/.exec(invite.text ?? "")?.[1];
    assertExists(token, `an invite link in ${invite.text}`);
    assertMatch(
      (await answerTo(telegram, editor, `/start inv_${token}`)).text ?? "",
      /You are now editor of Trip/,
    );
    editor.sendText(`/playlist add ${lab.urls.page} Trip`);
    await waitForText(telegram, editor.id, /added to Trip/);
    owner.sendText(`/playlist add ${lab.urls.audioPage} Trip`);
    await waitForText(telegram, owner.id, /added to Trip/);
    await settle(cluster);
    const [summary] = await listPlaylistsByUser(kv, owner.id);
    const items = await listPlaylistItems(kv, summary.playlist.id);
    assertEquals(items.map((item) => item.addedBy).sort(), [owner.id, editor.id].sort());
    const shown = await answerTo(telegram, editor, "/playlist show");
    // a lone playlist opens at once
    assertMatch(shown.text ?? "", /📁 Trip\n.* · 2 items/);
  });

  await t.step("a schedule fires once", async () => {
    const user = telegram.user(20_601, { languageCode: "en" });
    const scheduled = await answerTo(
      telegram,
      user,
      `/schedule ${lab.urls.audioPage} in 3 seconds`,
    );
    assertMatch(scheduled.text ?? "", /Scheduled/);
    await waitForText(telegram, user.id, /Starting the download you scheduled/);
    await waitForFile(telegram, user.id, "audio");
    await settle(cluster);
    // every instance sweeps again, well after it was due: none starts it a second time
    await Promise.all(cluster.instances.map(({ system }) => system.sweep()));
    await settle(cluster);
    const starts = telegram.messages(user.id).filter((m) =>
      /Starting the download/.test(m.text ?? "")
    );
    assertEquals(starts.length, 1);
    assertEquals(filesIn(telegram, user.id).length, 1);
  });

  await t.step("a batch: one progress message, its summary last, each file once", async () => {
    const user = telegram.user(20_701, { languageCode: "en" });
    user.sendText(
      `/batch ${lab.urls.page} ${lab.urls.audioPage} ${lab.urls.missing} ${lab.urls.series}`,
    );
    const summary = await waitForText(telegram, user.id, /— finished/);
    await settle(cluster);
    const message = telegram.messages(user.id).find((m) => m.messageId === summary.messageId)!;
    assertMatch(message.text ?? "", /4\/4 · ✅ 3 · ❌ 1/);
    assert(message.history.length > 1, "the one message was edited as items finished");
    assertMatch(message.history.at(-1)?.text ?? "", /— finished/);
    assertEquals(filesIn(telegram, user.id).length, 3);
    const progress = telegram.messages(user.id).filter((m) => /\/4 · ✅/.test(m.text ?? ""));
    assertEquals(progress.length, 1, "one progress message");
  });

  await t.step("Telegram's flood limits held for all instances and workers together", () => {
    const sends = sendsOf(telegram.calls);
    assertEquals(floodViolations(sends, TELEGRAM_LIMITS, { slackMs: ARRIVAL_SLACK_MS }), []);
    for (const { url } of cluster.instances) {
      assert((cluster.balancer.served.get(url) ?? 0) > 0, `${url} served requests`);
    }
  });
});
