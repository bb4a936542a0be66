import { describe, expect, it } from "vitest";
import { downloadName, exceptionCells, identityTerms, MAX_DAYS, restoredMemberCells, restoreSeries } from "./report-step";

const base = { pointsInFile: 10_000, creditedMatched: 6_000, creditedPending: 2_000, creditedStillPending: 1_500, pointsConflict: 500, pointsRejected: 1_500, pointsAwaitingApply: 0, reversedImports: 0, checked: true };

describe("the report's identity as the merchant reads it", () => {
  it("puts a registered pending member's points with the credited ones, and adds up", () => {
    const i = identityTerms(base);
    expect(i.terms).toEqual([
      { key: "credited", points: 6_500 },
      { key: "pending", points: 1_500 },
      { key: "conflict", points: 500 },
      { key: "rejected", points: 1_500 },
    ]);
    expect(i).toMatchObject({ inFile: 10_000, sum: 10_000, holds: true });
  });

  it("shows awaiting apply after a pilot and rolled-back points after a rollback, only when there are any", () => {
    const pilot = identityTerms({ ...base, creditedPending: 0, creditedStillPending: 0, creditedMatched: 600, pointsAwaitingApply: 7_400 });
    expect(pilot.terms.map((t) => t.key)).toEqual(["credited", "pending", "conflict", "rejected", "awaiting"]);
    expect(pilot.holds).toBe(true);
    const rolledBack = identityTerms({ ...base, creditedMatched: 0, creditedPending: 0, creditedStillPending: 0, reversedImports: 8_000 });
    expect(rolledBack.terms.at(-1)).toEqual({ key: "reversed", points: 8_000 });
    expect(rolledBack.holds).toBe(true);
  });

  it("does not hold when the terms miss the file, or when the ledger check failed though the sum is right", () => {
    expect(identityTerms({ ...base, creditedMatched: 5_990 })).toMatchObject({ sum: 9_990, holds: false });
    expect(identityTerms({ ...base, checked: false })).toMatchObject({ sum: 10_000, holds: false });
  });
});

describe("restores over time", () => {
  const at = (iso: string, points = 100) => ({ at: new Date(iso), points });

  it("counts restores per day from the apply to today, empty days included", () => {
    const s = restoreSeries(new Date("2026-10-01T15:00:00Z"), [at("2026-10-01T18:00:00Z"), at("2026-10-03T09:00:00Z", 50), at("2026-10-03T23:59:59Z", 25)], new Date("2026-10-04T08:00:00Z"));
    expect(s.unit).toBe("day");
    expect(s.buckets).toEqual([
      { start: "2026-10-01", members: 1, points: 100 },
      { start: "2026-10-02", members: 0, points: 0 },
      { start: "2026-10-03", members: 2, points: 75 },
      { start: "2026-10-04", members: 0, points: 0 },
    ]);
    expect(s).toMatchObject({ members: 3, points: 175 });
  });

  it("groups by week past MAX_DAYS days, losing no restore", () => {
    const since = new Date("2026-01-01T00:00:00Z");
    const today = new Date(since.getTime() + (MAX_DAYS + 30) * 86_400_000);
    const restores = [at("2026-01-01T10:00:00Z"), at("2026-01-07T10:00:00Z"), at("2026-01-08T10:00:00Z"), at(today.toISOString())];
    const s = restoreSeries(since, restores, today);
    expect(s.unit).toBe("week");
    expect(s.buckets[0]).toEqual({ start: "2026-01-01", members: 2, points: 200 });
    expect(s.buckets[1]).toEqual({ start: "2026-01-08", members: 1, points: 100 });
    expect(s.buckets.reduce((n, b) => n + b.members, 0)).toBe(4);
    expect(s.buckets.at(-1)!.members).toBe(1);
  });

  it("is empty before any apply, and opens at a restore dated before the apply", () => {
    expect(restoreSeries(null, [], new Date())).toEqual({ unit: "day", buckets: [], members: 0, points: 0 });
    const s = restoreSeries(new Date("2026-10-02T00:00:00Z"), [at("2026-10-01T12:00:00Z")], new Date("2026-10-02T12:00:00Z"));
    expect(s.buckets.map((b) => b.start)).toEqual(["2026-10-01", "2026-10-02"]);
  });
});

describe("download rows", () => {
  it("never hand a spreadsheet a formula, and keep numbers as numbers", () => {
    const cells = exceptionCells(
      { type: "rejected", file: "export.csv", row: 7, email: "=HYPERLINK(\"http://evil\")", firstName: "+Ana", lastName: "@Lima", phone: "-1", cpf: null, points: -40, customerId: null, reason: "Negative points" },
      "Rejected at import",
    );
    expect(cells).toEqual(["Rejected at import", "export.csv", "7", "'=HYPERLINK(\"http://evil\")", "'+Ana", "'@Lima", "'-1", "", "-40", "", "Negative points"]);
    expect(restoredMemberCells({ email: "ana@example.com", firstName: "\tAna", lastName: null, phone: "+5511999990000", points: 1200, tier: "Ouro", restoredAt: new Date("2026-10-02T10:00:00Z"), marketingConsent: null })).toEqual([
      "ana@example.com",
      "'\tAna",
      "",
      "+5511999990000",
      "1200",
      "Ouro",
      "2026-10-02T10:00:00.000Z",
      "",
    ]);
    // A phone that is not a bare E.164 number is text like any other.
    expect(restoredMemberCells({ email: null, firstName: null, lastName: null, phone: "+1+SUM(A1)", points: 0, tier: null, restoredAt: new Date(0), marketingConsent: "yes" })[3]).toBe("'+1+SUM(A1)");
  });

  it("name files after the migration, safely", () => {
    expect(downloadName("Smile.io → Shopify (demo)", "exceptions")).toBe("Smile.io-Shopify-demo-exceptions.csv");
    expect(downloadName("Migração de 1/10", "restored-members")).toBe("Migracao-de-1-10-restored-members.csv");
    expect(downloadName("→", "x")).toBe("migration-x.csv");
  });
});
