import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPilot, parsePilot, pendingMemberId, pendingMemberIdPrefix, pilotRank, pilotSize, selectPilot } from "./pilot";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `file1.${String(i + 2).padStart(9, "0")}`);

describe("pilot selection", () => {
  it("takes N, or P % rounded up, never more than there are", () => {
    expect(pilotSize(1000, { count: 25 })).toBe(25);
    expect(pilotSize(10, { count: 25 })).toBe(10);
    expect(pilotSize(30, { percent: 10 })).toBe(3);
    expect(pilotSize(31, { percent: 10 })).toBe(4);
    expect(pilotSize(7, { percent: 100 })).toBe(7);
    expect(pilotSize(0, { percent: 50 })).toBe(0);
  });

  it("refuses pilots that mean nothing", () => {
    expect(checkPilot({ count: 0 })).toMatch(/at least 1/);
    expect(checkPilot({ count: 1.5 })).toMatch(/whole number/);
    expect(checkPilot({ percent: 0 })).toMatch(/above 0/);
    expect(checkPilot({ percent: 101 })).toMatch(/at most 100/);
    expect(checkPilot(null)).toBeNull();
  });

  it("is deterministic, whatever the input order, and spread over the file rather than its first rows", () => {
    const all = ids(1000);
    const pilot = selectPilot(all, { count: 100 });
    expect(selectPilot([...all].reverse(), { count: 100 })).toEqual(pilot);
    expect(pilot).toEqual([...pilot].sort());
    expect(pilot).not.toEqual(all.slice(0, 100));
    expect(pilot.filter((id) => all.indexOf(id) >= 500).length).toBeGreaterThan(25);
  });

  it("a bigger pilot contains the smaller one (growing a pilot never drops a member)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 200 }), fc.nat(200), fc.nat(200), (all, a, b) => {
        const small = selectPilot(all, { count: Math.max(1, Math.min(a, b)) });
        const big = new Set(selectPilot(all, { count: Math.max(1, Math.max(a, b)) }));
        expect(small.every((id) => big.has(id))).toBe(true);
        expect(new Set(small).size).toBe(small.length);
      }),
    );
  });

  it("ranks by a 64-bit FNV-1a hash", () => {
    expect(pilotRank("")).toBe("cbf29ce484222325");
    expect(pilotRank("a")).toBe("af63dc4c8601ec8c");
  });

  it("reads --pilot values", () => {
    expect(parsePilot("25")).toEqual({ count: 25 });
    expect(parsePilot("10%")).toEqual({ percent: 10 });
    expect(parsePilot("2.5%")).toEqual({ percent: 2.5 });
    expect(parsePilot("2.5")).toBeNull();
    expect(parsePilot("ten")).toBeNull();
  });

  it("derives a pending member's id from the migration and the record", () => {
    expect(pendingMemberId("cm1", "file1.000000002")).toBe("pm.cm1.file1.000000002");
    expect(pendingMemberId("cm1", "file1.000000002").startsWith(pendingMemberIdPrefix("cm1"))).toBe(true);
    expect(() => pendingMemberId("cm1", "")).toThrow();
    expect(() => pendingMemberIdPrefix("a.b")).toThrow();
  });
});
