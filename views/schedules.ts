/** Scheduled downloads as the user sees them: in their time zone, with Cancel buttons. */
import { buildCallback } from "./callbacks.ts";
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n/translations.ts";
import type { Schedule } from "../kv/schedules.ts";
import { escapeHtml, truncate } from "../lib/format.ts";
import { formatWhen } from "../lib/when.ts";
import { variantLabel } from "./media.ts";

/** The confirmation of a new schedule, with its Cancel button. */
export function renderScheduled(
  t: Translate,
  locale: string,
  schedule: Schedule,
): { text: string; keyboard: InlineKeyboard } {
  const lines = [
    t("schedule-created", {
      url: escapeHtml(truncate(schedule.url, 300)),
      when: escapeHtml(formatWhen(schedule.runAt, locale, schedule.timezone)),
      timezone: escapeHtml(schedule.timezone),
    }),
  ];
  if (schedule.repeat) lines.push(t(`schedule-repeat-${schedule.repeat.every}`));
  if (schedule.variant) {
    lines.push(t("schedule-quality", { quality: escapeHtml(variantLabel(t, schedule.variant)) }));
  }
  return {
    text: lines.join("\n"),
    keyboard: new InlineKeyboard().text(
      t("schedule-button-cancel"),
      buildCallback("scheduleCancel", {
        from: "confirmation",
        scheduleId: schedule.id,
      }),
    ),
  };
}

/** /schedules: each schedule with its time and a button that cancels it. */
export function renderScheduleList(
  t: Translate,
  locale: string,
  schedules: readonly Schedule[],
): { text: string; keyboard: InlineKeyboard } {
  const keyboard = new InlineKeyboard();
  if (schedules.length === 0) return { text: t("schedule-list-empty"), keyboard };
  const lines = [t("schedule-list-title"), ""];
  schedules.forEach((schedule, i) => {
    const when = escapeHtml(formatWhen(schedule.runAt, locale, schedule.timezone));
    const repeat = schedule.repeat ? ` 🔁 ${t(`schedule-every-${schedule.repeat.every}`)}` : "";
    const quality = schedule.variant ? ` · ${escapeHtml(variantLabel(t, schedule.variant))}` : "";
    lines.push(
      `${i + 1}. ${escapeHtml(truncate(schedule.url, 80))}`,
      `   ⏰ ${when}${repeat}${quality}`,
    );
    keyboard.text(
      `✖️ ${i + 1}`,
      buildCallback("scheduleCancel", { from: "list", scheduleId: schedule.id }),
    );
    if (i % 5 === 4) keyboard.row();
  });
  return { text: lines.join("\n"), keyboard };
}
