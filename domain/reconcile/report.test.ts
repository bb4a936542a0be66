import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchRecords } from "./match";
import { buildPreview, checkPreview, CONFLICTS_SHOWN, OrderTally, type Preview } from "./report";
import { cust, customersArb, decisionsArb, rec, recordsArb } from "./test-support";
import { ORDER_OUTCOMES, RECORD_CLASSES, type ClassifiedOrder, type ImportTotals, type MatchOptions, type RecordOutcome } from "./types";

const OPTIONS: MatchOptions = { platform: "shopify", matchByPlatformId: true };

function totalsFor(outcomes: readonly RecordOutcome[], rejectedAtImport: number, mergedAway: number, recordsRejected = 1): ImportTotals {
  const valid = outcomes.reduce((sum, o) => sum + o.points, 0);
  return { pointsInFile: valid + rejectedAtImport + mergedAway, pointsRejectedAtImport: rejectedAtImport, pointsMergedAway: mergedAway, recordsRejectedAtImport: recordsRejected };
}

describe("buildPreview", () => {
  const ana = cust("gid://shopify/Customer/1", { emailNormalized: "ana@x.com" });
  const bia = cust("gid://shopify/Customer/2", { emailNormalized: "bia@x.com" });
  const caio = cust("gid://shopify/Customer/3", { emailNormalized: "caio@x.com" });
  const records = [
    rec("r1", { emailNormalized: "ana@x.com", points: 500 }),
    rec("r2", { emailNormalized: "zoe@x.com", points: 40 }),
    rec("r3", { emailNormalized: "bia+promo@x.com", points: 70 }),
    rec("r4", { emailNormalized: "caio@x.com", points: 9 }),
  ];
  const outcomes = matchRecords(records, [ana, bia, caio], [{ recordId: "r4", decision: "reject", platformCustomerId: null }], OPTIONS);
  const orders: ClassifiedOrder[] = [
    { platformId: "o1", customerId: ana.platformId, outcome: "retroactive", points: 259 },
    { platformId: "o2", customerId: ana.platformId, outcome: "retroactive", points: 41 },
    { platformId: "o3", customerId: bia.platformId, outcome: "retroactive", points: 10 },
    { platformId: "o4", customerId: bia.platformId, outcome: "already_migrated", points: 0 },
    { platformId: "o5", customerId: null, outcome: "guest", points: 0 },
    { platformId: "o6", customerId: caio.platformId, outcome: "not_completed", points: 0 },
    { platformId: "o7", customerId: caio.platformId, outcome: "after_cutover", points: 0 },
  ];
  const report = buildPreview({ outcomes, orders, importTotals: { pointsInFile: 700, pointsRejectedAtImport: 60, pointsMergedAway: 21, recordsRejectedAtImport: 3 } });

  it("adds up the classes, the orders and the retroactive points", () => {
    expect(report).toEqual<Preview>({
      points: { inFile: 700, matched: 500, pending: 40, conflict: 70, rejected: { total: 90, atImport: 60, mergedAway: 21, inReview: 9 } },
      members: { records: 4, matched: 1, pending: 1, conflict: 1, rejectedInReview: 1, rejectedAtImport: 3 },
      conflicts: {
        total: 1,
        shown: [{ recordId: "r3", reason: "possible match by e-mail variant, needs review", candidates: [{ platformId: bia.platformId, key: "suggested_email" }], points: 70 }],
      },
      orders: {
        total: 7,
        byOutcome: { retroactive: 3, after_cutover: 1, already_migrated: 1, not_completed: 1, cancelled: 0, outside_window: 0, guest: 1, already_earned: 0 },
        alreadyMigrated: 1,
        ignored: 3,
      },
      retroactive: {
        orders: 3,
        points: 310,
        customers: 2,
        toMatchedCustomers: { customers: 1, points: 300 },
        toCustomersWithoutRecord: { customers: 1, points: 10 },
      },
    });
    expect(checkPreview(report)).toBeNull();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("gives the same preview, byte for byte, from orders counted one at a time (OrderTally)", () => {
    const tally = new OrderTally();
    for (const o of orders) tally.add(o);
    const streamed = buildPreview({ outcomes, orders: tally, importTotals: { pointsInFile: 700, pointsRejectedAtImport: 60, pointsMergedAway: 21, recordsRejectedAtImport: 3 } });
    expect(JSON.stringify(streamed)).toBe(JSON.stringify(report));
  });

  it("says in words which identity is broken", () => {
    expect(checkPreview({ ...report, points: { ...report.points, inFile: 701 } })).toBe("points in the file (701) ≠ matched 500 + pending 40 + conflict 70 + rejected 90 = 700");
    expect(checkPreview({ ...report, points: { ...report.points, rejected: { ...report.points.rejected, total: 91 } } })).toContain("rejected points (91) ≠ rejected at import 60");
    expect(checkPreview({ ...report, members: { ...report.members, records: 5 } })).toContain("records (5) ≠ matched 1");
    expect(checkPreview({ ...report, orders: { ...report.orders, total: 8 } })).toContain("orders (8)");
    expect(checkPreview({ ...report, retroactive: { ...report.retroactive, points: 1 } })).toContain("retroactive points (1)");
  });

  it("lists the first conflicts by record id, and counts them all", () => {
    const many = Array.from({ length: 250 }, (_, i) => rec(`r${String(249 - i).padStart(3, "0")}`, { phoneE164: "+5511900000001" }));
    const twins = [cust("a", { phoneE164: "+5511900000001" }), cust("b", { phoneE164: "+5511900000001" })];
    const out = matchRecords(many, twins, [], OPTIONS);
    const preview = buildPreview({ outcomes: out, orders: [], importTotals: totalsFor(out, 0, 0) });
    expect(preview.conflicts.total).toBe(250);
    expect(preview.conflicts.shown).toHaveLength(CONFLICTS_SHOWN);
    expect(preview.conflicts.shown[0]!.recordId).toBe("r000");
    expect(preview.conflicts.shown.at(-1)!.recordId).toBe("r099");
    expect(checkPreview(preview)).toBeNull();
  });
});

// ------------------------------------------------------------------------------ properties

const ordersArb = fc.array(
  fc.record({
    customer: fc.option(fc.integer({ min: 1, max: 10 }), { freq: 5 }),
    outcome: fc.constantFrom(...ORDER_OUTCOMES),
    points: fc.nat({ max: 5000 }),
  }),
  { minLength: 1, maxLength: 20 },
);

const stateArb = fc
  .tuple(recordsArb, customersArb)
  .chain(([records, customers]) =>
    fc.tuple(fc.constant(records), fc.constant(customers), decisionsArb(records, customers), ordersArb, fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 })),
  )
  .map(([records, customers, decisions, rawOrders, rejectedAtImport, mergedAway]) => {
    const orders: ClassifiedOrder[] = rawOrders.map((o, i) => {
      const customerId = o.outcome === "guest" || o.customer === null ? null : `gid://shopify/Customer/${o.customer}`;
      const outcome = customerId === null && o.outcome === "retroactive" ? "guest" : o.outcome;
      return { platformId: `o${i}`, customerId, outcome, points: outcome === "retroactive" ? o.points : 0 };
    });
    return { records, customers, decisions, orders, rejectedAtImport, mergedAway };
  });

describe("preview properties", () => {
  it("conserves points: in the file = matched + pending + conflict + rejected, and every record is in exactly one class", () => {
    fc.assert(
      fc.property(stateArb, ({ records, customers, decisions, orders, rejectedAtImport, mergedAway }) => {
        const outcomes = matchRecords(records, customers, decisions, OPTIONS);
        const report = buildPreview({ outcomes, orders, importTotals: totalsFor(outcomes, rejectedAtImport, mergedAway) });
        expect(checkPreview(report)).toBeNull();
        const p = report.points;
        expect(p.matched + p.pending + p.conflict + p.rejected.total).toBe(p.inFile);
        const byClass = RECORD_CLASSES.map((cls) => outcomes.filter((o) => o.class === cls).map((o) => o.recordId));
        const all = byClass.flat();
        expect(all.sort()).toEqual(records.map((r) => r.id).sort());
        expect(new Set(all).size).toBe(records.length);
        expect(report.retroactive.points).toBe(orders.reduce((sum, o) => sum + (o.outcome === "retroactive" ? o.points : 0), 0));
      }),
    );
  });

  it("counting the orders one at a time (OrderTally), in any order, gives the same JSON as the array", () => {
    fc.assert(
      fc.property(stateArb, fc.infiniteStream(fc.nat()), ({ records, customers, decisions, orders, rejectedAtImport, mergedAway }, keys) => {
        const outcomes = matchRecords(records, customers, decisions, OPTIONS);
        const importTotals = totalsFor(outcomes, rejectedAtImport, mergedAway);
        const tally = new OrderTally();
        const shuffled = orders.map((o) => ({ o, k: keys.next().value as number })).sort((a, b) => a.k - b.k);
        for (const { o } of shuffled) tally.add(o);
        expect(JSON.stringify(buildPreview({ outcomes, orders: tally, importTotals }))).toBe(JSON.stringify(buildPreview({ outcomes, orders, importTotals })));
      }),
    );
  });

  it("is deterministic: the same inputs, in any order, give the same JSON", () => {
    fc.assert(
      fc.property(
        stateArb.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(s.customers, { minLength: s.customers.length }),
            fc.shuffledSubarray(s.orders, { minLength: s.orders.length }),
          ),
        ),
        ([s, shuffledCustomers, shuffledOrders]) => {
          const totals = totalsFor(matchRecords(s.records, s.customers, s.decisions, OPTIONS), s.rejectedAtImport, s.mergedAway);
          const build = (customers: typeof s.customers, orders: typeof s.orders) =>
            JSON.stringify(buildPreview({ outcomes: matchRecords(s.records, customers, s.decisions, OPTIONS), orders, importTotals: totals }));
          const first = build(s.customers, s.orders);
          expect(build(s.customers, s.orders)).toBe(first);
          expect(build(shuffledCustomers, shuffledOrders)).toBe(first);
        },
      ),
    );
  });

  it("a tampered total is always caught", () => {
    fc.assert(
      fc.property(stateArb, fc.integer({ min: 1, max: 1000 }), fc.constantFrom("matched", "pending", "conflict"), (s, delta, cls) => {
        const outcomes = matchRecords(s.records, s.customers, s.decisions, OPTIONS);
        const report = buildPreview({ outcomes, orders: s.orders, importTotals: totalsFor(outcomes, s.rejectedAtImport, s.mergedAway) });
        const tampered: Preview = { ...report, points: { ...report.points, [cls]: report.points[cls] + delta } };
        expect(checkPreview(tampered)).toContain("points in the file");
      }),
    );
  });
});
