import { checkApplyIdentity, type ApplyIdentity } from "~domain/apply/report";
import { pendingMemberIdPrefix } from "~domain/apply/pilot";
import prisma from "../../db.server";
import { checkBalances } from "../ledger/ledger.server";
import type { ApplyResult, PushFailure } from "./apply.server";

/**
 * The post-migration report (wizard step "Validate & relaunch", `npx carryover report`). Every figure
 * is read from the ledger and the applied preview's RecordMatch rows, never from a stored summary:
 *
 * - pointsInFile: Σ points of the migration's staged balances files (every readable row).
 * - pointsCredited: Σ points of the migration's `import` entries (key import:<migration>:<record>) and
 *   retroactive `earn` entries (key retro:<migration>:<order>) that no entry reverses.
 *   creditedMatched / creditedPending split the import part by the record's class in the applied preview.
 * - pointsPending: Σ balance of the members this migration created pending that are still pending.
 * - pointsConflict: Σ points of the preview's conflict records (never applied).
 * - pointsRejected: rejected at import + merged away by the duplicate policy + rejected in review.
 * - membersMatched: distinct members holding a not reversed import entry of a matched record;
 *   membersPending / membersRestored: members created pending by this migration, still pending /
 *   since restored (restoredAt set).
 * - pushFailures: the balances apply jobs could not write to the store (the ledger holds them).
 * The identity (domain/apply/report.ts) is checked and, when it fails, said in words.
 */
export interface MigrationReport {
  migrationId: string;
  state: string;
  reconciliationId: string | null;
  pointsInFile: number;
  pointsCredited: number;
  pointsImported: number;
  pointsRetroactive: number;
  creditedMatched: number;
  creditedPending: number;
  pointsPending: number;
  pointsConflict: number;
  pointsRejected: number;
  rejected: { atImport: number; mergedAway: number; inReview: number };
  pointsAwaitingApply: number;
  pointsReversed: { imports: number; retroactive: number };
  membersMatched: number;
  membersPending: number;
  membersRestored: number;
  recordsConflict: number;
  retroactiveEntries: number;
  applies: Array<{ jobId: string; state: string; pilot: unknown; reconciliationId: string; done: number; total: number | null; error: string | null; outcome: ApplyResult["outcome"] | null }>;
  pushFailures: { count: number; shown: Array<PushFailure & { jobId: string }> };
  balanceDrift: number;
  identity: ApplyIdentity;
}

type Num = number | bigint | null;
const num = (x: Num | undefined) => Number(x ?? 0);

interface ClassRow {
  cls: string;
  records: Num;
  points: Num;
  credited: Num;
  reversed: Num;
  awaiting: Num;
  mismatched: Num;
  members: Num;
}

export async function migrationReport(input: { shopId: string; migrationId: string }): Promise<MigrationReport | null> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId } });
  if (!migration) return null;
  const jobs = await prisma.job.findMany({ where: { kind: "migration.apply", shopId: input.shopId, dedupeKey: { startsWith: `apply:${migration.id}:` } }, orderBy: { createdAt: "asc" } });
  const applies = jobs.map((job) => {
    const payload = JSON.parse(job.payloadJson) as { reconciliationId: string; pilot: unknown };
    const checkpoint = job.checkpoint ? (JSON.parse(job.checkpoint) as { result?: ApplyResult; pushFailures?: PushFailure[]; stats?: { push: { failed: number } } }) : null;
    return { job, payload, checkpoint };
  });
  const lastDone = [...applies].reverse().find((a) => a.job.state === "succeeded");
  const reconciliationId =
    lastDone?.payload.reconciliationId ??
    (await prisma.reconciliation.findFirst({ where: { migrationId: migration.id, status: "done" }, orderBy: { createdAt: "desc" }, select: { id: true } }))?.id ??
    null;

  const files = await prisma.importFile.findMany({ where: { migrationId: migration.id, kind: "balances", status: "staged" } });
  const pointsInFile = files.reduce((s, f) => s + Number(f.pointsInFile), 0);
  const atImport = files.reduce((s, f) => s + Number(f.pointsRejected), 0);
  const mergedAway = files.reduce((s, f) => s + Number(f.pointsMergedAway), 0);

  const classes = new Map<string, ClassRow>();
  if (reconciliationId) {
    const prefix = `import:${migration.id}:`;
    const rows = await prisma.$queryRaw<ClassRow[]>`
      SELECT rm."class" AS cls,
             COUNT(*) AS records,
             COALESCE(SUM(rm."points"), 0) AS points,
             COALESCE(SUM(CASE WHEN le."id" IS NOT NULL AND rev."id" IS NULL THEN le."points" ELSE 0 END), 0) AS credited,
             COALESCE(SUM(CASE WHEN rev."id" IS NOT NULL THEN le."points" ELSE 0 END), 0) AS reversed,
             COALESCE(SUM(CASE WHEN le."id" IS NULL THEN rm."points" ELSE 0 END), 0) AS awaiting,
             COALESCE(SUM(CASE WHEN le."id" IS NOT NULL AND le."points" <> rm."points" THEN 1 ELSE 0 END), 0) AS mismatched,
             COUNT(DISTINCT CASE WHEN le."id" IS NOT NULL AND rev."id" IS NULL THEN le."memberId" END) AS members
      FROM "RecordMatch" rm
      LEFT JOIN "LedgerEntry" le ON le."shopId" = ${input.shopId} AND le."idempotencyKey" = CAST(${prefix} AS TEXT) || rm."recordId"
      LEFT JOIN "LedgerEntry" rev ON rev."reversesId" = le."id"
      WHERE rm."reconciliationId" = ${reconciliationId}
      GROUP BY rm."class"`;
    for (const r of rows) classes.set(r.cls, r);
  }
  const c = (cls: string, field: keyof Omit<ClassRow, "cls">) => num(classes.get(cls)?.[field]);

  const [imports] = await prisma.$queryRaw<Array<{ entries: Num; points: Num; credited: Num; reversed: Num }>>`
    SELECT COUNT(le."id") AS entries, COALESCE(SUM(le."points"), 0) AS points,
           COALESCE(SUM(CASE WHEN rev."id" IS NULL THEN le."points" ELSE 0 END), 0) AS credited,
           COALESCE(SUM(CASE WHEN rev."id" IS NOT NULL THEN le."points" ELSE 0 END), 0) AS reversed
    FROM "LedgerEntry" le LEFT JOIN "LedgerEntry" rev ON rev."reversesId" = le."id"
    WHERE le."migrationId" = ${migration.id} AND le."kind" = 'import' AND le."reversesId" IS NULL`;
  const [retro] = await prisma.$queryRaw<Array<{ entries: Num; credited: Num; reversed: Num }>>`
    SELECT COUNT(le."id") AS entries,
           COALESCE(SUM(CASE WHEN rev."id" IS NULL THEN le."points" ELSE 0 END), 0) AS credited,
           COALESCE(SUM(CASE WHEN rev."id" IS NOT NULL THEN le."points" ELSE 0 END), 0) AS reversed
    FROM "LedgerEntry" le LEFT JOIN "LedgerEntry" rev ON rev."reversesId" = le."id"
    WHERE le."migrationId" = ${migration.id} AND le."kind" = 'earn' AND le."reversesId" IS NULL
      AND le."idempotencyKey" LIKE ${`retro:${migration.id}:%`}`;

  const pendingPrefix = pendingMemberIdPrefix(migration.id);
  const [pending, restored] = await Promise.all([
    prisma.member.aggregate({ where: { shopId: input.shopId, id: { startsWith: pendingPrefix }, state: "pending" }, _count: true, _sum: { balance: true } }),
    prisma.member.count({ where: { shopId: input.shopId, id: { startsWith: pendingPrefix }, restoredAt: { not: null } } }),
  ]);

  const creditedMatched = c("matched", "credited");
  const creditedPending = c("pending", "credited");
  const joinedImport = ["matched", "pending", "conflict", "rejected"].reduce((s, k) => s + c(k, "credited") + c(k, "reversed"), 0);
  const inReview = c("rejected", "points");
  const pointsRejected = atImport + mergedAway + inReview;
  const drift = await checkBalances(input.shopId);

  const failures: Array<PushFailure & { jobId: string }> = [];
  let failureCount = 0;
  for (const a of applies) {
    failureCount += a.checkpoint?.stats?.push.failed ?? 0;
    for (const f of a.checkpoint?.pushFailures ?? []) if (failures.length < 200) failures.push({ ...f, jobId: a.job.id });
  }

  const identity = checkApplyIdentity({
    state: migration.state,
    pointsInFile,
    creditedMatched,
    creditedPending,
    conflictNotApplied: c("conflict", "points") - c("conflict", "credited") - c("conflict", "reversed"),
    rejected: pointsRejected - c("rejected", "credited") - c("rejected", "reversed"),
    awaitingApply: c("matched", "awaiting") + c("pending", "awaiting"),
    reversed: c("matched", "reversed") + c("pending", "reversed") + c("conflict", "reversed") + c("rejected", "reversed"),
    creditedToOtherClasses: c("conflict", "credited") + c("rejected", "credited"),
    entriesWithOtherPoints: ["matched", "pending", "conflict", "rejected"].reduce((s, k) => s + c(k, "mismatched"), 0),
    orphanImportPoints: num(imports?.points) - joinedImport,
    balanceDrift: drift.drift.length,
  });

  return {
    migrationId: migration.id,
    state: migration.state,
    reconciliationId,
    pointsInFile,
    pointsCredited: num(imports?.credited) + num(retro?.credited),
    pointsImported: num(imports?.credited),
    pointsRetroactive: num(retro?.credited),
    creditedMatched,
    creditedPending,
    pointsPending: pending._sum.balance ?? 0,
    pointsConflict: c("conflict", "points"),
    pointsRejected,
    rejected: { atImport, mergedAway, inReview },
    pointsAwaitingApply: c("matched", "awaiting") + c("pending", "awaiting"),
    pointsReversed: { imports: num(imports?.reversed), retroactive: num(retro?.reversed) },
    membersMatched: c("matched", "members"),
    membersPending: pending._count,
    membersRestored: restored,
    recordsConflict: c("conflict", "records"),
    retroactiveEntries: num(retro?.entries),
    applies: applies.map((a) => ({
      jobId: a.job.id,
      state: a.job.state,
      pilot: a.payload.pilot,
      reconciliationId: a.payload.reconciliationId,
      done: a.job.progressDone,
      total: a.job.progressTotal,
      error: a.job.error,
      outcome: a.checkpoint?.result?.outcome ?? null,
    })),
    pushFailures: { count: failureCount, shown: failures },
    balanceDrift: drift.drift.length,
    identity,
  };
}
