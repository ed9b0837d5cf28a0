/** Updates delivered by webhook: menus ride in the webhook answer, everything else still works. */
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { dataFor, waitForFile, waitForPreview } from "../support/chat.ts";
import { serveApp } from "../support/fleet.ts";

Deno.test("[e2e/webhook] /start is answered in the webhook reply; a link still becomes a file, Share is answered", async () => {
  await using lab = await startMediaLab();
  await using telegram = await FakeTelegram.start();
  const dataDir = await Deno.makeTempDir();
  const app = await serveApp(telegram, dataDir, { webhook: true, env: { WORKERS: "1" } });
  try {
    const user = telegram.user(7101, { languageCode: "fr" });
    user.sendText("/start");
    const menu = await telegram.waitFor(() =>
      telegram.messages(user.id).find((m) => m.text?.includes("MediaBot"))
    );
    assert(menu.text?.includes("Dernières 24 h"), menu.text);
    const menuCall = telegram.calls.find((c) =>
      c.method === "sendMessage" && c.params.chat_id === user.id
    );
    assertEquals(menuCall?.viaWebhookReply, true);
    // written like the Bot API client's calls: in HTML, which Telegram reads
    assertEquals(menuCall?.params.parse_mode, "HTML");
    assert(!menu.text?.includes("<b>"), menu.text);

    // the preview is edited and pressed later: it needs a real Message, so no webhook reply
    user.sendText(lab.urls.page);
    const preview = await waitForPreview(telegram, user.id);
    user.pressButton(preview.message, dataFor(preview, "720p"));
    await waitForFile(telegram, user.id, "video");

    // the webhook takes inline mode's updates too: "📤 Partager" is answered
    const friend = telegram.user(7102, { languageCode: "fr" });
    const query = user.pressSwitchInlineButton(preview.message, "📤 Partager", friend);
    const answer = await telegram.waitFor(() =>
      telegram.inlineAnswers.find((a) => a.inline_query_id === query.inline_query?.id)
    );
    assertEquals(answer.results.length, 1);
    assert(telegram.webhookDeliveries.every((d) => d.status === 200));
  } finally {
    await app.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
