/**
 * Property tests of the ledger rules (issue 5, done-when): replaying any sequence of imports,
 * retroactive earns, webhook earns and cancellations, coupon refunds, restores and rollbacks —
 * with duplicates and in any order — keeps every balance equal to Σ of its entries, writes each
 * idempotency key at most once, and a rollback brings every balance back to what it was without the
 * migration (plus what was earned live since). The same model is the oracle of
 * tests/integration/ledger-properties.test.ts against the real database.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { couponRefundKey } from "../coupons/refund";
import { applyOp, LedgerModel, type LedgerOp } from "./ledger-model";

const MEMBERS = ["a", "b", "c", "d"] as const;
const MIGRATIONS = ["m1", "m2"] as const;

/** Every source has one payload: the same key always means the same member and points. */
const universeArb = fc.record({
  records: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: -500, max: 5_000 }).filter((p) => p !== 0), migration: fc.constantFrom(...MIGRATIONS) }), { minLength: 1, maxLength: 8 }),
  liveOrders: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 800 }) }), { maxLength: 5 }),
  retroOrders: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 800 }), migration: fc.constantFrom(...MIGRATIONS) }), { maxLength: 5 }),
  coupons: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 300 }), migration: fc.constantFrom(...MIGRATIONS) }), { maxLength: 4 }),
});
type Universe = typeof universeArb extends fc.Arbitrary<infer U> ? U : never;

/** Every operation the universe allows (rollbacks optional), each once. */
function allOps(u: Universe, withRollbacks: boolean): LedgerOp[] {
  return [
    ...u.records.map((r, i): LedgerOp => ({ op: "import", migration: r.migration, record: `r${i}`, member: r.member, points: r.points })),
    ...u.liveOrders.map((o, i): LedgerOp => ({ op: "earn", order: `L${i}`, member: o.member, points: o.points })),
    ...u.retroOrders.map((o, i): LedgerOp => ({ op: "retro", migration: o.migration, order: `R${i}`, member: o.member, points: o.points })),
    ...u.liveOrders.map((_, i): LedgerOp => ({ op: "cancel", order: `L${i}`, retroOf: null })),
    ...u.retroOrders.map((o, i): LedgerOp => ({ op: "cancel", order: `R${i}`, retroOf: o.migration })),
    ...u.coupons.map((c, i): LedgerOp => ({ op: "coupon", migration: c.migration, code: `cupom${i}`, member: c.member, points: c.points })),
    ...MIGRATIONS.flatMap((m) => MEMBERS.map((member): LedgerOp => ({ op: "restore", migration: m, member }))),
    ...(withRollbacks ? MIGRATIONS.map((m): LedgerOp => ({ op: "rollback", migration: m })) : []),
  ];
}

/** A sequence drawn from the ops: some left out, some repeated, in any order. */
function sequenceArb(ops: LedgerOp[]): fc.Arbitrary<LedgerOp[]> {
  if (ops.length === 0) return fc.constant([]);
  return fc.array(fc.integer({ min: 0, max: ops.length - 1 }), { maxLength: ops.length * 3 }).map((ix) => ix.map((i) => ops[i]!));
}

const withSequence = (withRollbacks: boolean) => universeArb.chain((u) => sequenceArb(allOps(u, withRollbacks)).map((seq) => ({ u, seq })));

function run(seq: readonly LedgerOp[], model = new LedgerModel()): LedgerModel {
  for (const op of seq) applyOp(model, op, couponRefundKey);
  return model;
}

function balances(model: LedgerModel): Record<string, number> {
  return Object.fromEntries(MEMBERS.map((m) => [m, model.balance(m)]));
}

function belongsTo(op: LedgerOp, migration: string): boolean {
  if (op.op === "cancel") return op.retroOf === migration;
  return "migration" in op && op.migration === migration;
}

describe("the ledger under any sequence of operations", () => {
  it("keeps balance = Σ entries, each key once, each entry reversed at most once, no reversal reversed", () => {
    fc.assert(
      fc.property(withSequence(true), ({ seq }) => {
        const model = run(seq);
        for (const m of MEMBERS) expect(model.balance(m)).toBe(model.sumOfEntries(m));
        const keys = model.entries.map((e) => e.idempotencyKey);
        expect(new Set(keys).size).toBe(keys.length);
        const reversedIds = model.entries.flatMap((e) => (e.reversesId ? [e.reversesId] : []));
        expect(new Set(reversedIds).size).toBe(reversedIds.length);
        const reversals = new Set(model.entries.filter((e) => e.reversesId).map((e) => e.id));
        expect(reversedIds.some((id) => reversals.has(id))).toBe(false);
        // A rolled-back migration counts for nothing in anyone's balance.
        for (const migration of model.rolledBack) {
          for (const m of MEMBERS) {
            expect(model.entries.filter((e) => e.memberId === m && e.migrationId === migration).reduce((s, e) => s + e.points, 0)).toBe(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("writes nothing for a delivery repeated, at once or after everything else", () => {
    fc.assert(
      fc.property(withSequence(true), ({ seq }) => {
        // Each operation delivered twice in a row is the operation delivered once.
        const once = run(seq);
        const doubled = run(seq.flatMap((op) => [op, op]));
        expect({ entries: doubled.entries.length, balances: balances(doubled) }).toEqual({ entries: once.entries.length, balances: balances(once) });
        // Replaying the whole sequence again, once the ledger has absorbed it, changes nothing. (A
        // cancellation delivered before its order's earn finds nothing to reverse; its replay after
        // the earn does reverse it — that is the order's real fate, not a double count.)
        const model = run([...seq, ...seq]);
        const before = { entries: model.entries.length, balances: balances(model) };
        run(seq, model);
        expect({ entries: model.entries.length, balances: balances(model) }).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same balances whatever the order and the repeats of credits", () => {
    fc.assert(
      fc.property(
        universeArb.chain((u) => {
          const credits = allOps(u, false).filter((op) => op.op !== "cancel");
          return fc.tuple(fc.constant(credits), fc.shuffledSubarray(credits, { minLength: credits.length, maxLength: credits.length }), sequenceArb(credits));
        }),
        ([credits, shuffled, repeats]) => {
          const canonical = balances(run(credits));
          expect(balances(run([...shuffled, ...repeats]))).toEqual(canonical);
          expect(balances(run([...repeats, ...shuffled]))).toEqual(canonical);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a rollback restores every balance to what it would be without the migration (live earnings kept)", () => {
    fc.assert(
      fc.property(withSequence(false), fc.constantFrom(...MIGRATIONS), fc.boolean(), ({ seq }, migration, twice) => {
        const rolled = run(seq);
        rolled.rollback(migration);
        if (twice) expect(rolled.rollback(migration)).toBe(0); // a replayed rollback writes nothing
        const without = run(seq.filter((op) => !belongsTo(op, migration)));
        expect(balances(rolled)).toEqual(balances(without));
        // Nothing is deleted: every entry of the migration is still there, reversed.
        const mine = rolled.entries.filter((e) => e.migrationId === migration);
        expect(mine.filter((e) => e.kind !== "rollback").length).toBeGreaterThanOrEqual(without.entries.filter((e) => e.migrationId === migration).length);
        // And replaying the migration's operations after the rollback writes nothing.
        const count = rolled.entries.length;
        run(seq.filter((op) => belongsTo(op, migration)), rolled);
        expect(rolled.entries.length).toBe(count);
      }),
      { numRuns: 300 },
    );
  });
});
