/**
 * /settings: language, default quality, audio preference and format, send mode, time zone,
 * notifications.
 */
import type { UserPreferences, UserProfile } from "../../kv/users.ts";
import { isValidTimezone } from "../../lib/time.ts";
import { escapeHtml } from "../../lib/format.ts";
import type { BotContext } from "../context.ts";
import { renderSettings, timezoneKeyboard } from "../../views/settings.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";
import { showScreen } from "../in_place.ts";

export const settingsFeature = new FeatureComposer<BotContext>();

async function showSettings(ctx: BotContext, edit: boolean) {
  if (!ctx.user) return;
  const { text, keyboard } = renderSettings(ctx.t, ctx.user, ctx.deps.config.defaultTimezone);
  if (edit) {
    await ctx.editMessageText(text, { reply_markup: keyboard }).catch(() => {});
  } else {
    await ctx.reply(text, { reply_markup: keyboard });
  }
}

async function saveProfile(ctx: BotContext, change: (user: UserProfile) => UserProfile) {
  if (!ctx.from) return;
  ctx.user = await ctx.deps.users.update(ctx.from.id, (user) => change(user!));
  if (ctx.user.language) ctx.i18n.useLocale(ctx.user.language);
}

/** A preference button: saved, said so, and the settings shown again with the change. */
async function changePreferences(ctx: BotContext, change: Partial<UserPreferences>) {
  await saveProfile(ctx, (user) => ({ ...user, prefs: { ...user.prefs, ...change } }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
}

settingsFeature.command("settings", async (ctx) => {
  const [subcommand, value] = ctx.match.trim().split(/\s+/);
  if (subcommand === "timezone" && value) {
    if (!isValidTimezone(value)) {
      await ctx.reply(
        ctx.t("settings-timezone-invalid", { value: escapeHtml(value.slice(0, 60)) }),
      );
      return;
    }
    await saveProfile(ctx, (user) => ({ ...user, timezone: value }));
  }
  await showSettings(ctx, false);
});
onCallback(settingsFeature, "menuSettings", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (!ctx.user) return;
  const { text, keyboard } = renderSettings(ctx.t, ctx.user, ctx.deps.config.defaultTimezone);
  await showScreen(ctx, text, { reply_markup: keyboard });
});

onCallback(settingsFeature, "settingLanguage", async (ctx, { language }) => {
  await saveProfile(ctx, (user) => ({ ...user, language }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
});

onCallback(settingsFeature, "settingQuality", async (ctx, { quality }) => {
  await changePreferences(ctx, { defaultQuality: quality });
});
onCallback(settingsFeature, "settingPreferAudio", async (ctx, { on }) => {
  await changePreferences(ctx, { preferAudio: on });
});
onCallback(settingsFeature, "settingAudioFormat", async (ctx, { format }) => {
  await changePreferences(ctx, { audioFormat: format });
});
onCallback(settingsFeature, "settingSendAs", async (ctx, { sendAs }) => {
  await changePreferences(ctx, { sendAs });
});
onCallback(settingsFeature, "settingDataSaver", async (ctx, { on }) => {
  await changePreferences(ctx, { dataSaver: on });
});
onCallback(settingsFeature, "settingNotifications", async (ctx, { on }) => {
  await changePreferences(ctx, { notifications: on });
});

onCallback(settingsFeature, "settingTimezones", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("settings-timezone-choose"), {
    reply_markup: timezoneKeyboard(ctx.t),
  }).catch(() => {});
});

onCallback(settingsFeature, "settingTimezone", async (ctx, { timezone }) => {
  if (!isValidTimezone(timezone)) {
    await ctx.answerCallbackQuery();
    return;
  }
  await saveProfile(ctx, (user) => ({ ...user, timezone }));
  await ctx.answerCallbackQuery(ctx.t("settings-saved"));
  await showSettings(ctx, true);
});

onCallback(settingsFeature, "settingsBack", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showSettings(ctx, true);
});
