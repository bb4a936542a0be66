import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canTransition, hasWrittenLedger, IllegalTransitionError, MIGRATION_STATES, transition, type MigrationState } from "./migration-state";

describe("migration state machine", () => {
  it("walks the happy path of the wizard", () => {
    const path: MigrationState[] = ["draft", "uploaded", "validated", "rules_set", "syncing", "previewed", "applying", "applied", "rolling_back", "rolled_back"];
    let state: MigrationState = "draft";
    for (const next of path.slice(1)) state = transition(state, next);
    expect(state).toBe("rolled_back");
  });

  it("refuses to skip the preview: nothing is applied before a dry run", () => {
    for (const from of ["draft", "uploaded", "validated", "rules_set", "syncing"] as const) {
      expect(canTransition(from, "applying")).toBe(false);
    }
    expect(() => transition("validated", "applying")).toThrow(IllegalTransitionError);
  });

  it("a rolled-back migration is final", () => {
    for (const to of MIGRATION_STATES) expect(canTransition("rolled_back", to)).toBe(false);
  });

  it("any sequence of requested moves only ever passes through allowed transitions", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...MIGRATION_STATES), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), { minLength: 40, maxLength: 120 }), (requests) => {
        let state: MigrationState = "draft";
        let ledgerWritten = false;
        for (const [pickLegal, anyState, fraction] of requests) {
          // Half the moves are drawn from the legal ones, so deep states are reached often.
          const legal = MIGRATION_STATES.filter((s) => canTransition(state, s));
          const to = pickLegal && legal.length ? legal[Math.floor(fraction * legal.length)]! : anyState;
          try {
            const next = transition(state, to);
            expect(canTransition(state, next)).toBe(true);
            state = next;
          } catch (error) {
            expect(error).toBeInstanceOf(IllegalTransitionError);
          }
          ledgerWritten ||= hasWrittenLedger(state);
          // Once the ledger was written, the migration never goes back to an earlier wizard step.
          if (ledgerWritten) expect(hasWrittenLedger(state)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
