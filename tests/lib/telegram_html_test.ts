import { assertEquals } from "../support/assert.ts";
import { withHtmlParseMode } from "../../lib/telegram.ts";

Deno.test("[lib/telegram] texts and captions are HTML unless the call says otherwise", () => {
  const html = { parse_mode: "HTML" };
  assertEquals(withHtmlParseMode("sendMessage", { chat_id: 1, text: "<b>a</b>" }), {
    chat_id: 1,
    text: "<b>a</b>",
    ...html,
  });
  assertEquals(withHtmlParseMode("editMessageText", { text: "a" }), { text: "a", ...html });
  assertEquals(withHtmlParseMode("sendVideo", { video: "id", caption: "c" }), {
    video: "id",
    caption: "c",
    ...html,
  });
  assertEquals(withHtmlParseMode("copyMessage", { caption: "c" }), { caption: "c", ...html });
  assertEquals(withHtmlParseMode("editMessageCaption", { caption: "c" }), {
    caption: "c",
    ...html,
  });
});

Deno.test("[lib/telegram] an album's captioned items are HTML; the others and a chosen mode are left", () => {
  const media = [
    { type: "photo", media: "a", caption: "<b>album</b>" },
    { type: "photo", media: "b" },
    { type: "video", media: "c", caption: "*c*", parse_mode: "MarkdownV2" },
  ];
  assertEquals(withHtmlParseMode("sendMediaGroup", { chat_id: 1, media }), {
    chat_id: 1,
    media: [{ ...media[0], parse_mode: "HTML" }, media[1], media[2]],
  });
});

Deno.test("[lib/telegram] calls without a text of the app's, or with their own mode, are left alone", () => {
  const unchanged: [string, Record<string, unknown>][] = [
    // no caption: a copy keeps the original's, a file goes without
    ["copyMessage", { chat_id: 1, from_chat_id: 2, message_id: 3 }],
    ["sendDocument", { document: "id" }],
    ["sendVideo", { video: "id", caption: undefined }],
    // the caller chose: another mode, plain text, or entities of its own
    ["sendMessage", { text: "*a*", parse_mode: "MarkdownV2" }],
    ["sendMessage", { text: "1 < 2", parse_mode: undefined }],
    ["sendMessage", { text: "a", entities: [] }],
    ["sendPhoto", { photo: "id", caption: "c", caption_entities: [] }],
    // methods whose text is elsewhere, or that have none
    ["answerInlineQuery", { inline_query_id: "q", results: [] }],
    ["editMessageReplyMarkup", { chat_id: 1, message_id: 2, reply_markup: undefined }],
    ["answerCallbackQuery", { callback_query_id: "q", text: "<b>" }],
    ["sendMediaGroup", { chat_id: 1, media: [] }],
  ];
  for (const [method, payload] of unchanged) {
    assertEquals(withHtmlParseMode(method, payload), payload, method);
  }
});
