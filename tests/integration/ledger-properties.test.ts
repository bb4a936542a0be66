/**
 * Property test of the ledger against the real database (issue 5, done-when), on SQLite and
 * PostgreSQL: random sequences of imports, retroactive earns, live earns, cancellations, coupon
 * refunds and restores — with duplicates, run concurrently (Promise.all) — then a rollback racing
 * live earnings and a second rollback, then a replay of everything. Checked against the pure model
 * (domain/rollback/ledger-model.ts): same balances, no drift between Member.balance and Σ entries,
 * each key once, each entry reversed at most once, and the rollback leaves every balance as it would
 * be without the migration. The writes are apply's and the webhooks' ledger operations (postEntry /
 * postReversal with their keys, in withLedger) and the real rollback service.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { checkBalances, postEntry, postReversal, withLedger } from "~/services/ledger/ledger.server";
import { rollbackMigration } from "~/services/rollback/rollback.server";
import { couponRefundKey } from "~domain/coupons/refund";
import { LedgerRuleError } from "~domain/ledger";
import { applyOp, LedgerModel, opWrite, type LedgerOp } from "~domain/rollback/ledger-model";
import { uniqueShop } from "../support/webhooks";

const MEMBERS = ["a", "b", "c", "d"] as const;
const MIGRATIONS = ["m1", "m2"] as const;
const RUNS = Number(process.env.LEDGER_PROPERTY_RUNS ?? 15);
const quietClient = { platform: "shopify", writeBalances: async (b: unknown[]) => ({ written: b.length, failed: [] }) } as unknown as PlatformClient;

const scenarioArb = fc
  .record({
    records: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: -300, max: 5_000 }).filter((p) => p !== 0), migration: fc.constantFrom(...MIGRATIONS) }), { minLength: 1, maxLength: 8 }),
    live: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 800 }) }), { maxLength: 4 }),
    retro: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 800 }), migration: fc.constantFrom(...MIGRATIONS) }), { maxLength: 4 }),
    coupons: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 300 }), migration: fc.constantFrom(...MIGRATIONS) }), { maxLength: 3 }),
    laterEarns: fc.array(fc.record({ member: fc.constantFrom(...MEMBERS), points: fc.integer({ min: 1, max: 500 }) }), { maxLength: 3 }),
  })
  .chain((u) => {
    const credits: LedgerOp[] = [
      ...u.records.map((r, i): LedgerOp => ({ op: "import", migration: r.migration, record: `r${i}`, member: r.member, points: r.points })),
      ...u.live.map((o, i): LedgerOp => ({ op: "earn", order: `L${i}`, member: o.member, points: o.points })),
      ...u.retro.map((o, i): LedgerOp => ({ op: "retro", migration: o.migration, order: `R${i}`, member: o.member, points: o.points })),
      ...u.coupons.map((c, i): LedgerOp => ({ op: "coupon", migration: c.migration, code: `CUPOM${i}`, member: c.member, points: c.points })),
      ...MIGRATIONS.flatMap((m) => MEMBERS.map((member): LedgerOp => ({ op: "restore", migration: m, member }))),
    ];
    const cancels: LedgerOp[] = [
      ...u.live.map((_, i): LedgerOp => ({ op: "cancel", order: `L${i}`, retroOf: null })),
      ...u.retro.map((o, i): LedgerOp => ({ op: "cancel", order: `R${i}`, retroOf: o.migration })),
    ];
    const later = u.laterEarns.map((o, i): LedgerOp => ({ op: "earn", order: `N${i}`, member: o.member, points: o.points }));
    const pick = (ops: LedgerOp[], max: number) => (ops.length === 0 ? fc.constant([] as LedgerOp[]) : fc.array(fc.constantFrom(...ops), { maxLength: max }));
    return fc.record({
      // Every credit at least once, some several times, in any order.
      phase1: fc.tuple(fc.shuffledSubarray(credits, { minLength: credits.length, maxLength: credits.length }), pick(credits, 10)).chain(([all, dupes]) => fc.shuffledSubarray([...all, ...dupes], { minLength: all.length + dupes.length, maxLength: all.length + dupes.length })),
      phase2: pick(cancels, 8),
      later: fc.constant(later),
      rollback: fc.constantFrom(...MIGRATIONS),
    });
  });

function belongsTo(op: LedgerOp, migration: string): boolean {
  if (op.op === "cancel") return op.retroOf === migration;
  return "migration" in op && op.migration === migration;
}

/** Runs ops in concurrent groups of up to `width`. */
async function concurrently<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(run));
}

describe("the ledger against the database, under random concurrent sequences", () => {
  it("matches the model: balances, no drift, keys once, a rollback restores balances without the migration", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ phase1, phase2, later, rollback }) => {
        const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("prop") } });
        const migrationIds: Record<string, string> = {};
        for (const m of MIGRATIONS) migrationIds[m] = (await prisma.migration.create({ data: { shopId: shop.id, name: m, state: "applied" } })).id;
        const memberIds: Record<string, string> = {};
        for (const [i, m] of MEMBERS.entries()) {
          memberIds[m] = (await prisma.member.create({ data: { shopId: shop.id, state: i < 2 ? "visible" : "pending", platformCustomerId: i < 2 ? `gid://shopify/Customer/${i + 1}` : null } })).id;
        }
        const couponKey = (migration: string, code: string) => couponRefundKey(migrationIds[migration]!, code);

        const exec = async (op: LedgerOp) => {
          const w = opWrite(op, couponKey);
          if (w.write === "rollback") throw new Error("rollbacks go through the service");
          if (w.write === "entry") {
            await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: memberIds[w.memberId]!, migrationId: w.migrationId && migrationIds[w.migrationId]!, kind: w.kind, points: w.points, idempotencyKey: w.idempotencyKey, sourceRef: op.op }));
            return;
          }
          await withLedger(async (tx) => {
            const original = await tx.ledgerEntry.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey: w.originalKey } } });
            if (!original) return; // cancelled before it earned: nothing to reverse
            try {
              await postReversal(tx, { shopId: shop.id, originalId: original.id, kind: "reverse", idempotencyKey: w.idempotencyKey, sourceRef: "cancel" });
            } catch (error) {
              if (!(error instanceof LedgerRuleError)) throw error; // already reversed (by the rollback): refused, as in the model
            }
          });
        };

        await concurrently(phase1, 8, exec);
        await concurrently(phase2, 8, exec);
        const before = await prisma.member.findMany({ where: { shopId: shop.id }, select: { id: true, balance: true } });
        const rolled = migrationIds[rollback]!;
        const [first, second] = await Promise.all([
          rollbackMigration({ shopId: shop.id, migrationId: rolled, client: quietClient, batchSize: 3 }),
          rollbackMigration({ shopId: shop.id, migrationId: rolled, client: quietClient, batchSize: 2 }),
          ...later.map(exec),
        ]);
        expect([first!.outcome, second!.outcome].sort()).toEqual(expect.arrayContaining(["rolled-back"]));
        // A replay of everything, and of the rollback, writes nothing.
        const entries = await prisma.ledgerEntry.count({ where: { shopId: shop.id } });
        await concurrently([...phase1, ...phase2, ...later], 8, exec);
        expect((await rollbackMigration({ shopId: shop.id, migrationId: rolled, client: quietClient })).outcome).toBe("already-rolled-back");
        expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id } })).toBe(entries);

        // The model, fed the same operations in one order (within a phase they commute).
        const model = new LedgerModel();
        for (const op of [...phase1, ...phase2]) applyOp(model, op, couponKey);
        model.rollback(rollback);
        for (const op of [...later, ...phase1, ...phase2, ...later]) applyOp(model, op, couponKey);
        const without = new LedgerModel();
        for (const op of [...phase1, ...phase2, ...later].filter((op) => !belongsTo(op, rollback))) applyOp(without, op, couponKey);

        const db = await prisma.ledgerEntry.findMany({ where: { shopId: shop.id }, select: { memberId: true, migrationId: true, points: true, idempotencyKey: true, reversesId: true, kind: true } });
        const members = await prisma.member.findMany({ where: { shopId: shop.id }, select: { id: true, balance: true } });
        const balanceOf = (name: string) => members.find((m) => m.id === memberIds[name])!.balance;
        for (const m of MEMBERS) {
          expect(balanceOf(m)).toBe(model.balance(m));
          expect(balanceOf(m)).toBe(without.balance(m));
          // What the rollback took from each member is exactly what the migration had given them.
          const given = db.filter((e) => e.memberId === memberIds[m] && e.migrationId === rolled && e.kind !== "rollback").reduce((s, e) => s + e.points, 0);
          const taken = db.filter((e) => e.memberId === memberIds[m] && e.kind === "rollback").reduce((s, e) => s + e.points, 0);
          expect(taken + given).toBe(0);
          const liveLater = later.filter((op) => op.op === "earn" && op.member === m).reduce((s, op) => s + (op.op === "earn" ? op.points : 0), 0);
          expect(balanceOf(m)).toBe(before.find((x) => x.id === memberIds[m])!.balance - given + liveLater);
        }
        expect(db.length).toBe(model.entries.length);
        expect(new Set(db.map((e) => e.idempotencyKey)).size).toBe(db.length);
        const reversed = db.flatMap((e) => (e.reversesId ? [e.reversesId] : []));
        expect(new Set(reversed).size).toBe(reversed.length);
        expect((await checkBalances(shop.id)).drift).toEqual([]);
        expect((await prisma.migration.findUniqueOrThrow({ where: { id: rolled } })).state).toBe("rolled_back");
      }),
      { numRuns: RUNS },
    );
  }, 900_000);
});
