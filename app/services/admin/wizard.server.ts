import type { Migration } from "@prisma/client";
import { z } from "zod";
import { PROVIDERS } from "~domain/import/types";
import prisma from "../../db.server";
import { createMigration, findMigration } from "../migrations.server";
import { setRules } from "../reconcile/rules.server";
import { OLD_PLATFORMS } from "./options";
import { currentStep, stepEditable, wizardSteps, type StepView, type WizardStep } from "./wizard-steps";


export interface WizardView {
  migration: {
    id: string;
    name: string;
    state: string;
    oldPlatform: string | null;
    oldProvider: string | null;
    cutoverAt: string | null;
    ordersMigrated: boolean;
    customersMigrated: boolean;
  };
  steps: StepView[];
  current: WizardStep;
}

function platformsAnswered(m: Migration): boolean {
  return m.oldPlatform !== null && m.oldProvider !== null;
}

/** Where a migration of this shop stands in the wizard; null for another shop's (or no) migration. */
export async function wizardView(shopId: string, migrationId: string): Promise<WizardView | null> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return null;
  const answered = platformsAnswered(m);
  return {
    migration: {
      id: m.id,
      name: m.name,
      state: m.state,
      oldPlatform: m.oldPlatform,
      oldProvider: m.oldProvider,
      cutoverAt: m.cutoverAt?.toISOString() ?? null,
      ordersMigrated: m.ordersMigrated,
      customersMigrated: m.customersMigrated,
    },
    steps: wizardSteps(m.state, answered),
    current: currentStep(m.state, answered),
  };
}

/** Home's call to action: a new draft migration of this shop. */
export async function startMigration(shopId: string, name: string): Promise<{ id: string }> {
  const m = await createMigration({ shopId, name: name.slice(0, 120) });
  return { id: m.id };
}

/** The Platforms step's form, as the route receives it. */
export const PlatformsForm = z.object({
  oldPlatform: z.enum(OLD_PLATFORMS),
  oldProvider: z.enum(PROVIDERS),
  cutoverAt: z.union([z.literal(""), z.iso.date()]).transform((v) => (v === "" ? null : new Date(`${v}T00:00:00.000Z`))),
  ordersMigrated: z.enum(["yes", "no"]).transform((v) => v === "yes"),
  customersMigrated: z.enum(["yes", "no"]).transform((v) => v === "yes"),
});
export type PlatformsInput = z.infer<typeof PlatformsForm>;

export type SavePlatformsOutcome =
  | { outcome: "saved"; state: string }
  | { outcome: "invalid"; errors: string[] }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "not-found" };

/**
 * The Platforms step: the go-live date and the two answers go through setRules (checked with the
 * rest of the rules, whole or not at all) without confirming them — the merchant chooses the rules
 * at the Rules step; the old platform and provider go on the migration.
 */
export async function savePlatforms(shopId: string, migrationId: string, input: PlatformsInput): Promise<SavePlatformsOutcome> {
  const before = await findMigration(shopId, migrationId);
  if (!before) return { outcome: "not-found" };
  if (!stepEditable("platforms", before.state)) return { outcome: "migration-closed", state: before.state };
  const saved = await setRules({
    shopId,
    migrationId,
    ...(input.cutoverAt ? { cutoverAt: input.cutoverAt } : {}),
    ordersMigrated: input.ordersMigrated,
    customersMigrated: input.customersMigrated,
    confirm: false,
  });
  if (saved.outcome !== "saved") return saved;
  const state = saved.state;
  await prisma.migration.updateMany({ where: { id: migrationId, shopId }, data: { oldPlatform: input.oldPlatform, oldProvider: input.oldProvider } });
  return { outcome: "saved", state };
}
