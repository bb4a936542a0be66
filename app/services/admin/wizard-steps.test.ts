import { describe, expect, it } from "vitest";
import { MIGRATION_STATES } from "~domain/migration-state";
import { WIZARD_STEPS, currentStep, stepEditable, wizardSteps } from "./wizard-steps";

describe("the wizard's steps from the migration's state", () => {
  it("puts a new draft at Platforms, and an answered draft at Upload", () => {
    expect(currentStep("draft", false)).toBe("platforms");
    expect(currentStep("draft", true)).toBe("upload");
  });

  it("gives every state one current step, and steps never go back as the state moves on", () => {
    const order = MIGRATION_STATES.filter((s) => !s.startsWith("rolling") && s !== "rolled_back").map((s) => WIZARD_STEPS.indexOf(currentStep(s, true)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const s of MIGRATION_STATES) {
      const steps = wizardSteps(s, true);
      expect(steps.filter((x) => x.status === "current")).toHaveLength(1);
      const current = steps.findIndex((x) => x.status === "current");
      expect(steps.every((x, i) => x.reachable === i <= current)).toBe(true);
    }
  });

  it("resumes a validated migration at its rules and a previewed one at apply", () => {
    expect(currentStep("validated", true)).toBe("rules");
    expect(currentStep("previewed", true)).toBe("apply");
    expect(currentStep("applied", true)).toBe("report");
  });

  it("locks platforms and the upload once the ledger is written", () => {
    expect(stepEditable("platforms", "previewed")).toBe(true);
    expect(stepEditable("platforms", "applied")).toBe(false);
    expect(stepEditable("upload", "validated")).toBe(true);
    expect(stepEditable("upload", "rules_set")).toBe(false);
  });
});
