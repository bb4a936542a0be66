import { hasWrittenLedger, isMigrationState, type MigrationState } from "~domain/migration-state";

/**
 * The wizard's steps and where a migration stands in them, from its state (domain/migration-state.ts
 * decides which state may follow which). Pure: the layout uses it on the server, the stepper on the client.
 */
export const WIZARD_STEPS = ["platforms", "upload", "map", "rules", "sync", "apply", "report"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];
export type StepStatus = "complete" | "current" | "upcoming";

export function isWizardStep(value: string): value is WizardStep {
  return (WIZARD_STEPS as readonly string[]).includes(value);
}

/**
 * The first step not done yet: what a reload shows. A draft whose platforms are answered is at the
 * upload; the upload validates the file, so a validated migration is at its rules; a stored preview
 * leaves the apply; anything after the ledger is written is read in the report.
 */
export function currentStep(state: string, platformsAnswered: boolean): WizardStep {
  if (!isMigrationState(state)) return "platforms";
  const byState: Record<MigrationState, WizardStep> = {
    draft: platformsAnswered ? "upload" : "platforms",
    uploaded: "map",
    validated: "rules",
    rules_set: "sync",
    syncing: "sync",
    previewed: "apply",
    applying: "apply",
    piloted: "apply",
    applied: "report",
    rolling_back: "report",
    rolled_back: "report",
  };
  return byState[state];
}

export interface StepView {
  key: WizardStep;
  status: StepStatus;
  /** The merchant may open it: a step done, or the current one. */
  reachable: boolean;
}

export function wizardSteps(state: string, platformsAnswered: boolean): StepView[] {
  const current = WIZARD_STEPS.indexOf(currentStep(state, platformsAnswered));
  return WIZARD_STEPS.map((key, i) => ({
    key,
    status: i < current ? "complete" : i === current ? "current" : "upcoming",
    reachable: i <= current,
  }));
}

/** Whether a step's answers may still change in this state (reading it is always allowed once reachable). */
export function stepEditable(step: WizardStep, state: string): boolean {
  if (!isMigrationState(state)) return false;
  switch (step) {
    case "platforms":
      return !hasWrittenLedger(state);
    case "upload":
    case "map":
      // importLoyaltyFile takes a file up to validation, never after.
      return state === "draft" || state === "uploaded" || state === "validated";
    default:
      return !hasWrittenLedger(state);
  }
}
