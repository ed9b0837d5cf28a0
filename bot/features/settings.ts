/** /settings: language, default quality, audio preference, send mode, time zone, notifications. */
import type { UserPreferences, UserProfile } from "../../kv/users.ts";
import { isValidTimezone } from "../../lib/time.ts";
import type { Variant } from "../../media/media_types.ts";
import type { BotContext } from "../context.ts";
import { renderSettings, SETTINGS_QUALITIES, timezoneKeyboard } from "../../views/settings.ts";
import { FeatureComposer } from "../composer.ts";

export const settingsFeature = new FeatureComposer<BotContext>();

async function showSettings(ctx: BotContext, edit: boolean) {
  if (!ctx.user) return;
  const { text, keyboard } = renderSettings(ctx.t, ctx.user, ctx.deps.config.defaultTimezone);
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
  q: (v) =>
    SETTINGS_QUALITIES.includes(v as Variant) ? { defaultQuality: v as Variant | "ask" } : null,
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
  await ctx.editMessageText(ctx.t("settings-timezone-choose"), {
    parse_mode: "HTML",
    reply_markup: timezoneKeyboard(ctx.t),
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
