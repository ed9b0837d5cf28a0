/**
 * /cookies, for admins: a Netscape cookies.txt sent with the caption /cookies (or /cookies, then
 * the file within 5 minutes) is stored for its sites (services/cookies.ts); /cookies lists the
 * stored sets with a remove button each. The message carrying the file is deleted once read.
 */
import { expectCookieUpload, takeCookieUpload } from "../../kv/cookies.ts";
import { formatBytes } from "../../lib/format.ts";
import { COOKIE_FILE_MAX_BYTES, type CookieImportProblem } from "../../services/cookies.ts";
import { cookieSetsKeyboard, renderCookieSets } from "../../views/cookies.ts";
import { isAdmin } from "../account.ts";
import { FeatureComposer } from "../composer.ts";
import type { BotContext } from "../context.ts";
import { downloadDocumentText } from "../documents.ts";
import { onCallback } from "../callbacks.ts";

export const cookiesFeature = new FeatureComposer<BotContext>();
const privateChats = cookiesFeature.chatType("private");

const COOKIES_CAPTION = /^\/cookies(@\w+)?(\s|$)/i;

privateChats.command("cookies", async (ctx) => {
  if (!isAdmin(ctx)) {
    await ctx.reply(ctx.t("error-forbidden"));
    return;
  }
  if (!ctx.deps.cookies.enabled) {
    await ctx.reply(ctx.t("cookies-no-key"));
    return;
  }
  await expectCookieUpload(ctx.deps.kv, ctx.from.id, Date.now());
  await replyWithList(ctx);
});

privateChats.on("message:document", async (ctx, next) => {
  if (!isAdmin(ctx)) return await next();
  const captioned = COOKIES_CAPTION.test(ctx.message.caption ?? "");
  const awaited = await takeCookieUpload(ctx.deps.kv, ctx.from.id, Date.now());
  if (!captioned && !awaited) return await next();
  const { cookies } = ctx.deps;
  if (!cookies.enabled) {
    await ctx.reply(ctx.t("cookies-no-key"));
    return;
  }
  const text = (ctx.message.document.file_size ?? 0) > COOKIE_FILE_MAX_BYTES
    ? undefined
    : await downloadDocumentText(ctx, COOKIE_FILE_MAX_BYTES);
  // the file stays in Telegram's copy of the chat otherwise
  await ctx.deleteMessage().catch(() => {});
  const admin = { id: ctx.from.id, name: ctx.from.first_name };
  const added = text === undefined
    ? { ok: false as const, problem: { kind: "too_large" as const } }
    : await cookies.add(admin, text);
  if (!added.ok) {
    await ctx.reply(problemText(ctx, added.problem));
    return;
  }
  await ctx.reply(
    ctx.t("cookies-added", {
      count: added.set.cookieCount,
      domains: added.set.domains.length,
      expired: added.expiredDropped,
    }),
  );
  await replyWithList(ctx);
});

onCallback(privateChats, "cookieRemove", async (ctx, { setId }) => {
  if (!isAdmin(ctx)) {
    await ctx.answerCallbackQuery({ text: ctx.t("error-forbidden"), show_alert: true });
    return;
  }
  const removed = await ctx.deps.cookies.remove(setId);
  await ctx.answerCallbackQuery(ctx.t(removed ? "cookies-removed" : "cookies-already-removed"));
  const sets = await ctx.deps.cookies.list();
  await ctx.editMessageText(renderCookieSets(ctx.t, ctx.i18n.getLocale(), sets), {
    reply_markup: cookieSetsKeyboard(ctx.t, sets),
  }).catch(() => {});
});

async function replyWithList(ctx: BotContext): Promise<void> {
  const sets = await ctx.deps.cookies.list();
  await ctx.reply(renderCookieSets(ctx.t, ctx.i18n.getLocale(), sets), {
    reply_markup: cookieSetsKeyboard(ctx.t, sets),
  });
}

function problemText(ctx: BotContext, problem: CookieImportProblem): string {
  switch (problem.kind) {
    case "no_key":
      return ctx.t("cookies-no-key");
    case "too_large":
      return ctx.t("cookies-too-large", {
        max: formatBytes(COOKIE_FILE_MAX_BYTES, ctx.i18n.getLocale()),
      });
    case "too_many":
      return ctx.t("cookies-too-many");
    case "empty":
      return ctx.t("cookies-empty");
    case "all_expired":
      return ctx.t("cookies-all-expired");
    case "bad_line":
      return ctx.t("cookies-bad-line", { line: problem.line });
    case "bad_domain":
      return ctx.t("cookies-bad-domain", { line: problem.line });
  }
}
