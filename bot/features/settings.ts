/** /settings: language, default quality, audio preference, send mode, time zone, notifications. */
import { InlineKeyboard } from "grammy";
import type { UserPreferences, UserProfile } from "../../kv/users.ts";
import { isValidTimezone } from "../../lib/time.ts";
import type { Variant } from "../../media/media_types.ts";
import type { BotContext } from "../context.ts";
import { pickLocale } from "../../i18n/translations.ts";
import { variantLabel } from "../../views/media.ts";
import { FeatureComposer } from "../composer.ts";

export const settingsFeature = new FeatureComposer<BotContext>();

const QUALITIES: (Variant | "ask")[] = ["ask", "best", "1080", "720", "480", "360", "audio"];
export const COMMON_TIMEZONES = [
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

function onOff(ctx: BotContext, value: boolean) {
  return ctx.t(value ? "settings-on" : "settings-off");
}

function qualityLabel(ctx: BotContext, quality: Variant | "ask") {
  return quality === "ask" ? ctx.t("settings-quality-ask") : variantLabel(ctx.t, quality);
}

function renderSettings(
  ctx: BotContext,
  user: UserProfile,
): { text: string; keyboard: InlineKeyboard } {
  const { prefs } = user;
  const language = user.language ?? pickLocale(user.languageCode);
  const timezone = user.timezone ?? ctx.deps.config.defaultTimezone;
  const text = [
    ctx.t("settings-title"),
    "",
    ctx.t("settings-language", { value: language === "fr" ? "Français" : "English" }),
    ctx.t("settings-quality", { value: qualityLabel(ctx, prefs.defaultQuality) }),
    ctx.t("settings-audio", { value: onOff(ctx, prefs.preferAudio) }),
    ctx.t("settings-send", { value: ctx.t(`settings-send-${prefs.sendAs}`) }),
    ctx.t("settings-saver", { value: onOff(ctx, prefs.dataSaver) }),
    ctx.t("settings-notifications", { value: onOff(ctx, prefs.notifications) }),
    ctx.t("settings-timezone", { value: timezone }),
  ].join("\n");
  const nextQuality = QUALITIES[(QUALITIES.indexOf(prefs.defaultQuality) + 1) % QUALITIES.length];
  const keyboard = new InlineKeyboard()
    .text(
      language === "fr" ? "🇬🇧 English" : "🇫🇷 Français",
      `set:lang:${language === "fr" ? "en" : "fr"}`,
    )
    .text(
      ctx.t("settings-button-quality", { value: qualityLabel(ctx, nextQuality) }),
      `set:q:${nextQuality}`,
    )
    .row()
    .text(ctx.t("settings-button-audio"), `set:audio:${prefs.preferAudio ? 0 : 1}`)
    .text(ctx.t("settings-button-send"), `set:send:${prefs.sendAs === "video" ? "file" : "video"}`)
    .row()
    .text(ctx.t("settings-button-saver"), `set:saver:${prefs.dataSaver ? 0 : 1}`)
    .text(ctx.t("settings-button-notifications"), `set:notif:${prefs.notifications ? 0 : 1}`)
    .row()
    .text(ctx.t("settings-button-timezone"), "set:tzs")
    .text(ctx.t("button-menu"), "menu:main");
  return { text, keyboard };
}

async function showSettings(ctx: BotContext, edit: boolean) {
  if (!ctx.user) return;
  const { text, keyboard } = renderSettings(ctx, ctx.user);
  if (edit) {
    await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard }).catch(() => {});
  } else {
    await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboard });
  }
}

async function savePreference(ctx: BotContext, change: (user: UserProfile) => UserProfile) {
  if (!ctx.from) return;
  ctx.user = await ctx.deps.users.update(ctx.from.id, (user) => change(user!));
  if (ctx.user.language) ctx.i18n.useLocale(ctx.user.language);
}

const PREFERENCE_SETTERS: Record<string, (value: string) => Partial<UserPreferences> | null> = {
  q: (v) => QUALITIES.includes(v as Variant) ? { defaultQuality: v as Variant | "ask" } : null,
  audio: (v) => ({ preferAudio: v === "1" }),
  send: (v) => v === "video" || v === "file" ? { sendAs: v } : null,
  saver: (v) => ({ dataSaver: v === "1" }),
  notif: (v) => ({ notifications: v === "1" }),
};

settingsFeature.command("settings", async (ctx) => {
  const [subcommand, value] = ctx.match.trim().split(/\s+/);
  if (subcommand === "timezone" && value) {
    if (!isValidTimezone(value)) {
      await ctx.reply(ctx.t("settings-timezone-invalid", { value: value.slice(0, 60) }));
      return;
    }
    await savePreference(ctx, (user) => ({ ...user, timezone: value }));
  }
  await showSettings(ctx, false);
});
settingsFeature.callbackQuery("menu:settings", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showSettings(ctx, false);
});

settingsFeature.callbackQuery(/^set:lang:(en|fr)$/, async (ctx) => {
  const language = ctx.match[1] as "en" | "fr";
  await savePreference(ctx, (user) => ({ ...user, language }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
});

settingsFeature.callbackQuery(/^set:(q|audio|send|saver|notif):(\w+)$/, async (ctx) => {
  const change = PREFERENCE_SETTERS[ctx.match[1]](ctx.match[2]);
  if (!change) {
    await ctx.answerCallbackQuery();
    return;
  }
  await savePreference(ctx, (user) => ({ ...user, prefs: { ...user.prefs, ...change } }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
});

settingsFeature.callbackQuery("set:tzs", async (ctx) => {
  await ctx.answerCallbackQuery();
  const keyboard = new InlineKeyboard();
  COMMON_TIMEZONES.forEach((zone, i) => {
    keyboard.text(zone, `set:tz:${zone}`);
    if (i % 2 === 1) keyboard.row();
  });
  await ctx.editMessageText(ctx.t("settings-timezone-choose"), {
    parse_mode: "HTML",
    reply_markup: keyboard.row().text(ctx.t("button-menu"), "menu:settings-back"),
  }).catch(() => {});
});

settingsFeature.callbackQuery(/^set:tz:([\w/+-]{1,50})$/, async (ctx) => {
  const timezone = ctx.match[1];
  if (!isValidTimezone(timezone)) {
    await ctx.answerCallbackQuery();
    return;
  }
  await savePreference(ctx, (user) => ({ ...user, timezone }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
});

settingsFeature.callbackQuery("menu:settings-back", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showSettings(ctx, true);
});
