import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addIgnored, addMalformed, addOutcome, applyDuplicateResolution, checkAccounts, emptyAccounts } from "./accounts";
import { findDuplicateGroups, resolveDuplicateGroup } from "./duplicates";
import type { DuplicatePolicy, ImportAccounts, NormalizedRecord, RowOutcome } from "./types";

function record(rowNumber: number, points: number, email: string): NormalizedRecord {
  return {
    rowNumber,
    email,
    emailNormalized: email.toLowerCase(),
    phone: null,
    phoneE164: null,
    cpf: null,
    platformCustomerRef: null,
    firstName: null,
    lastName: null,
    points,
    pointsSpent: null,
    tier: null,
    referralCode: null,
    marketingConsent: null,
    birthday: null,
    enrolledAt: null,
    updatedAt: null,
    status: null,
    raw: {},
  };
}

const valid = (rowNumber: number, points: number, email: string): RowOutcome => ({ status: "valid", record: record(rowNumber, points, email) });
const rejected = (rowNumber: number, points: number): RowOutcome => ({
  status: "rejected",
  rowNumber,
  points,
  raw: {},
  reasons: [{ code: "INVALID_EMAIL", message: "x" }],
});

describe("accounts", () => {
  it("count rows and points by fate", () => {
    let a = emptyAccounts();
    a = addOutcome(a, valid(2, 100, "a@x.com"));
    a = addOutcome(a, valid(3, 50, "A@x.com"));
    a = addOutcome(a, rejected(4, -20));
    a = addIgnored(a);
    a = addMalformed(a);
    a = addMalformed(a, 7);
    expect(a).toEqual({
      rowsTotal: 6,
      rowsValid: 2,
      rowsRejected: 3,
      rowsMerged: 0,
      rowsIgnored: 1,
      pointsInFile: 137,
      pointsValid: 150,
      pointsRejected: -13,
      pointsMergedAway: 0,
    });
    expect(checkAccounts(a)).toEqual([]);
  });

  it("fold duplicates: sum keeps the points, max/latest set some aside, review rejects them", () => {
    const rows = [record(2, 100, "a@x.com"), record(3, 50, "a@x.com")];
    const base = rows.reduce((acc, r) => addOutcome(acc, { status: "valid", record: r }), emptyAccounts());
    expect(applyDuplicateResolution(base, rows, resolveDuplicateGroup(rows, "sum"))).toMatchObject({ rowsValid: 1, rowsMerged: 1, pointsValid: 150, pointsMergedAway: 0 });
    expect(applyDuplicateResolution(base, rows, resolveDuplicateGroup(rows, "max"))).toMatchObject({ rowsValid: 1, rowsMerged: 1, pointsValid: 100, pointsMergedAway: 50 });
    expect(applyDuplicateResolution(base, rows, resolveDuplicateGroup(rows, "review"))).toMatchObject({ rowsValid: 0, rowsRejected: 2, pointsValid: 0, pointsRejected: 150 });
  });

  it("say in words which identity is broken", () => {
    const broken: ImportAccounts = { ...emptyAccounts(), rowsTotal: 3, rowsValid: 1, pointsInFile: 10, pointsValid: 4, pointsRejected: 5 };
    const problems = checkAccounts(broken);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("rows in the file (3) ≠ valid 1 + rejected 0 + merged 0 + ignored 0 = 1");
    expect(problems[1]).toContain("points in the file (10) ≠ valid 4 + rejected 5 + merged away 0 = 9");
    expect(checkAccounts({ ...emptyAccounts(), rowsValid: -1, rowsTotal: -1 })).toEqual(expect.arrayContaining([expect.stringContaining("rowsValid is -1")]));
    expect(checkAccounts({ ...emptyAccounts(), pointsInFile: 0.5, pointsValid: 0.5 })).toEqual(expect.arrayContaining([expect.stringContaining("pointsInFile is 0.5")]));
  });

  type Step =
    | { kind: "valid"; points: number; who: number }
    | { kind: "rejected"; points: number }
    | { kind: "ignored" }
    | { kind: "malformed"; points: number };

  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("valid" as const), points: fc.integer({ min: 0, max: 100_000 }), who: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant("rejected" as const), points: fc.integer({ min: -1000, max: 100_000 }) }),
    fc.record({ kind: fc.constant("ignored" as const) }),
    fc.record({ kind: fc.constant("malformed" as const), points: fc.integer({ min: 0, max: 1000 }) }),
  );

  it("hold their identities for any sequence of outcomes and duplicate resolutions", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), fc.constantFrom<DuplicatePolicy>("sum", "max", "latest", "review"), (steps, policy) => {
        let a = emptyAccounts();
        const validRecords: NormalizedRecord[] = [];
        steps.forEach((step, i) => {
          const rowNumber = i + 2;
          if (step.kind === "valid") {
            const r = record(rowNumber, step.points, `c${step.who}@x.com`);
            validRecords.push(r);
            a = addOutcome(a, { status: "valid", record: r });
          } else if (step.kind === "rejected") a = addOutcome(a, rejected(rowNumber, step.points));
          else if (step.kind === "ignored") a = addIgnored(a);
          else a = addMalformed(a, step.points);
          expect(checkAccounts(a)).toEqual([]);
        });
        const before = a;
        for (const group of findDuplicateGroups(validRecords)) {
          a = applyDuplicateResolution(a, group, resolveDuplicateGroup(group, policy));
          expect(checkAccounts(a)).toEqual([]);
        }
        // Merging never changes what the file held.
        expect(a.rowsTotal).toBe(before.rowsTotal);
        expect(a.pointsInFile).toBe(before.pointsInFile);
        // After folding, one valid row per customer (unless sent to review).
        if (policy !== "review") expect(a.rowsValid).toBe(new Set(validRecords.map((r) => r.emailNormalized)).size);
        if (policy === "sum") expect(a.pointsValid).toBe(before.pointsValid);
      }),
    );
  });
});
