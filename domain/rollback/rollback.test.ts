import { describe, expect, it } from "vitest";
import { MIGRATION_STATES } from "../migration-state";
import { checkRollbackRequest, rollbackCandidates, rollbackSkip, type RollbackEntry } from "./rollback";

const entry = (id: string, over: Partial<RollbackEntry> = {}): RollbackEntry => ({
  id,
  memberId: "a",
  migrationId: "m1",
  kind: "import",
  points: 100,
  idempotencyKey: `import:m1:${id}`,
  reversesId: null,
  ...over,
});

describe("what a rollback reverses", () => {
  it("every points-moving entry of the migration not reversed yet, and nothing else", () => {
    const entries = [
      entry("imp"),
      entry("retro", { kind: "earn", points: 30, idempotencyKey: "retro:m1:o1" }),
      entry("coupon", { kind: "coupon_refund", points: 15, idempotencyKey: "coupon:m1:X" }),
      entry("memo", { kind: "restore", points: 0, idempotencyKey: "restore:m1:a" }),
      entry("live", { kind: "earn", migrationId: null, points: 40, idempotencyKey: "order:shopify:9:earn" }),
      entry("other", { migrationId: "m2", idempotencyKey: "import:m2:r" }),
      entry("cancelled", { kind: "earn", points: 20, idempotencyKey: "retro:m1:o2" }),
      entry("rev", { kind: "reverse", points: -20, reversesId: "cancelled", idempotencyKey: "order:shopify:o2:reverse" }),
    ];
    expect(rollbackCandidates(entries, "m1").map((e) => e.id)).toEqual(["imp", "retro", "coupon"]);
    const reversed = new Set(["cancelled"]);
    expect(rollbackSkip(entries[3]!, "m1", reversed)).toBe("memo");
    expect(rollbackSkip(entries[4]!, "m1", reversed)).toBe("not-this-migration");
    expect(rollbackSkip(entries[6]!, "m1", reversed)).toBe("already-reversed");
    expect(rollbackSkip(entries[7]!, "m1", reversed)).toBe("is-a-reversal");
  });

  it("may start from applied or piloted, resumes from rolling_back, and says why not from anywhere else", () => {
    const allowed = MIGRATION_STATES.filter((s) => checkRollbackRequest(s).ok);
    expect(allowed).toEqual(["piloted", "applied", "rolling_back"]);
    expect(checkRollbackRequest("rolling_back")).toEqual({ ok: true, resume: true });
    expect(checkRollbackRequest("rolled_back")).toMatchObject({ ok: false, reason: "already-rolled-back" });
    expect(checkRollbackRequest("applying")).toMatchObject({ ok: false, reason: "apply-running" });
    expect(checkRollbackRequest("previewed")).toMatchObject({ ok: false, reason: "nothing-written", message: expect.stringContaining("nothing has been written") });
  });
});
