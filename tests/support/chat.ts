/** Reading the bot's side of a chat in the fake Bot API: buttons, previews, delivered files. */
import { assertExists } from "./assert.ts";
import type { BotMessage, FakeTelegram, FakeUser } from "./fake_telegram.ts";

export function buttons(message: BotMessage): { text: string; data: string }[] {
  const markup = message.replyMarkup;
  if (!markup || !("inline_keyboard" in markup)) return [];
  return markup.inline_keyboard.flat().map((b) => ({
    text: b.text,
    data: "callback_data" in b ? String(b.callback_data) : "",
  }));
}

export function dataFor(message: BotMessage, label: string | RegExp): string {
  const button = buttons(message).find((b) =>
    typeof label === "string" ? b.text === label : label.test(b.text)
  );
  assertExists(button, `no button ${label} in ${JSON.stringify(buttons(message))}`);
  return button.data;
}

export function waitForPreview(
  telegram: FakeTelegram,
  chatId: number,
  after = 0,
): Promise<BotMessage> {
  return telegram.waitFor(
    () =>
      telegram.messages(chatId, { after }).find((m) =>
        !m.deleted && buttons(m).some((b) => b.data.startsWith("dl:"))
      ),
    { timeoutMs: 30_000 },
  );
}

export function waitForFile(
  telegram: FakeTelegram,
  chatId: number,
  kind: "video" | "audio" | "document",
  after = 0,
): Promise<BotMessage> {
  return telegram.waitFor(
    () => telegram.messages(chatId, { after }).find((m) => m.media?.kind === kind),
    {
      timeoutMs: 60_000,
    },
  );
}

/** A user sends a link, presses `label` on its preview, and waits for the file of that kind. */
export async function downloadThroughChat(
  telegram: FakeTelegram,
  user: FakeUser,
  url: string,
  label: string | RegExp,
  kind: "video" | "audio" | "document" = "video",
): Promise<BotMessage> {
  user.sendText(url);
  const preview = await waitForPreview(telegram, user.id);
  user.pressButton(preview.message, dataFor(preview, label));
  return await waitForFile(telegram, user.id, kind);
}

/** Sends a text and waits for the bot's first new message matching `pattern`. */
export async function reply(
  telegram: FakeTelegram,
  user: FakeUser,
  text: string,
  pattern: RegExp,
): Promise<BotMessage> {
  const before = telegram.messages(user.id).length;
  user.sendText(text);
  return await telegram.waitFor(() =>
    telegram.messages(user.id).slice(before).find((m) => pattern.test(m.text ?? ""))
  );
}
