/** /settings: the user's preferences, each with the button that changes it. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import { pickLocale, type Translate } from "../i18n/translations.ts";
import type { UserProfile } from "../kv/users.ts";
import { AUDIO_FORMATS, DEFAULT_AUDIO_FORMAT, type Variant } from "../media/media_types.ts";
import { audioFormatLabel, variantLabel } from "./media.ts";

/** the default qualities, in the order the button cycles through them */
const SETTINGS_QUALITIES: (Variant | "ask")[] = [
  "ask",
  "best",
  "1080",
  "720",
  "480",
  "360",
  "audio",
];
const COMMON_TIMEZONES = [
  "UTC",
  "Europe/Paris",
  "Europe/London",
  "Europe/Brussels",
  "America/Montreal",
  "America/New_York",
  "America/Los_Angeles",
  "Africa/Dakar",
  "Africa/Abidjan",
  "Asia/Tokyo",
];

function onOff(t: Translate, value: boolean) {
  return t(value ? "settings-on" : "settings-off");
}

function qualityLabel(t: Translate, quality: Variant | "ask") {
  return quality === "ask" ? t("settings-quality-ask") : variantLabel(t, quality);
}

export function renderSettings(
  t: Translate,
  user: UserProfile,
  defaultTimezone: string,
): { text: string; keyboard: InlineKeyboard } {
  const { prefs } = user;
  const audioFormat = prefs.audioFormat ?? DEFAULT_AUDIO_FORMAT;
  const language = user.language ?? pickLocale(user.languageCode);
  const timezone = user.timezone ?? defaultTimezone;
  const text = [
    t("settings-title"),
    "",
    t("settings-language", { value: language === "fr" ? "Français" : "English" }),
    t("settings-quality", { value: qualityLabel(t, prefs.defaultQuality) }),
    t("settings-audio", { value: onOff(t, prefs.preferAudio) }),
    t("settings-audio-format", { value: audioFormatLabel(t, audioFormat) }),
    t("settings-send", { value: t(`settings-send-${prefs.sendAs}`) }),
    t("settings-saver", { value: onOff(t, prefs.dataSaver) }),
    t("settings-notifications", { value: onOff(t, prefs.notifications) }),
    t("settings-timezone", { value: timezone }),
  ].join("\n");
  const nextAudioFormat = AUDIO_FORMATS[
    (AUDIO_FORMATS.indexOf(audioFormat) + 1) % AUDIO_FORMATS.length
  ];
  const nextQuality = SETTINGS_QUALITIES[
    (SETTINGS_QUALITIES.indexOf(prefs.defaultQuality) + 1) % SETTINGS_QUALITIES.length
  ];
  const keyboard = new InlineKeyboard()
    .text(
      language === "fr" ? "🇬🇧 English" : "🇫🇷 Français",
      buildCallback("settingLanguage", { language: language === "fr" ? "en" : "fr" }),
    )
    .text(
      t("settings-button-quality", { value: qualityLabel(t, nextQuality) }),
      buildCallback("settingQuality", { quality: nextQuality }),
    )
    .row()
    .text(
      t("settings-button-audio"),
      buildCallback("settingPreferAudio", { on: !prefs.preferAudio }),
    )
    .text(
      t("settings-button-audio-format", { value: audioFormatLabel(t, nextAudioFormat) }),
      buildCallback("settingAudioFormat", { format: nextAudioFormat }),
    )
    .row()
    .text(
      t("settings-button-send"),
      buildCallback("settingSendAs", {
        sendAs: prefs.sendAs === "video" ? "file" : "video",
      }),
    )
    .row()
    .text(t("settings-button-saver"), buildCallback("settingDataSaver", { on: !prefs.dataSaver }))
    .text(
      t("settings-button-notifications"),
      buildCallback("settingNotifications", { on: !prefs.notifications }),
    )
    .row()
    .text(t("settings-button-timezone"), buildCallback("settingTimezones"))
    .text(t("button-menu"), buildCallback("menuMain"));
  return { text, keyboard };
}

export function timezoneKeyboard(t: Translate): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  COMMON_TIMEZONES.forEach((zone, i) => {
    keyboard.text(zone, buildCallback("settingTimezone", { timezone: zone }));
    if (i % 2 === 1) keyboard.row();
  });
  return keyboard.row().text(t("button-menu"), buildCallback("settingsBack"));
}
