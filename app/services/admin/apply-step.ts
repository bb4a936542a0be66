import { z } from "zod";
import { checkPilot, parsePilot, type PilotSpec } from "~domain/apply/pilot";

/**
 * Pure parts of the wizard's Apply step: the pilot as the merchant types it, and the confirmation's
 * figures added up from the records apply would walk (the server file reads them; this adds them).
 */

/** The Apply step's forms: a pilot ("10%" or "25"), or everything not applied yet ("all"); or undo a pilot ("rollback"). */
export const ApplyForm = z.object({
  intent: z.enum(["plan", "apply", "retry", "rollback"]),
  scope: z.enum(["pilot", "all"]).default("all"),
  pilot: z.string().max(20).optional(),
  /** The preview the confirmation was computed from: apply refuses if it is no longer the latest. */
  reconciliationId: z.string().min(1).max(64).optional(),
});
export type ApplyFormInput = z.infer<typeof ApplyForm>;

/** The pilot of a form: a spec, null for "everything", or "invalid" (the merchant typed something else). */
export function pilotOf(input: { scope: "pilot" | "all"; pilot?: string }): PilotSpec | null | "invalid" {
  if (input.scope === "all") return null;
  const spec = parsePilot(input.pilot ?? "");
  if (!spec || checkPilot(spec) !== null) return "invalid";
  return spec;
}

/** A pilot written back the way the form takes it. */
export function pilotText(pilot: PilotSpec | null): string {
  if (pilot === null) return "";
  return "count" in pilot ? String(pilot.count) : `${pilot.percent}%`;
}

/** What the merchant types in the two pilot fields → the text `pilotOf` reads. */
export function pilotInput(mode: "percent" | "count", size: string): string {
  const value = size.trim().replace(",", ".");
  return mode === "percent" ? `${value}%` : value;
}

/** One record apply would walk: its class in the preview, its points, and what the ledger already holds for it. */
export interface PlanRecord {
  cls: "matched" | "pending";
  points: number;
  /** Its import entry (import:<migration>:<record>) is written already. */
  credited: boolean;
  /** Its member exists already (the customer's member, or pm.<migration>.<record>). */
  hasMember: boolean;
}

/** One retroactive order apply would credit, and whether its entry (retro:<migration>:<order>) is written already. */
export interface PlanOrder {
  customerId: string;
  points: number;
  credited: boolean;
}

export interface PlanFigures {
  /** Matched records → visible members whose balance is written to the store. */
  credit: { members: number; points: number };
  /** Matched records with 0 points: a member is created (tier, referral code), nothing is credited. */
  zeroPoints: number;
  /** Pending records → members kept invisible until the shopper registers; `members` counts the ones created now. */
  pending: { members: number; points: number };
  /** Records of this apply that an earlier run (the pilot) credited already: walked again, written nothing. */
  alreadyApplied: { records: number; points: number };
  retroactive: { orders: number; points: number; customers: number };
}

export function emptyPlanFigures(): PlanFigures {
  return { credit: { members: 0, points: 0 }, zeroPoints: 0, pending: { members: 0, points: 0 }, alreadyApplied: { records: 0, points: 0 }, retroactive: { orders: 0, points: 0, customers: 0 } };
}

/**
 * Adds a page of records to the figures, the way apply treats them: a record with points and no
 * entry yet is credited (its entry is written); one with 0 points writes no entry; a pending record
 * whose member does not exist gets one; anything credited before is a duplicate, written nothing.
 */
export function addRecords(figures: PlanFigures, records: readonly PlanRecord[]): PlanFigures {
  for (const r of records) {
    if (r.credited) {
      figures.alreadyApplied.records++;
      figures.alreadyApplied.points += r.points;
      continue;
    }
    if (r.cls === "matched") {
      if (r.points !== 0) {
        figures.credit.members++;
        figures.credit.points += r.points;
      } else if (!r.hasMember) figures.zeroPoints++;
    } else {
      if (!r.hasMember) figures.pending.members++;
      figures.pending.points += r.points;
    }
  }
  return figures;
}

/** Adds the retroactive orders apply would write (the ones not credited yet). */
export function addOrders(figures: PlanFigures, orders: readonly PlanOrder[]): PlanFigures {
  const customers = new Set<string>();
  for (const o of orders) {
    if (o.credited) continue;
    figures.retroactive.orders++;
    figures.retroactive.points += o.points;
    customers.add(o.customerId);
  }
  figures.retroactive.customers += customers.size;
  return figures;
}
