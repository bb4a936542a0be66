import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertPoints,
  balanceOf,
  idempotencyKey,
  LedgerRuleError,
  reversalOf,
  type LedgerEntryLike,
} from "./ledger";

const idPart = fc.stringMatching(/^[a-z0-9]{1,12}$/);

describe("idempotency keys", () => {
  it("follow the documented shapes", () => {
    expect(idempotencyKey.importRow("m1", "r7")).toBe("import:m1:r7");
    expect(idempotencyKey.restore("m1", "mem3")).toBe("restore:m1:mem3");
    expect(idempotencyKey.orderEarn("shopify", "1001")).toBe("order:shopify:1001:earn");
  });

  it("are deterministic and tell different sources apart", () => {
    fc.assert(
      fc.property(idPart, idPart, idPart, idPart, (m1, r1, m2, r2) => {
        expect(idempotencyKey.importRow(m1, r1)).toBe(idempotencyKey.importRow(m1, r1));
        if (m1 !== m2 || r1 !== r2) expect(idempotencyKey.importRow(m1, r1)).not.toBe(idempotencyKey.importRow(m2, r2));
        expect(idempotencyKey.importRow(m1, r1)).not.toBe(idempotencyKey.restore(m1, r1));
      }),
    );
  });

  it("refuse parts that would make two sources collide", () => {
    expect(() => idempotencyKey.importRow("m:1", "2")).toThrow(LedgerRuleError);
    expect(() => idempotencyKey.importRow("", "2")).toThrow(LedgerRuleError);
  });
});

describe("points", () => {
  it("must be non-zero safe integers", () => {
    expect(() => assertPoints(1.5)).toThrow(/integer/);
    expect(() => assertPoints(0)).toThrow(/move points/);
    expect(() => assertPoints(Number.NaN)).toThrow(/integer/);
    expect(() => assertPoints(-40)).not.toThrow();
  });
});

describe("balances and reversals", () => {
  const entryArb = fc.record({
    memberId: fc.constantFrom("a", "b", "c"),
    points: fc.integer({ min: -10_000, max: 10_000 }).filter((p) => p !== 0),
  });

  it("a balance is Σ of entries, and reversing every entry brings it back to zero", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 60 }), (raw) => {
        const entries: LedgerEntryLike[] = raw.map((e, i) => ({
          id: `e${i}`,
          kind: "import",
          idempotencyKey: `import:m:${i}`,
          reversesId: null,
          ...e,
        }));
        const reversed = new Set<string>();
        const reversals = entries.map((e) => {
          const r = reversalOf(e, reversed, "rollback", `rollback:m:${e.id}`);
          reversed.add(e.id);
          return r;
        });
        for (const member of ["a", "b", "c"]) {
          const mine = entries.filter((e) => e.memberId === member);
          const undo = reversals.filter((r) => r.memberId === member);
          expect(balanceOf(mine)).toBe(mine.reduce((s, e) => s + e.points, 0));
          expect(balanceOf([...mine, ...undo])).toBe(0);
        }
      }),
    );
  });

  it("an entry is reversed at most once, and a reversal is never reversed", () => {
    const original: LedgerEntryLike = { id: "e1", memberId: "a", kind: "earn", points: 50, idempotencyKey: "k", reversesId: null };
    const reversal = reversalOf(original, new Set(), "reverse", "order:shopify:1:reverse");
    expect(reversal).toMatchObject({ points: -50, reversesId: "e1", memberId: "a", kind: "reverse" });
    expect(() => reversalOf(original, new Set(["e1"]), "reverse", "x")).toThrow(/already reversed/);
    expect(() => reversalOf({ ...original, id: "e2", reversesId: "e1" }, new Set(), "rollback", "y")).toThrow(/itself a reversal/);
  });
});

describe("memo entries", () => {
  it("a restore entry may move no points; every other kind must", () => {
    expect(() => assertPoints(0, "restore")).not.toThrow();
    expect(() => assertPoints(0, "import")).toThrow(LedgerRuleError);
    expect(() => assertPoints(0)).toThrow(LedgerRuleError);
    expect(() => assertPoints(1.5, "restore")).toThrow(LedgerRuleError);
  });
});
