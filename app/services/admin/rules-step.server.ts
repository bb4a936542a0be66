import type { Shop } from "@prisma/client";
import { z } from "zod";
import { ORDER_STATES } from "~domain/reconcile/order-states";
import type { Platform } from "~domain/reconcile/types";
import { findMigration } from "../migrations.server";
import { readSettings, rulesFor, setRules, type SetRulesOutcome } from "../reconcile/rules.server";

export interface RulesStepView {
  platform: Platform;
  /** The new platform's real order states (keys; labels come from the dictionary, the domain's English as fallback). */
  states: Array<{ key: string; label: string }>;
  completed: string[];
  cancelled: string[];
  retroactive: { pointsPerCurrencyUnit: number; from: string; to: string } | null;
  cutoverAt: string;
  ordersMigrated: boolean;
  /** Rules as stored do not hold (e.g. edited elsewhere): the errors, in the domain's words. */
  errors: string[];
}

/** What the Rules step shows: the stored rules, or the platform's defaults, on the platform's real states. */
export async function rulesStepView(shop: Pick<Shop, "id" | "platform">, migrationId: string): Promise<RulesStepView | null> {
  const m = await findMigration(shop.id, migrationId);
  if (!m) return null;
  const platform = shop.platform as Platform;
  const checked = rulesFor(shop, m);
  const settings = readSettings(m);
  const base = {
    platform,
    states: ORDER_STATES[platform].map((s) => ({ key: s.key, label: s.label })),
    cutoverAt: (m.cutoverAt ?? m.createdAt).toISOString(),
    ordersMigrated: m.ordersMigrated,
  };
  if (checked.outcome === "ok") {
    return { ...base, completed: checked.rules.completedStates, cancelled: checked.rules.cancelledStates, retroactive: checked.rules.retroactive, errors: [] };
  }
  return { ...base, completed: settings.completedStates ?? [], cancelled: settings.cancelledStates ?? [], retroactive: settings.retroactive ?? null, errors: checked.errors };
}

const day = z.iso.date().transform((v) => new Date(`${v}T00:00:00.000Z`));

/** The Rules step's form: state lists (repeated fields), and an optional retroactive window. */
export const RulesForm = z
  .object({
    completed: z.array(z.string().min(1).max(64)).max(50),
    cancelled: z.array(z.string().min(1).max(64)).max(50),
    retroactive: z.enum(["on", "off"]),
    pointsPerCurrencyUnit: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .transform((v, ctx) => {
    if (v.retroactive === "off") return { completedStates: v.completed, cancelledStates: v.cancelled, retroactive: null };
    const rate = z.coerce.number().nonnegative().finite().safeParse(v.pointsPerCurrencyUnit?.replace(",", "."));
    const from = day.safeParse(v.from);
    const to = day.safeParse(v.to);
    if (!rate.success || !from.success || !to.success) {
      ctx.addIssue({ code: "custom", message: "retroactive" });
      return z.NEVER;
    }
    return { completedStates: v.completed, cancelledStates: v.cancelled, retroactive: { pointsPerCurrencyUnit: rate.data, from: from.data, to: to.data } };
  });
export type RulesFormInput = z.infer<typeof RulesForm>;

export function rulesFormFrom(form: FormData): unknown {
  const text = (k: string) => (typeof form.get(k) === "string" ? (form.get(k) as string) : undefined);
  return {
    completed: form.getAll("completed[]").filter((x): x is string => typeof x === "string"),
    cancelled: form.getAll("cancelled[]").filter((x): x is string => typeof x === "string"),
    retroactive: text("retroactive") === "on" ? "on" : "off",
    pointsPerCurrencyUnit: text("pointsPerCurrencyUnit"),
    from: text("from"),
    to: text("to"),
  };
}

/** Saves the step through setRules (checked whole: unknown states, overlaps, window vs. migrated orders). */
export async function saveRulesStep(shopId: string, migrationId: string, input: RulesFormInput): Promise<SetRulesOutcome> {
  return setRules({ shopId, migrationId, ...input });
}
