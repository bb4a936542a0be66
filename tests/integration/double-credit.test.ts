/**
 * The same old-program export migrated twice in one shop (docs/decisions: already-migrated): the second
 * migration's preview shows the people the first one credited as conflicts ("already credited by
 * migration …"), apply credits nobody twice unless the merchant matches a record deliberately, orders
 * that earned retroactive points do not earn again, and rolling back the first migration lifts the
 * flags. On SQLite and PostgreSQL (DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { JobRunner } from "~/jobs/runner.server";
import { reasonView, reviewStepView } from "~/services/admin/review-step.server";
import { applyMigration, requestApply, type ApplyResult } from "~/services/apply/apply.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { conflictKindOf, decideRecord } from "~/services/reconcile/review.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { setRules } from "~/services/reconcile/rules.server";
import { requestRollback, rollbackMigration } from "~/services/rollback/rollback.server";
import type { Preview } from "~domain/reconcile/report";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { tempFile } from "../support/files";
import { applyScenario, type Scenario } from "./apply-scenario";

const SIZE = { customers: 120, orders: 400, seed: 23 };

let s: Scenario;
let second: string;

beforeAll(async () => {
  s = await applyScenario(SIZE);
}, 120_000);

afterAll(async () => {
  await s?.emulator.close();
});

/** A new migration of the shop with the same export and rules as the scenario's, reconciled. */
async function sameFileAgain(name: string): Promise<string> {
  const migration = await prisma.migration.create({
    data: {
      shopId: s.shop.id,
      name,
      oldProvider: "smile",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  const file = tempFile("smile-export.csv", demoLoyaltyExport({ ...SIZE, shopDomain: s.shop.domain }));
  const imported = await importLoyaltyFile({ shopId: s.shop.id, migrationId: migration.id, provider: "smile", fileName: "smile-export.csv", filePath: file });
  expect(imported.outcome).toBe("imported");
  expect((await setRules({ shopId: s.shop.id, migrationId: migration.id })).outcome).toBe("saved");
  return migration.id;
}

async function reconcile(migrationId: string): Promise<{ reconciliationId: string; report: Preview }> {
  const r = await reconcileMigration({ shopId: s.shop.id, migrationId });
  if (r.outcome !== "reconciled") throw new Error(`not reconciled: ${JSON.stringify(r)}`);
  return r;
}

async function apply(migrationId: string): Promise<ApplyResult> {
  const requested = await requestApply({ shopId: s.shop.id, migrationId, pilot: null });
  if (requested.outcome !== "enqueued") throw new Error(`apply refused: ${JSON.stringify(requested)}`);
  const runner = new JobRunner({
    handlers: {
      async "migration.apply"({ payload, checkpoint, progress }) {
        const result = await applyMigration({ ...payload, client: s.client, checkpoint, progress });
        if (!("stats" in result)) throw new Error(`${result.outcome}: ${result.message}`);
      },
    },
  });
  expect(await runner.runOne()).toMatchObject({ outcome: "succeeded", jobId: requested.jobId });
  const job = await prisma.job.findUniqueOrThrow({ where: { id: requested.jobId } });
  return (JSON.parse(job.checkpoint!) as { result: ApplyResult }).result;
}

/** Σ import points per member, every migration, net of reversals. */
async function importsPerMember(): Promise<Map<string, number>> {
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId: s.shop.id, OR: [{ kind: "import" }, { reverses: { kind: "import" } }] }, select: { memberId: true, points: true } });
  const out = new Map<string, number>();
  for (const e of entries) out.set(e.memberId, (out.get(e.memberId) ?? 0) + e.points);
  return out;
}

/** Orders with more than one unreversed earn entry (retroactive or live). */
async function ordersEarnedTwice(): Promise<string[]> {
  const earns = await prisma.ledgerEntry.findMany({ where: { shopId: s.shop.id, kind: "earn", reversedBy: null }, select: { idempotencyKey: true } });
  const count = new Map<string, number>();
  for (const e of earns) {
    const order = e.idempotencyKey.replace(/^retro:[^:]+:/, "");
    count.set(order, (count.get(order) ?? 0) + 1);
  }
  return [...count].filter(([, n]) => n > 1).map(([o]) => o);
}

/** Record id by row number, for the rows of a migration. */
async function recordsByRow(migrationId: string): Promise<Map<number, string>> {
  const rows = await prisma.loyaltyRecord.findMany({ where: { migrationId, status: "valid" }, select: { id: true, rowNumber: true } });
  return new Map(rows.map((r) => [r.rowNumber, r.id]));
}

/** Row number by record id. */
async function rowsById(migrationId: string): Promise<Map<string, number>> {
  return new Map([...(await recordsByRow(migrationId))].map(([row, id]) => [id, row]));
}

describe("the same export migrated twice", () => {
  it("flags whom the first migration credited, credits nobody twice, and a deliberate match once more", async () => {
    // The second migration is previewed before the first is applied: nothing to flag yet.
    second = await sameFileAgain("smile again");
    const early = await reconcile(second);
    expect(early.report.conflicts.shown.filter((c) => conflictKindOf(c.reason) === "already_migrated")).toEqual([]);
    expect(early.report.retroactive.points).toBe(s.preview.retroactive.points);

    const first = await apply(s.migrationId);
    expect(first.stats.retroactive.posted).toBeGreaterThan(0);
    expect(await prisma.ledgerEntry.count({ where: { migrationId: s.migrationId, kind: "import" } })).toBeGreaterThan(0);
    // Its preview predates the first apply: apply refuses it, writing nothing.
    expect(await requestApply({ shopId: s.shop.id, migrationId: second, pilot: null })).toMatchObject({ outcome: "stale-preview", message: expect.stringContaining('"apply test"') });
    expect(await prisma.ledgerEntry.count({ where: { migrationId: second } })).toBe(0);

    // Previewed again: the inputs changed (another migration credited points), so a new preview.
    const again = await reconcile(second);
    expect(again.reconciliationId).not.toBe(early.reconciliationId);
    const firstRows = await rowsById(s.migrationId);
    const firstMatches = (await prisma.recordMatch.findMany({ where: { reconciliationId: s.reconciliationId } })).map((m) => ({ ...m, rowNumber: firstRows.get(m.recordId)! }));
    const secondRowsById = await rowsById(second);
    const secondMatches = new Map((await prisma.recordMatch.findMany({ where: { reconciliationId: again.reconciliationId } })).map((m) => [secondRowsById.get(m.recordId)!, m]));
    const credited = firstMatches.filter((m) => (m.class === "matched" || m.class === "pending") && m.points > 0);
    expect(credited.length).toBeGreaterThan(5);
    for (const m of credited) {
      const twin = secondMatches.get(m.rowNumber)!;
      expect([twin.class, conflictKindOf(twin.reason)]).toEqual(["conflict", "already_migrated"]);
      expect(twin.reason).toContain('by migration "apply test"');
    }
    // Nothing of the second file is credited automatically; the first one's conflicts stay conflicts.
    expect(again.report.points.matched + again.report.points.pending).toBe(0);
    // The orders that earned retroactive points in the first migration do not earn again.
    expect(again.report.retroactive.points).toBe(0);
    expect(again.report.orders.byOutcome.already_earned).toBe(first.stats.retroactive.posted);

    // The review screen shows the new reason, as data its texts are made from.
    const view = await reviewStepView(s.shop.id, second, { tab: "open", kind: "already_migrated", page: 1 });
    expect(view!.kinds.already_migrated).toBeGreaterThanOrEqual(credited.length);
    const row = view!.rows[0]!;
    expect(row.reason).toMatchObject({ kind: "already_migrated", migration: "apply test", more: 0 });

    // One record matched deliberately (a different old program, says the merchant): it is credited once more.
    const matchedTwin = credited.find((m) => m.class === "matched")!;
    const secondRows = await recordsByRow(second);
    const chosenRecord = secondRows.get(matchedTwin.rowNumber)!;
    const twinReason = reasonView(secondMatches.get(matchedTwin.rowNumber)!.reason);
    expect(twinReason).toMatchObject({ kind: "already_migrated", points: expect.any(Number) });
    expect(await decideRecord({ shopId: s.shop.id, migrationId: second, recordId: chosenRecord, decision: "match", platformCustomerId: matchedTwin.platformCustomerId })).toMatchObject({ outcome: "recorded" });
    const decided = await reconcile(second);
    expect(decided.report.points.matched).toBe(matchedTwin.points);

    const before = await importsPerMember();
    const result = await apply(second);
    expect(result.stats.imports.posted).toBe(1);
    expect(result.stats.retroactive.posted).toBe(0);
    const after = await importsPerMember();
    const member = await prisma.member.findUniqueOrThrow({ where: { shopId_platformCustomerId: { shopId: s.shop.id, platformCustomerId: matchedTwin.platformCustomerId! } } });
    for (const [memberId, points] of after) {
      expect([memberId, points]).toEqual([memberId, (before.get(memberId) ?? 0) + (memberId === member.id ? matchedTwin.points : 0)]);
    }
    expect(await ordersEarnedTwice()).toEqual([]);
    expect((await checkBalances(s.shop.id)).drift).toEqual([]);
  }, 120_000);

  it("lifts the flags once the first migration is rolled back", async () => {
    const requested = await requestRollback({ shopId: s.shop.id, migrationId: s.migrationId });
    expect(requested).toMatchObject({ outcome: "enqueued" });
    const runner = new JobRunner({
      handlers: {
        async "migration.rollback"({ payload, checkpoint, progress }) {
          await rollbackMigration({ ...payload, client: s.client, checkpoint, progress });
        },
      },
    });
    expect(await runner.runOne()).toMatchObject({ outcome: "succeeded" });
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: s.migrationId } })).state).toBe("rolled_back");

    const after = await reconcile(second);
    expect(after.report.conflicts.shown.filter((c) => conflictKindOf(c.reason) === "already_migrated")).toEqual([]);
    // The records the first migration credited are matched or pending again, and its retroactive orders earn again.
    expect(after.report.points.matched + after.report.points.pending).toBe(s.preview.points.matched + s.preview.points.pending);
    expect(after.report.retroactive.points).toBe(s.preview.retroactive.points);
    expect(after.report.orders.byOutcome.already_earned).toBe(0);
  }, 120_000);
});
