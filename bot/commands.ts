/**
 * The command menu Telegram shows, per scope: private chats get every command, groups only what
 * works there (/dl and /help), and each of ADMIN_IDS gets /admin too in their private chat.
 */
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { Logger } from "../lib/logger.ts";

type CommandLists = Record<"en" | "fr", BotCommand[]>;

/** Private chats: every command of the command menu. */
export const PRIVATE_COMMANDS: CommandLists = {
  en: [
    { command: "start", description: "Main menu" },
    { command: "history", description: "Your last downloads" },
    { command: "stats", description: "Your activity as a chart" },
    { command: "recommend", description: "Picked for you from your downloads" },
    { command: "playlist", description: "Your playlists" },
    { command: "record", description: "Record a live stream" },
    { command: "subs", description: "Subtitles of a video, translated if you like" },
    { command: "schedule", description: "Download a link later" },
    { command: "schedules", description: "Your scheduled downloads" },
    { command: "batch", description: "Download many links at once" },
    { command: "profile", description: "Your level, XP and badges" },
    { command: "top", description: "The leaderboard" },
    { command: "achievements", description: "Badges to earn" },
    { command: "cancel", description: "Stop running downloads" },
    { command: "help", description: "How it works" },
  ],
  fr: [
    { command: "start", description: "Menu principal" },
    { command: "history", description: "Vos derniers téléchargements" },
    { command: "stats", description: "Votre activité en graphique" },
    { command: "recommend", description: "Des suggestions d’après vos téléchargements" },
    { command: "playlist", description: "Vos playlists" },
    { command: "record", description: "Enregistrer un direct" },
    { command: "subs", description: "Sous-titres d’une vidéo, traduits si besoin" },
    { command: "schedule", description: "Télécharger un lien plus tard" },
    { command: "schedules", description: "Vos téléchargements programmés" },
    { command: "batch", description: "Télécharger plusieurs liens d’un coup" },
    { command: "profile", description: "Votre niveau, vos XP et vos badges" },
    { command: "top", description: "Le classement" },
    { command: "achievements", description: "Les badges à gagner" },
    { command: "cancel", description: "Arrêter les téléchargements" },
    { command: "help", description: "Comment ça marche" },
  ],
};

/** Groups and supergroups: downloading for the requester, and how it works there. */
export const GROUP_COMMANDS: CommandLists = {
  en: [
    { command: "dl", description: "Download a link: /dl <link>, or reply /dl to a message" },
    { command: "help", description: "How to use me in a group" },
  ],
  fr: [
    {
      command: "dl",
      description: "Télécharger un lien : /dl <lien>, ou répondre /dl à un message",
    },
    { command: "help", description: "Comment m’utiliser dans un groupe" },
  ],
};

/** An admin's private chat: the private list, and /admin. */
export const ADMIN_COMMANDS: CommandLists = {
  en: [...PRIVATE_COMMANDS.en, { command: "admin", description: "Admin panel" }],
  fr: [...PRIVATE_COMMANDS.fr, { command: "admin", description: "Panneau d’administration" }],
};

/**
 * Sets every scope's list, in English (the default) and French. An admin's own list needs their
 * private chat with the bot: Telegram refuses it ("chat not found") until they have started it,
 * which is logged and leaves them the private list. True when every list was set.
 */
export async function registerBotCommands(
  api: Api,
  adminIds: readonly number[],
  logger: Logger,
): Promise<boolean> {
  let complete = true;
  for (const language of ["en", "fr"] as const) {
    const options = language === "en" ? {} : { language_code: language };
    await api.setMyCommands(PRIVATE_COMMANDS[language], options);
    await api.setMyCommands(PRIVATE_COMMANDS[language], {
      ...options,
      scope: { type: "all_private_chats" },
    });
    await api.setMyCommands(GROUP_COMMANDS[language], {
      ...options,
      scope: { type: "all_group_chats" },
    });
    for (const adminId of adminIds) {
      await api.setMyCommands(ADMIN_COMMANDS[language], {
        ...options,
        scope: { type: "chat", chat_id: adminId },
      }).catch((error) => {
        complete = false;
        logger.warn("admin commands not set: no private chat with the bot yet", { adminId, error });
      });
    }
  }
  return complete;
}
