import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAdjustment, MAX_ADJUSTMENT, MAX_BALANCE, normalizeReason, parseAdjustmentPoints } from "./adjustment";

describe("checkAdjustment", () => {
  it("adds signed points and refuses what would leave the balance below zero", () => {
    expect(checkAdjustment(100, 50)).toEqual({ outcome: "ok", balanceAfter: 150 });
    expect(checkAdjustment(100, -100)).toEqual({ outcome: "ok", balanceAfter: 0 });
    expect(checkAdjustment(100, -101)).toEqual({ outcome: "below-zero", balance: 100, points: -101, shortBy: 1 });
  });

  it("refuses zero, fractions, typos of huge size and a balance past the column's maximum", () => {
    expect(checkAdjustment(0, 0)).toEqual({ outcome: "zero" });
    expect(checkAdjustment(0, 1.5)).toEqual({ outcome: "not-an-integer" });
    expect(checkAdjustment(0, MAX_ADJUSTMENT + 1)).toEqual({ outcome: "too-large", max: MAX_ADJUSTMENT });
    expect(checkAdjustment(MAX_BALANCE - 5, 6)).toEqual({ outcome: "above-maximum", max: MAX_BALANCE });
  });

  it("never lets any sequence of accepted adjustments go below zero, and the balance is their sum", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5_000, max: 5_000 }), { maxLength: 40 }), (attempts) => {
        let balance = 0;
        const accepted: number[] = [];
        for (const points of attempts) {
          const check = checkAdjustment(balance, points);
          if (check.outcome === "ok") {
            accepted.push(points);
            balance = check.balanceAfter;
          }
          expect(balance).toBeGreaterThanOrEqual(0);
        }
        expect(balance).toBe(accepted.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe("parseAdjustmentPoints", () => {
  it("reads what a merchant types in either number convention", () => {
    expect(parseAdjustmentPoints("250")).toBe(250);
    expect(parseAdjustmentPoints("+250")).toBe(250);
    expect(parseAdjustmentPoints("-40")).toBe(-40);
    expect(parseAdjustmentPoints("\u221240")).toBe(-40);
    expect(parseAdjustmentPoints("1,500")).toBe(1500);
    expect(parseAdjustmentPoints("1.500")).toBe(1500);
    expect(parseAdjustmentPoints("-1 500")).toBe(-1500);
  });

  it("refuses fractions and text", () => {
    for (const t of ["1.5", "1,5", "abc", "", "-", "12a", "1.50.0"]) expect(parseAdjustmentPoints(t), t).toBeNull();
  });
});

describe("normalizeReason", () => {
  it("keeps a trimmed reason and refuses an empty or overlong one", () => {
    expect(normalizeReason("  Goodwill:\n late   delivery ")).toBe("Goodwill: late delivery");
    expect(normalizeReason("   ")).toBeNull();
    expect(normalizeReason("x".repeat(501))).toBeNull();
  });
});
