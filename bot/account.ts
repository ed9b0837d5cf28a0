/** Who may use the admin commands: ADMIN_IDS, and users given the admin role. */
import type { BotContext } from "./context.ts";

export function isAdmin(ctx: BotContext): boolean {
  return ctx.from !== undefined &&
    (ctx.deps.config.adminIds.includes(ctx.from.id) || ctx.user?.role === "admin");
}
