import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  alreadyMigratedReason,
  earnedOrderId,
  flagAlreadyMigrated,
  indexPriorImports,
  parseAlreadyMigratedReason,
  priorImportsOf,
  withoutEarned,
  withoutEarnedOrders,
  type PriorImport,
} from "./already-migrated";
import { matchRecords } from "./match";
import { CPFS, cust, customersArb, decisionsArb, EMAILS, PHONES, rec, recordsArb } from "./test-support";
import type { ClassifiedOrder, MatchOptions, ReconcileRecord, ReviewDecisionInput } from "./types";

const SHOPIFY: MatchOptions = { platform: "shopify", matchByPlatformId: false };
const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com" });
const bia = cust("gid://shopify/Customer/2", { emailNormalized: "bia@x.com" });

type Row = Parameters<typeof indexPriorImports>[0][number];
const row = (memberId: string, keys: Partial<Row> = {}): Row => ({
  memberId,
  migrationId: "m1",
  migrationName: "Smile 2025",
  points: 120,
  platformCustomerId: null,
  emailNormalized: null,
  phoneE164: null,
  cpf: null,
  ...keys,
});

function run(records: ReconcileRecord[], rows: Row[], decisions: ReviewDecisionInput[] = []) {
  const outcomes = matchRecords(records, [ana, bia], decisions, SHOPIFY);
  return flagAlreadyMigrated(records, outcomes, decisions, indexPriorImports(rows));
}

describe("flagAlreadyMigrated", () => {
  it("turns a match to a customer who holds another migration's import points into a conflict naming it", () => {
    const [a, b] = run([rec("r1", { emailNormalized: "ana@x.com", points: 50 }), rec("r2", { emailNormalized: "bia@x.com" })], [row("mem1", { platformCustomerId: ana.platformId })]);
    expect(a).toEqual({
      recordId: "r1",
      class: "conflict",
      platformCustomerId: null,
      matchedBy: null,
      reason: 'already credited 120 points by migration "Smile 2025"',
      candidates: [{ platformId: ana.platformId, key: "email" }],
      points: 50,
    });
    expect(b!.class).toBe("matched");
  });

  it("flags a pending record whose e-mail, phone or CPF a member of another migration holds", () => {
    const records = [rec("r1", { emailNormalized: "caio@y.com" }), rec("r2", { phoneE164: "+5511900000001" }), rec("r3", { cpf: "11144477735" }), rec("r4", { emailNormalized: "dora@y.com" })];
    const out = run(records, [row("m-a", { emailNormalized: "caio@y.com" }), row("m-b", { phoneE164: "+5511900000001" }), row("m-c", { cpf: "11144477735", points: 7 })]);
    expect(out.map((o) => o.class)).toEqual(["conflict", "conflict", "conflict", "pending"]);
    expect(out[2]!.reason).toBe('already credited 7 points by migration "Smile 2025"');
    expect(out[0]!.candidates).toEqual([]);
  });

  it("counts a member found on several keys once, and names several migrations by name", () => {
    const rows = [
      row("mem1", { platformCustomerId: ana.platformId, emailNormalized: "ana@x.com" }),
      row("mem1", { migrationId: "m0", migrationName: "Old Yotpo", points: 30, platformCustomerId: ana.platformId, emailNormalized: "ana@x.com" }),
    ];
    const [a] = run([rec("r1", { emailNormalized: "ana@x.com" })], rows);
    expect(a!.reason).toBe('already credited 150 points by migration "Old Yotpo" and 1 more');
    expect(parseAlreadyMigratedReason(a!.reason!)).toEqual({ points: 150, migration: "Old Yotpo", more: 1 });
  });

  it("leaves records alone when nothing was imported elsewhere, or only net-zero (rolled back) points", () => {
    const records = [rec("r1", { emailNormalized: "ana@x.com" })];
    expect(run(records, [])[0]!.class).toBe("matched");
    expect(run(records, [row("mem1", { platformCustomerId: ana.platformId, points: 0 })])[0]!.class).toBe("matched");
  });

  it("lets review decisions win: match credits anyway, reject rejects", () => {
    const rows = [row("mem1", { platformCustomerId: ana.platformId })];
    const records = [rec("r1", { emailNormalized: "ana@x.com" }), rec("r2", { emailNormalized: "ana@x.com" })];
    const out = run(records, rows, [
      { recordId: "r1", decision: "match", platformCustomerId: ana.platformId },
      { recordId: "r2", decision: "reject", platformCustomerId: null },
    ]);
    expect(out.map((o) => [o.class, o.platformCustomerId])).toEqual([
      ["matched", ana.platformId],
      ["rejected", null],
    ]);
  });

  it("keeps conflicts of the matching rules as they are (their reason says more)", () => {
    const records = [rec("r1", { emailNormalized: "ana@x.com" }), rec("r2", { emailNormalized: "ana@x.com" })];
    const out = run(records, [row("mem1", { platformCustomerId: ana.platformId })]);
    expect(out.every((o) => o.class === "conflict" && o.reason!.startsWith("2 records match"))).toBe(true);
  });

  it("property: a record already credited elsewhere is never matched or pending without a decision; others are untouched", () => {
    const priorArb = fc.array(
      fc.record({
        memberId: fc.constantFrom("mA", "mB", "mC"),
        migrationId: fc.constantFrom("m1", "m2"),
        points: fc.integer({ min: -50, max: 500 }),
        platformCustomerId: fc.option(fc.constantFrom("gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3"), { freq: 2 }),
        emailNormalized: fc.option(fc.constantFrom(...EMAILS), { freq: 2 }),
        phoneE164: fc.option(fc.constantFrom(...PHONES), { freq: 2 }),
        cpf: fc.option(fc.constantFrom(...CPFS), { freq: 2 }),
      }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(
        fc.tuple(recordsArb, customersArb).chain(([records, customers]) =>
          fc.tuple(fc.constant(records), fc.constant(customers), fc.oneof(fc.constant([] as ReviewDecisionInput[]), decisionsArb(records, customers))),
        ),
        priorArb,
        ([records, customers, decisions], priors) => {
          const rows = priors.map((p) => ({ ...p, migrationName: p.migrationId === "m1" ? "One" : "Two" }));
          const imported = indexPriorImports(rows);
          const before = matchRecords(records, customers, decisions, SHOPIFY);
          const after = flagAlreadyMigrated(records, before, decisions, imported);
          const decided = new Set(decisions.map((d) => d.recordId));
          expect(after).toHaveLength(before.length);
          for (let i = 0; i < records.length; i++) {
            const o = after[i]!;
            expect(o.recordId).toBe(records[i]!.id);
            expect(o.points).toBe(before[i]!.points);
            const credited = priorImportsOf(records[i]!, before[i]!.platformCustomerId, imported);
            if (decided.has(o.recordId) || credited.length === 0) expect(o).toEqual(before[i]);
            else if (before[i]!.class === "matched" || before[i]!.class === "pending") {
              expect(o.class).toBe("conflict");
              expect(parseAlreadyMigratedReason(o.reason!)!.points).toBe(credited.reduce((s, p: PriorImport) => s + p.points, 0));
            }
            if (!decided.has(o.recordId) && credited.length > 0) expect(["matched", "pending"]).not.toContain(o.class);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("alreadyMigratedReason", () => {
  it("round-trips, quotes in names included", () => {
    expect(parseAlreadyMigratedReason(alreadyMigratedReason(5, ['Club "VIP"']))).toEqual({ points: 5, migration: 'Club "VIP"', more: 0 });
    expect(parseAlreadyMigratedReason("2 records match this customer (also a row 2)")).toBeNull();
  });
});

describe("earned orders", () => {
  it("reads the order of retroactive and live earn keys, skipping the migration's own retroactive entries", () => {
    expect(earnedOrderId("retro:m1:gid://shopify/Order/7", "m2")).toBe("gid://shopify/Order/7");
    expect(earnedOrderId("retro:m1:gid://shopify/Order/7", "m1")).toBeNull();
    expect(earnedOrderId("order:shopify:gid://shopify/Order/8:earn", "m1")).toBe("gid://shopify/Order/8");
    expect(earnedOrderId("order:nuvemshop:123:earn", null)).toBe("123");
    expect(earnedOrderId("order:shopify:gid://shopify/Order/8:reverse", null)).toBeNull();
    expect(earnedOrderId("import:m1:r1", null)).toBeNull();
  });

  it("takes earned orders out of the retroactive ones, and only those", () => {
    const orders: ClassifiedOrder[] = [
      { platformId: "o1", customerId: "c1", outcome: "retroactive", points: 10 },
      { platformId: "o2", customerId: "c1", outcome: "retroactive", points: 20 },
      { platformId: "o3", customerId: "c2", outcome: "after_cutover", points: 0 },
    ];
    expect(withoutEarnedOrders(orders, new Set(["o2", "o3"]))).toEqual([orders[0], { platformId: "o2", customerId: "c1", outcome: "already_earned", points: 0 }, orders[2]]);
    expect(orders.map((o) => withoutEarned(o, new Set(["o2", "o3"])))).toEqual(withoutEarnedOrders(orders, new Set(["o2", "o3"])));
  });
});
