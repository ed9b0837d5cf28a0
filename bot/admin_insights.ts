/** `/admin exp …`: A/B tests created, reweighted and stopped from the chat. */
import {
  createExperiment,
  ExperimentError,
  type ExperimentVariant,
  setExperimentWeights,
  stopExperiment,
} from "../kv/experiments.ts";
import { escapeHtml } from "../lib/format.ts";
import { allExperimentResults, PRODUCT_EXPERIMENTS } from "../services/experiments.ts";
import type { BotContext } from "./context.ts";
import { renderExperimentLines } from "../views/admin.ts";

/** "a:1 b:3" → variants; null when a part is not name:weight. */
function parseVariants(parts: string[]): ExperimentVariant[] | null {
  const variants = parts.map((part) => {
    const match = /^([a-z0-9_]{1,24}):(\d{1,4}(?:\.\d{1,3})?)$/.exec(part);
    return match ? { name: match[1], weight: Number(match[2]) } : null;
  });
  return variants.length > 0 && variants.every((v) => v !== null)
    ? variants as ExperimentVariant[]
    : null;
}

/** `/admin exp [create ID v:w… | weights ID v:w… | stop ID]`; without arguments, the results. */
export async function experimentAction(ctx: BotContext, args: string[]): Promise<string> {
  const { kv } = ctx.deps;
  const [command, id, ...rest] = args;
  const locale = ctx.i18n.getLocale();
  const safeId = escapeHtml(id ?? "");
  try {
    if (!command) {
      return renderExperimentLines(ctx.t, locale, await allExperimentResults(kv)).join("\n");
    }
    if (command === "create" && id) {
      const variants = parseVariants(rest);
      if (!variants) return ctx.t("admin-exp-usage");
      const known = PRODUCT_EXPERIMENTS[id as keyof typeof PRODUCT_EXPERIMENTS] as
        | readonly string[]
        | undefined;
      if (known && !variants.every((v) => known.includes(v.name))) {
        return ctx.t("admin-exp-known-variants", { id: safeId, variants: known.join(", ") });
      }
      await createExperiment(kv, id, variants);
      return ctx.t("admin-exp-created", { id: safeId });
    }
    if (command === "weights" && id) {
      const variants = parseVariants(rest);
      if (!variants) return ctx.t("admin-exp-usage");
      await setExperimentWeights(
        kv,
        id,
        Object.fromEntries(variants.map((v) => [v.name, v.weight])),
      );
      return ctx.t("admin-exp-updated", { id: safeId });
    }
    if (command === "stop" && id) {
      await stopExperiment(kv, id);
      return ctx.t("admin-exp-stopped", { id: safeId });
    }
    return ctx.t("admin-exp-usage");
  } catch (error) {
    if (error instanceof ExperimentError) {
      return ctx.t(`admin-exp-error-${error.code}`, { id: safeId });
    }
    throw error;
  }
}
