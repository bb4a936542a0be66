import type { Migration, Shop } from "@prisma/client";
import { z } from "zod";
import prisma from "../../db.server";
import { canTransition, isMigrationState } from "~domain/migration-state";
import { checkRules } from "~domain/reconcile/cutover";
import { defaultStateRules } from "~domain/reconcile/order-states";
import type { CutoverRules, MatchOptions, Platform } from "~domain/reconcile/types";

/**
 * The merchant's reconciliation rules as stored on the migration (`settingsJson`, written by the
 * wizard's Rules step and the CLI), with the platform's defaults for whatever is not set.
 */
// Loose: other services keep their own keys in settingsJson (coupon decisions); saving the rules
// must carry them over untouched.
export const MigrationSettings = z.looseObject({
  completedStates: z.array(z.string()).optional(),
  cancelledStates: z.array(z.string()).optional(),
  retroactive: z
    .object({ pointsPerCurrencyUnit: z.number().nonnegative(), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
    .nullable()
    .optional(),
  /** Live earn rule after go-live: points per currency unit of a completed order (default 1; app/services/earn). */
  earnRate: z.number().nonnegative().optional(),
});
export type MigrationSettings = z.infer<typeof MigrationSettings>;

export type RulesOutcome =
  | { outcome: "ok"; rules: CutoverRules; match: MatchOptions; notes: string[] }
  | { outcome: "invalid"; errors: string[] };

export function readSettings(migration: Pick<Migration, "settingsJson">): MigrationSettings {
  const parsed = MigrationSettings.safeParse(JSON.parse(migration.settingsJson || "{}"));
  return parsed.success ? parsed.data : {};
}

export function rulesFor(shop: Pick<Shop, "platform">, migration: Pick<Migration, "settingsJson" | "cutoverAt" | "createdAt" | "ordersMigrated" | "customersMigrated">): RulesOutcome {
  const platform = shop.platform as Platform;
  const settings = readSettings(migration);
  const defaults = defaultStateRules(platform);
  const notes: string[] = [];
  if (!migration.cutoverAt) notes.push("No go-live date set: the migration's creation date is used as the cutover.");
  const rules: CutoverRules = {
    cutoverAt: (migration.cutoverAt ?? migration.createdAt).toISOString(),
    completedStates: settings.completedStates ?? defaults.completed,
    cancelledStates: settings.cancelledStates ?? defaults.cancelled,
    ordersMigrated: migration.ordersMigrated,
    retroactive: settings.retroactive ?? null,
  };
  const errors = checkRules(rules, platform);
  if (errors.length > 0) return { outcome: "invalid", errors };
  return { outcome: "ok", rules, match: { platform, matchByPlatformId: migration.customersMigrated }, notes };
}

export interface RulesInput {
  shopId: string;
  migrationId: string;
  cutoverAt?: Date;
  ordersMigrated?: boolean;
  customersMigrated?: boolean;
  completedStates?: string[];
  cancelledStates?: string[];
  /** null removes retroactive points. */
  retroactive?: { pointsPerCurrencyUnit: number; from: Date; to: Date } | null;
  /**
   * The merchant has chosen the rules (the Rules step, the CLI): the migration moves to rules_set.
   * False for answers given before that step (Platforms): the state stays where it is.
   */
  confirm?: boolean;
}

export type SetRulesOutcome =
  | { outcome: "saved"; rules: CutoverRules; state: string }
  | { outcome: "invalid"; errors: string[] }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "not-found" };

/** States in which the rules may still change: nothing has been written to the ledger yet. */
const RULES_OPEN = new Set(["draft", "uploaded", "validated", "rules_set", "syncing", "previewed"]);

/**
 * The wizard's Rules step (and `npx carryover rules`): merges the changes into the migration's
 * rules, checks the result as a whole (domain/reconcile/cutover.ts checkRules), saves it, and puts
 * the migration at rules_set (from validated, or back from a preview the new rules make stale).
 * Nothing is saved when the result is invalid.
 */
export async function setRules(input: RulesInput): Promise<SetRulesOutcome> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId }, include: { shop: true } });
  if (!migration) return { outcome: "not-found" };
  if (!RULES_OPEN.has(migration.state)) return { outcome: "migration-closed", state: migration.state };
  const settings = readSettings(migration);
  const next = {
    ...settings,
    ...(input.completedStates !== undefined ? { completedStates: input.completedStates } : {}),
    ...(input.cancelledStates !== undefined ? { cancelledStates: input.cancelledStates } : {}),
    ...(input.retroactive !== undefined
      ? { retroactive: input.retroactive && { pointsPerCurrencyUnit: input.retroactive.pointsPerCurrencyUnit, from: input.retroactive.from.toISOString(), to: input.retroactive.to.toISOString() } }
      : {}),
  };
  const candidate = {
    ...migration,
    settingsJson: JSON.stringify(next),
    cutoverAt: input.cutoverAt ?? migration.cutoverAt,
    ordersMigrated: input.ordersMigrated ?? migration.ordersMigrated,
    customersMigrated: input.customersMigrated ?? migration.customersMigrated,
  };
  const checked = rulesFor(migration.shop, candidate);
  if (checked.outcome === "invalid") return checked;
  // New rules make any stored preview stale: the migration is back at (or moves on to) rules_set.
  const confirm = input.confirm ?? true;
  const state = confirm && isMigrationState(migration.state) && canTransition(migration.state, "rules_set") ? "rules_set" : migration.state;
  await prisma.migration.update({
    where: { id: migration.id },
    data: { settingsJson: candidate.settingsJson, cutoverAt: candidate.cutoverAt, ordersMigrated: candidate.ordersMigrated, customersMigrated: candidate.customersMigrated, state },
  });
  return { outcome: "saved", rules: checked.rules, state };
}
