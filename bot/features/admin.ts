/** /admin: totals, premium grants, blocks and refunds, for ADMIN_IDS only. */
import { applyRefund, getReceipt } from "../../kv/payments.ts";
import type { UserProfile } from "../../kv/users.ts";
import { collectAdminReport } from "../../services/admin_report.ts";
import { experimentAction } from "../admin_insights.ts";
import { renderDashboard } from "../../views/admin.ts";
import type { BotContext } from "../context.ts";
import { isAdmin } from "../account.ts";
import { FeatureComposer } from "../composer.ts";
import { onCallback } from "../callbacks.ts";

export const adminFeature = new FeatureComposer<BotContext>();

async function replyWithDashboard(ctx: BotContext) {
  const { kv, queue, media, users, config } = ctx.deps;
  const locale = ctx.i18n.getLocale();
  const report = await collectAdminReport({ kv, queue, users });
  const files = media.stats.files;
  const text = renderDashboard(ctx.t, locale, {
    report,
    fileCache: { hits: files.hits, total: files.hits + files.misses },
    webUrl: config.publicUrl ? `${config.publicUrl}/admin` : undefined,
  });
  await ctx.reply(text, { link_preview_options: { is_disabled: true } });
}

type AdminAction = (ctx: BotContext, args: string[]) => Promise<string>;

async function changeUser(
  ctx: BotContext,
  idText: string | undefined,
  change: (user: UserProfile) => UserProfile,
): Promise<UserProfile | null> {
  const id = Number(idText);
  if (!Number.isSafeInteger(id) || !(await ctx.deps.users.get(id))) return null;
  return await ctx.deps.users.update(id, (user) => change(user!));
}

const ACTIONS: Record<string, AdminAction> = {
  exp: experimentAction,
  grant: async (ctx, [id, daysText]) => {
    const days = Number(daysText ?? 30);
    if (!Number.isInteger(days) || days < 1 || days > 3650) return ctx.t("admin-usage");
    const user = await changeUser(ctx, id, (u) => ({
      ...u,
      premiumUntil: Math.max(Date.now(), u.premiumUntil ?? 0) + days * 86_400_000,
    }));
    return user
      ? ctx.t("admin-granted", { id: String(user.id), days })
      : ctx.t("admin-unknown-user");
  },
  revoke: async (ctx, [id]) => {
    const user = await changeUser(ctx, id, (u) => ({ ...u, premiumUntil: undefined }));
    return user ? ctx.t("admin-revoked", { id: String(user.id) }) : ctx.t("admin-unknown-user");
  },
  block: async (ctx, [id]) => {
    const user = await changeUser(ctx, id, (u) => ({ ...u, blocked: true }));
    return user ? ctx.t("admin-blocked", { id: String(user.id) }) : ctx.t("admin-unknown-user");
  },
  unblock: async (ctx, [id]) => {
    const user = await changeUser(ctx, id, (u) => ({ ...u, blocked: false }));
    return user ? ctx.t("admin-unblocked", { id: String(user.id) }) : ctx.t("admin-unknown-user");
  },
  refund: async (ctx, [chargeId]) => {
    const receipt = chargeId ? await getReceipt(ctx.deps.kv, chargeId) : null;
    if (!receipt) return ctx.t("admin-unknown-payment");
    if (receipt.refundedAt) return ctx.t("admin-already-refunded");
    await ctx.api.refundStarPayment(receipt.userId, receipt.chargeId);
    await applyRefund(ctx.deps.kv, ctx.deps.users, receipt.chargeId);
    return ctx.t("admin-refunded", { stars: receipt.stars, id: String(receipt.userId) });
  },
};

adminFeature.command("admin", async (ctx) => {
  if (!isAdmin(ctx)) {
    await ctx.reply(ctx.t("error-forbidden"));
    return;
  }
  const [name, ...args] = ctx.match.trim().split(/\s+/).filter(Boolean);
  if (!name) return await replyWithDashboard(ctx);
  const action = ACTIONS[name];
  await ctx.reply(action ? await action(ctx, args) : ctx.t("admin-usage"));
});

onCallback(adminFeature, "menuAdmin", async (ctx) => {
  await ctx.answerCallbackQuery();
  if (isAdmin(ctx)) await replyWithDashboard(ctx);
  else await ctx.reply(ctx.t("error-forbidden"));
});
