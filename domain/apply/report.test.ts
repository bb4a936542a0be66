import { describe, expect, it } from "vitest";
import { checkApplyIdentity, type ApplyIdentityInput } from "./report";

const base: ApplyIdentityInput = {
  state: "applied",
  pointsInFile: 1000,
  creditedMatched: 600,
  creditedPending: 200,
  conflictNotApplied: 100,
  rejected: 100,
  awaitingApply: 0,
  reversed: 0,
  creditedToOtherClasses: 0,
  entriesWithOtherPoints: 0,
  orphanImportPoints: 0,
  balanceDrift: 0,
};

describe("the post-migration identity", () => {
  it("holds when every point of the file is in exactly one place", () => {
    expect(checkApplyIdentity(base)).toEqual({
      holds: true,
      statement: "points in the file 1,000 = credited to matched 600 + credited to pending 200 + conflict, not applied 100 + rejected 100",
      problems: [],
    });
  });

  it("names points lost and points counted twice", () => {
    expect(checkApplyIdentity({ ...base, creditedMatched: 550 }).problems).toEqual(["50 points of the file are accounted for nowhere: neither credited, pending, in conflict nor rejected"]);
    const doubled = checkApplyIdentity({ ...base, creditedMatched: 700 });
    expect(doubled.holds).toBe(false);
    expect(doubled.statement).toContain("≠");
    expect(doubled.problems).toEqual(["100 points more are accounted for than the file holds: something was counted twice"]);
  });

  it("counts a pilot's rest as awaiting apply, but not once the migration is applied", () => {
    const piloted = { ...base, state: "piloted", creditedMatched: 100, creditedPending: 0, awaitingApply: 700 };
    expect(checkApplyIdentity(piloted).holds).toBe(true);
    expect(checkApplyIdentity({ ...piloted, state: "applied" }).problems).toEqual(["the migration is applied, yet 700 points of matched or pending records are not credited"]);
  });

  it("reports entries on the wrong records, with the wrong points, orphans and drift", () => {
    const r = checkApplyIdentity({ ...base, creditedMatched: 590, creditedToOtherClasses: 10, entriesWithOtherPoints: 2, orphanImportPoints: 77, balanceDrift: 3 });
    expect(r.problems).toEqual([
      "10 points are credited to records the applied preview classes as conflict or rejected",
      "2 import entries carry points different from their record's",
      "77 points were imported for records the applied preview does not hold",
      "3 members' balances differ from the sum of their ledger entries",
    ]);
  });
});
