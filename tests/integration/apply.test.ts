import { REASONS } from "~domain/reconcile/match";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { JobRunner } from "~/jobs/runner.server";
import type { PlatformClient } from "~/platforms/platform-client";
import { applyMigration, requestApply, type ApplyResult } from "~/services/apply/apply.server";
import { migrationReport } from "~/services/apply/report.server";
import { checkBalances, postEntry, withLedger } from "~/services/ledger/ledger.server";
import { pendingMemberIdPrefix, selectPilot } from "~domain/apply/pilot";
import { applyScenario, ledgerPicture, storedPoints, type Scenario } from "./apply-scenario";

const SIZE = { customers: 400, orders: 1200, seed: 11 };

let s: Scenario;
/** The pilot's customers and the retroactive entries the pilot wrote for them. */
const pilotCustomers = new Set<string | null>();
let pilotRetroKeys: string[] = [];

beforeAll(async () => {
  s = await applyScenario(SIZE);
}, 120_000);

afterAll(async () => {
  await s?.emulator.close();
});

/** Runs the migration's queued apply job in this process, with the scenario's client. */
async function runApplyJob(jobId: string, client: PlatformClient = s.client) {
  const runner = new JobRunner({
    handlers: {
      async "migration.apply"({ payload, checkpoint, progress }) {
        const result = await applyMigration({ ...payload, client, checkpoint, progress });
        if (!("stats" in result)) throw new Error(`${result.outcome}: ${result.message}`);
      },
    },
  });
  expect(await runner.runOne()).toMatchObject({ outcome: "succeeded", jobId });
  const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
  return (JSON.parse(job.checkpoint!) as { result: ApplyResult }).result;
}

async function state() {
  return (await prisma.migration.findUniqueOrThrow({ where: { id: s.migrationId } })).state;
}

async function expectStoreHoldsBalances(memberIds?: string[]) {
  const members = await prisma.member.findMany({ where: { shopId: s.shop.id, state: "visible", ...(memberIds ? { id: { in: memberIds } } : {}) } });
  expect(members.length).toBeGreaterThan(0);
  const wrong = members.filter((m) => storedPoints(s.emulator, m.platformCustomerId!) !== m.balance);
  expect(wrong.map((m) => [m.platformCustomerId, m.balance, storedPoints(s.emulator, m.platformCustomerId!)])).toEqual([]);
}

describe("apply: a pilot, then the rest", () => {
  it("refuses a stale preview, and a preview whose orders changed, writing nothing", async () => {
    // A review decision taken after the preview: the preview no longer says what apply would do.
    const conflict = await prisma.recordMatch.findFirstOrThrow({ where: { reconciliationId: s.reconciliationId, class: "conflict" } });
    const decision = await prisma.reviewDecision.create({ data: { shopId: s.shop.id, migrationId: s.migrationId, recordId: conflict.recordId, decision: "reject" } });
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: null })).toMatchObject({ outcome: "stale-preview", message: expect.stringContaining("review decision") });
    await prisma.reviewDecision.delete({ where: { id: decision.id } });

    // A decision the preview shows, withdrawn since: apply would write what the merchant took back.
    const shown = await prisma.recordMatch.update({ where: { id: conflict.id }, data: { class: "rejected", reason: REASONS.rejectedInReview } });
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: null })).toMatchObject({ outcome: "stale-preview", message: expect.stringContaining("withdrawn") });
    await prisma.recordMatch.update({ where: { id: shown.id }, data: { class: conflict.class, reason: conflict.reason } });

    // A preview that is not the latest one.
    const older = await prisma.reconciliation.create({ data: { shopId: s.shop.id, migrationId: s.migrationId, inputsHash: "old", status: "done", createdAt: new Date("2020-01-01T00:00:00Z") } });
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, reconciliationId: older.id, pilot: null })).toMatchObject({ outcome: "stale-preview" });

    // An order of the retroactive window cancelled since the preview: the job refuses before writing.
    const order = await prisma.platformOrder.findFirstOrThrow({
      where: { shopId: s.shop.id, placedAt: { gte: new Date("2026-09-01T00:00:00Z"), lt: new Date("2026-10-01T00:00:00Z") }, cancelledAt: null, financialStatus: "PAID", platformCustomerId: { not: null } },
    });
    await prisma.platformOrder.update({ where: { id: order.id }, data: { cancelledAt: new Date("2026-09-30T00:00:00Z") } });
    const refused = await applyMigration({ shopId: s.shop.id, migrationId: s.migrationId, reconciliationId: s.reconciliationId, pilot: null, client: s.client, checkpoint: null, progress: async () => {} });
    expect(refused).toMatchObject({ outcome: "stale-preview", message: expect.stringContaining("orders or the rules changed") });
    await prisma.platformOrder.update({ where: { id: order.id }, data: { cancelledAt: null } });

    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: { percent: 0 } })).toMatchObject({ outcome: "invalid-pilot" });
    expect(await prisma.ledgerEntry.count({ where: { shopId: s.shop.id } })).toBe(0);
    expect(await state()).toBe("previewed");
  }, 60_000);

  it("applies a pilot of 20% of the matched records, the same ones every time, and pushes their balances", async () => {
    // A customer who already has a member (another migration): apply reuses it.
    const someMatch = await prisma.recordMatch.findFirstOrThrow({ where: { reconciliationId: s.reconciliationId, class: "matched" }, orderBy: { recordId: "desc" } });
    const existing = await prisma.member.create({ data: { shopId: s.shop.id, platformCustomerId: someMatch.platformCustomerId, state: "visible", tier: "Diamante" } });
    await withLedger((tx) => postEntry(tx, { shopId: s.shop.id, memberId: existing.id, kind: "adjust", points: 5, idempotencyKey: "adjust:apply-test-earlier", sourceRef: "earlier migration" }));

    const matched = await prisma.recordMatch.findMany({ where: { reconciliationId: s.reconciliationId, class: "matched" }, select: { recordId: true, platformCustomerId: true } });
    const expected = selectPilot(matched.map((m) => m.recordId), { percent: 20 });
    expect(expected).toHaveLength(Math.ceil(matched.length / 5));

    const request = await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: { percent: 20 } });
    if (request.outcome !== "enqueued") throw new Error(JSON.stringify(request));
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: { percent: 20 } })).toMatchObject({ outcome: "already-running", jobId: request.jobId });
    const result = await runApplyJob(request.jobId);
    expect(result).toMatchObject({ outcome: "piloted", stats: { records: { matched: expected.length, pending: 0 }, push: { failed: 0 } } });
    expect(await state()).toBe("piloted");

    const imports = await prisma.ledgerEntry.findMany({ where: { migrationId: s.migrationId, kind: "import" } });
    const withPoints = await prisma.loyaltyRecord.count({ where: { id: { in: expected }, points: { not: 0 } } });
    expect(imports).toHaveLength(withPoints);
    expect(new Set(imports.map((e) => e.idempotencyKey.split(":")[2]))).toEqual(new Set((await prisma.loyaltyRecord.findMany({ where: { id: { in: expected }, points: { not: 0 } }, select: { id: true } })).map((r) => r.id)));
    // Retroactive points only for the pilot's customers.
    for (const m of matched) if (expected.includes(m.recordId)) pilotCustomers.add(m.platformCustomerId);
    const retro = await prisma.ledgerEntry.findMany({ where: { migrationId: s.migrationId, kind: "earn" }, include: { member: true } });
    expect(retro.every((e) => pilotCustomers.has(e.member.platformCustomerId))).toBe(true);
    pilotRetroKeys = retro.map((e) => e.idempotencyKey).sort();
    expect(await prisma.member.count({ where: { shopId: s.shop.id, state: "pending" } })).toBe(0);

    expect(await prisma.member.count({ where: { shopId: s.shop.id, platformCustomerId: someMatch.platformCustomerId } })).toBe(1);
    await expectStoreHoldsBalances([...new Set([...imports, ...retro].map((e) => e.memberId))]);
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: { count: 3 } })).toMatchObject({ outcome: "already-piloted" });

    const report = await migrationReport({ shopId: s.shop.id, migrationId: s.migrationId });
    expect(report?.identity.holds).toBe(true);
    expect(report?.pointsAwaitingApply).toBeGreaterThan(0);
  }, 120_000);

  it("applies the rest: every matched and pending record, retroactive points, balances on the store, no drift", async () => {
    const request = await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: null });
    if (request.outcome !== "enqueued") throw new Error(JSON.stringify(request));
    const result = await runApplyJob(request.jobId);
    expect(result.outcome).toBe("applied");
    expect(result.conflicts).toEqual({ records: s.preview.members.conflict, points: s.preview.points.conflict });
    expect(await state()).toBe("applied");

    const p = s.preview;
    const imports = await prisma.ledgerEntry.aggregate({ where: { migrationId: s.migrationId, kind: "import" }, _sum: { points: true } });
    expect(imports._sum.points).toBe(p.points.matched + p.points.pending);
    const retro = await prisma.ledgerEntry.aggregate({ where: { migrationId: s.migrationId, kind: "earn" }, _sum: { points: true }, _count: true });
    expect(retro._sum.points).toBe(p.retroactive.points);
    // The pilot gave its customers all their retroactive points: the rest wrote none more for them.
    const pilotRetroNow = await prisma.ledgerEntry.findMany({ where: { migrationId: s.migrationId, kind: "earn", member: { platformCustomerId: { in: [...pilotCustomers].filter((c): c is string => c !== null) } } } });
    expect(pilotRetroNow.map((e) => e.idempotencyKey).sort()).toEqual(pilotRetroKeys);
    const pending = await prisma.member.findMany({ where: { shopId: s.shop.id, state: "pending" } });
    expect(pending).toHaveLength(p.members.pending);
    expect(pending.every((m) => m.platformCustomerId === null && m.id.startsWith(pendingMemberIdPrefix(s.migrationId)))).toBe(true);
    expect(pending.reduce((sum, m) => sum + m.balance, 0)).toBe(p.points.pending);
    expect(await checkBalances(s.shop.id)).toMatchObject({ drift: [] });
    await expectStoreHoldsBalances();

    // The member of another migration kept its own entry and got this one's on top.
    const reused = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, tier: "Diamante" }, include: { ledgerEntries: true } });
    expect(reused.ledgerEntries.map((e) => e.kind).sort()).toEqual(expect.arrayContaining(["adjust", "import"]));

    const report = await migrationReport({ shopId: s.shop.id, migrationId: s.migrationId });
    expect(report).toMatchObject({
      pointsInFile: p.points.inFile,
      creditedMatched: p.points.matched,
      creditedPending: p.points.pending,
      pointsPending: p.points.pending,
      pointsConflict: p.points.conflict,
      pointsRejected: p.points.rejected.total,
      pointsRetroactive: p.retroactive.points,
      pointsCredited: p.points.matched + p.points.pending + p.retroactive.points,
      pointsAwaitingApply: 0,
      membersPending: p.members.pending,
      membersRestored: 0,
      balanceDrift: 0,
      identity: { holds: true, problems: [] },
    });
    expect(report!.membersMatched).toBeGreaterThan(0);
    expect(await requestApply({ shopId: s.shop.id, migrationId: s.migrationId, pilot: null })).toMatchObject({ outcome: "already-applied" });
  }, 120_000);

  it("replaying the whole apply changes nothing; a push failure is recorded and undoes nothing", async () => {
    const before = await ledgerPicture(s.shop.id, s.migrationId);
    // The job ran again from nothing (its checkpoint lost), and this time the store refuses some balances.
    await prisma.migration.update({ where: { id: s.migrationId }, data: { state: "applying" } });
    const refusing: PlatformClient = Object.assign(Object.create(s.client) as PlatformClient, {
      async writeBalances(balances: Parameters<PlatformClient["writeBalances"]>[0]) {
        const [first, ...rest] = balances;
        const written = await s.client.writeBalances(rest);
        return { written: written.written, failed: [...written.failed, ...(first ? [{ customerId: first.customerId, message: "emulated refusal" }] : [])] };
      },
    });
    const replay = await applyMigration({ shopId: s.shop.id, migrationId: s.migrationId, reconciliationId: s.reconciliationId, pilot: null, client: refusing, checkpoint: null, progress: async () => {} });
    if (!("stats" in replay)) throw new Error(JSON.stringify(replay));
    expect(replay.stats.imports.posted).toBe(0);
    expect(replay.stats.retroactive.posted).toBe(0);
    expect(replay.stats.members.createdVisible + replay.stats.members.createdPending).toBe(0);
    expect(replay.stats.push.failed).toBeGreaterThan(0);
    expect(replay.pushFailures[0]).toEqual({ customerId: expect.stringMatching(/^gid:\/\/shopify\/Customer\//), message: "emulated refusal" });
    expect(await ledgerPicture(s.shop.id, s.migrationId)).toEqual(before);
    expect(await state()).toBe("applied");
    expect(await checkBalances(s.shop.id)).toMatchObject({ drift: [] });
  }, 120_000);

  it("the report says in words when the points do not add up", async () => {
    // A record's import entry is rolled back outside the report's knowledge: simulated by a second, bogus import entry.
    const member = await prisma.member.findFirstOrThrow({ where: { shopId: s.shop.id, state: "visible" } });
    await withLedger((tx) => postEntry(tx, { shopId: s.shop.id, memberId: member.id, migrationId: s.migrationId, kind: "import", points: 77, idempotencyKey: `import:${s.migrationId}:not-a-record`, sourceRef: "nowhere" }));
    const report = await migrationReport({ shopId: s.shop.id, migrationId: s.migrationId });
    expect(report?.identity.holds).toBe(false);
    expect(report?.identity.problems).toContain("77 points were imported for records the applied preview does not hold");
  });
});
