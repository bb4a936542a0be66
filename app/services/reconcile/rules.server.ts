import type { Migration, Shop } from "@prisma/client";
import { z } from "zod";
import { checkRules } from "~domain/reconcile/cutover";
import { defaultStateRules } from "~domain/reconcile/order-states";
import type { CutoverRules, MatchOptions, Platform } from "~domain/reconcile/types";

/**
 * The merchant's reconciliation rules as stored on the migration (`settingsJson`, written by the
 * wizard's Rules step and the CLI), with the platform's defaults for whatever is not set.
 */
export const MigrationSettings = z.object({
  completedStates: z.array(z.string()).optional(),
  cancelledStates: z.array(z.string()).optional(),
  retroactive: z
    .object({ pointsPerCurrencyUnit: z.number().nonnegative(), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
    .nullable()
    .optional(),
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
