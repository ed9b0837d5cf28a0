/** "📤 Share" buttons, and the one inline result a Share button's query gets. */
import type { InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult } from "grammy/types";
import type { Translate } from "../i18n/translations.ts";
import type { MediaKind } from "../media/media_types.ts";
import { escapeHtml, truncate } from "../lib/format.ts";

/** What a share's inline result shows. */
export interface ShareResultView {
  /** the share's token: the result's id, so the chosen result names the share */
  id: string;
  title: string;
  webpageUrl: string;
  botUsername: string;
  /** t.me/<bot>?start=…: opens the media's preview in the bot */
  deepLink: string;
  /** the file Telegram has; without one, the result is a message offering the deep link */
  file?: { kind: MediaKind; fileId: string };
}

/** Opens the user's chat list; the chat they pick gets the bot's inline result for `token`. */
export function shareButton(t: Translate, token: string): InlineKeyboardButton {
  return { text: t("button-share"), switch_inline_query: token };
}

export function shareKeyboard(t: Translate, token: string): InlineKeyboardMarkup {
  return { inline_keyboard: [[shareButton(t, token)]] };
}

export function renderShareResult(t: Translate, view: ShareResultView): InlineQueryResult {
  const title = truncate(view.title, 200);
  const bot = `@${view.botUsername}`;
  if (view.file) {
    // links are entities, not text: the caption is the title (≤ 200) and the bot's name
    const caption =
      `<b>${escapeHtml(title)}</b> <a href="${escapeHtml(view.webpageUrl)}">🔗</a>\n` +
      `📥 <a href="${escapeHtml(view.deepLink)}">${escapeHtml(bot)}</a>`;
    const common = { id: view.id, caption, parse_mode: "HTML" as const };
    const { kind, fileId } = view.file;
    if (kind === "video") return { ...common, type: "video", video_file_id: fileId, title };
    if (kind === "audio") return { ...common, type: "audio", audio_file_id: fileId };
    return { ...common, type: "document", document_file_id: fileId, title };
  }
  return {
    type: "article",
    id: view.id,
    title,
    description: t("share-result-description", { bot }),
    input_message_content: {
      message_text: t("share-message", { title: escapeHtml(title), bot: escapeHtml(bot) }),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
    reply_markup: { inline_keyboard: [[{ text: t("share-open", { bot }), url: view.deepLink }]] },
  };
}
