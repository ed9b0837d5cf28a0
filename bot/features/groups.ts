/**
 * The bot in groups and supergroups: `/dl` downloads for the one who asks (the preview, its
 * buttons, quota and history are theirs), `/help` says how, personal commands answer only with
 * the way to the private chat, and being added or removed is recorded (kv/bot_chats.ts).
 * Installed first: nothing else answers a group's messages.
 */
import type { BotContext } from "../context.ts";
import { FeatureComposer } from "../composer.ts";
import { extractUrl } from "../../lib/url_guard.ts";
import { offerPreview } from "../preview_request.ts";
import { privateChatKeyboard } from "../../views/groups.ts";
import { markChatGone, markChatJoined } from "../../kv/bot_chats.ts";
import { translatorFor } from "../../i18n/translations.ts";
import { type CallbackKind, callbackPattern } from "../../views/callbacks.ts";

/** Commands whose answers are the user's own: in a group, only a button to the private chat. */
const PERSONAL_COMMANDS = [
  "menu",
  "history",
  "stats",
  "profile",
  "settings",
  "premium",
  "admin",
  "playlist",
  "recommend",
  "schedule",
  "schedules",
  "batch",
  "record",
  "subs",
  "achievements",
  "top",
  "cancel",
  "cookies",
];

/** The buttons a group's messages carry: a preview's and a status message's. */
const GROUP_BUTTONS: readonly CallbackKind[] = [
  "download",
  "previewClose",
  "compressOpen",
  "translateTitle",
  "recordLive",
  "jobCancel",
  "recordStop",
];
const groupButtonPatterns = GROUP_BUTTONS.map(callbackPattern);

export const groupsFeature = new FeatureComposer<BotContext>();

const groups = groupsFeature.chatType(["group", "supergroup"]);

// any other button (a menu's, a playlist's: forged, since no group message has them) would
// answer with the presser's own things in front of the group
groups.on("callback_query:data", async (ctx, next) => {
  const data = ctx.callbackQuery.data;
  if (groupButtonPatterns.some((pattern) => pattern.test(data))) return await next();
  await ctx.answerCallbackQuery({ text: ctx.t("group-personal"), show_alert: true });
});

groups.command("dl", async (ctx) => {
  const message = ctx.message;
  const replied = message.reply_to_message;
  const raw = extractUrl(message.text, message.entities) ??
    extractUrl(
      replied?.text ?? replied?.caption,
      replied?.entities ?? replied?.caption_entities,
    );
  if (!raw) {
    await ctx.reply(ctx.t("group-dl-usage"), {
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
    });
    return;
  }
  await offerPreview(ctx, raw, message.message_id);
});

groups.command(["help", "start"], async (ctx) => {
  await ctx.reply(ctx.t("group-help"), {
    reply_markup: privateChatKeyboard(ctx.t, ctx.me.username),
  });
});

groups.command(PERSONAL_COMMANDS, async (ctx) => {
  await ctx.reply(ctx.t("group-personal"), {
    reply_markup: privateChatKeyboard(ctx.t, ctx.me.username),
    reply_parameters: { message_id: ctx.message.message_id, allow_sending_without_reply: true },
  });
});

// privacy mode lets through other bots' commands and replies to ours: none is for a feature
groups.on("message", () => {});

groupsFeature.on("my_chat_member", async (ctx) => {
  const { chat, new_chat_member: member } = ctx.myChatMember;
  if (chat.type !== "group" && chat.type !== "supergroup") return;
  const { kv, logger, i18n } = ctx.deps;
  const present = member.status === "member" || member.status === "administrator" ||
    (member.status === "restricted" && member.is_member);
  if (!present) {
    if (await markChatGone(kv, chat.id)) logger.info("removed from a group", { chatId: chat.id });
    return;
  }
  // said once per addition: a repeated update or a promotion to admin finds the group known
  const joined = await markChatJoined(kv, chat.id, ctx.i18n.getLocale());
  if (!joined) return;
  const t = translatorFor(i18n, joined.lang);
  await ctx.api.sendMessage(chat.id, t("group-help"), {
    reply_markup: privateChatKeyboard(t, ctx.me.username),
  }).catch((error) => logger.warn("group welcome not sent", { chatId: chat.id, error }));
});
