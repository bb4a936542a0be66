import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Job, Shop } from "@prisma/client";
import { stringify } from "csv-stringify";
import { pendingMemberIdPrefix } from "~domain/apply/pilot";
import type { Formatter, MessageKey } from "../../i18n";
import prisma from "../../db.server";
import type { ApplyResult, PushFailure } from "../apply/apply.server";
import { migrationReport, type MigrationReport } from "../apply/report.server";
import { findMigration } from "../migrations.server";
import { requestRollback, rollbackReport, type RollbackReport, type RollbackRequestOutcome } from "../rollback/rollback.server";
import { jobProgress, type JobProgress } from "../sync/sync-requests.server";
import {
  downloadName,
  EXCEPTION_COLUMNS,
  exceptionCells,
  identityTerms,
  RESTORED_COLUMNS,
  restoredMemberCells,
  restoreSeries,
  type ExceptionLine,
  type IdentityTerms,
  type RestoreSeries,
} from "./report-step";

/**
 * The wizard's Report step (issue 6, "Validate & relaunch"): migrationReport's figures and its
 * identity, restores since the apply, the two downloads, and the rollback (requestRollback, its
 * job's progress, rollbackReport) — the same services as `npx carryover report | rollback`.
 */

const FAILURES_SHOWN = 50;
// Pages of 500: pages go into `IN (…)` lists, and Prisma on SQLite binds at most 999 parameters per query.
const PAGE = 500;
const ACTIVE = ["queued", "running"];
const UNDOABLE = ["applied", "piloted"];

type Num = number | bigint | null;
const num = (x: Num | undefined) => Number(x ?? 0);

/** What a rollback would do now (decision 0013), read from the ledger: said in the confirmation. */
export interface RollbackPlan {
  /** Entries of the migration that still move points, each to get one reversal; the points they moved. */
  entries: number;
  points: number;
  /** Members holding them; of them, pending (stay invisible with their history) and visible (balances pushed back). */
  members: number;
  visibleMembers: number;
  pendingMembers: number;
  /** Members who spent migrated points since: their balance goes below zero (not clamped). */
  belowZero: number;
  /** Points those members earned on the new store since (not the migration's): kept. */
  keptEarned: { entries: number; points: number };
}

export interface ReportStepView {
  name: string;
  state: string;
  platform: string;
  shopDomain: string;
  /**
   * The figures, read from the whole ledger (migrationReport checks every balance of the shop): null
   * while a rollback job runs, when they move under the merchant's eyes and the screen polls every second.
   */
  figures: { report: MigrationReport; identity: IdentityTerms; restores: RestoreSeries & { since: string | null } } | null;
  rollback: {
    /** A rollback may be asked for (applied or piloted). */
    open: boolean;
    plan: RollbackPlan | null;
    job: { id: string; progress: JobProgress; finishedAt: string | null } | null;
    /** What the rollback did (rolling back or rolled back). */
    result: RollbackReport | null;
  };
  /** A rollback job is queued or running: the screen polls. */
  working: boolean;
}

/** The Report step's view; null for another shop's (or no) migration. */
export async function reportStepView(shop: Pick<Shop, "id" | "platform" | "domain">, migrationId: string, today = new Date()): Promise<ReportStepView | null> {
  const m = await findMigration(shop.id, migrationId);
  if (!m) return null;
  const rollbackJob = await prisma.job.findFirst({ where: { shopId: shop.id, kind: "migration.rollback", dedupeKey: { startsWith: `migration.rollback:${m.id}` } }, orderBy: { createdAt: "desc" } });
  const working = rollbackJob !== null && ACTIVE.includes(rollbackJob.state);
  const [figures, plan, result] = await Promise.all([
    working ? null : reportFigures(shop.id, m.id, today),
    UNDOABLE.includes(m.state) ? rollbackPlan(shop.id, m.id) : null,
    m.state === "rolling_back" || m.state === "rolled_back" ? rollbackReport(shop.id, m.id) : null,
  ]);
  return {
    name: m.name,
    state: m.state,
    platform: shop.platform,
    shopDomain: shop.domain,
    figures,
    rollback: {
      open: UNDOABLE.includes(m.state),
      plan,
      job: rollbackJob && { id: rollbackJob.id, progress: jobProgress(rollbackJob), finishedAt: rollbackJob.finishedAt?.toISOString() ?? null },
      result,
    },
    working,
  };
}

async function reportFigures(shopId: string, migrationId: string, today: Date): Promise<NonNullable<ReportStepView["figures"]>> {
  const [report, stillPending, restores] = await Promise.all([
    migrationReport({ shopId, migrationId }),
    prisma.ledgerEntry.aggregate({ where: { shopId, migrationId, kind: "import", reversedBy: { is: null }, member: { is: { state: "pending" } } }, _sum: { points: true } }),
    restoresSince(shopId, migrationId, today),
  ]);
  if (!report) throw new Error(`migration ${migrationId} disappeared while its report was read`);
  const identity = identityTerms({
    pointsInFile: report.pointsInFile,
    creditedMatched: report.creditedMatched,
    creditedPending: report.creditedPending,
    creditedStillPending: stillPending._sum.points ?? 0,
    pointsConflict: report.pointsConflict,
    pointsRejected: report.pointsRejected,
    pointsAwaitingApply: report.pointsAwaitingApply,
    reversedImports: report.pointsReversed.imports,
    checked: report.identity.holds,
  });
  return { report: { ...report, pushFailures: { count: report.pushFailures.count, shown: report.pushFailures.shown.slice(0, FAILURES_SHOWN) } }, identity, restores };
}

/** Pending members of the migration restored since (they registered), by day, with the points they carried. */
async function restoresSince(shopId: string, migrationId: string, today: Date): Promise<RestoreSeries & { since: string | null }> {
  const prefix = pendingMemberIdPrefix(migrationId);
  const applied = await firstFullApply(shopId, migrationId);
  const restored: Array<{ id: string; restoredAt: Date | null }> = [];
  let after: string | null = null;
  for (;;) {
    const page: Array<{ id: string; restoredAt: Date | null }> = await prisma.member.findMany({
      where: { shopId, id: { startsWith: prefix, ...(after !== null ? { gt: after } : {}) }, restoredAt: { not: null } },
      select: { id: true, restoredAt: true },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    restored.push(...page);
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  const points = new Map<string, number>();
  if (restored.length > 0) {
    const sums = await prisma.ledgerEntry.groupBy({
      by: ["memberId"],
      where: { shopId, migrationId, kind: "import", memberId: { startsWith: prefix }, member: { is: { restoredAt: { not: null } } } },
      _sum: { points: true },
    });
    for (const s of sums) points.set(s.memberId, s._sum.points ?? 0);
  }
  const series = restoreSeries(
    applied,
    restored.map((r) => ({ at: r.restoredAt!, points: points.get(r.id) ?? 0 })),
    today,
  );
  return { ...series, since: applied?.toISOString() ?? null };
}

/** When the migration was applied to everyone (pending members exist from then on). */
async function firstFullApply(shopId: string, migrationId: string): Promise<Date | null> {
  const jobs = await prisma.job.findMany({
    where: { kind: "migration.apply", shopId, dedupeKey: { startsWith: `apply:${migrationId}:` }, state: "succeeded" },
    orderBy: { createdAt: "asc" },
    select: { payloadJson: true, finishedAt: true },
  });
  const full = jobs.find((j) => (JSON.parse(j.payloadJson) as { pilot: unknown }).pilot === null);
  return full?.finishedAt ?? null;
}

/** The rollback's confirmation figures: what rollbackMigration would reverse now, per member. */
export async function rollbackPlan(shopId: string, migrationId: string): Promise<RollbackPlan> {
  // The entries rollbackMigration reverses (its candidatesWhere): this migration's, moving points,
  // not reversals, not memos, not reversed already.
  const [row] = await prisma.$queryRaw<Array<{ members: Num; visible: Num; below: Num; entries: Num; points: Num }>>`
    SELECT COUNT(*) AS members,
           COALESCE(SUM(CASE WHEN m."state" = 'visible' AND m."platformCustomerId" IS NOT NULL THEN 1 ELSE 0 END), 0) AS visible,
           COALESCE(SUM(CASE WHEN m."balance" - x."points" < 0 THEN 1 ELSE 0 END), 0) AS below,
           COALESCE(SUM(x."entries"), 0) AS entries,
           COALESCE(SUM(x."points"), 0) AS points
    FROM (
      SELECT le."memberId" AS "memberId", COUNT(*) AS "entries", SUM(le."points") AS "points"
      FROM "LedgerEntry" le LEFT JOIN "LedgerEntry" rev ON rev."reversesId" = le."id"
      WHERE le."shopId" = ${shopId} AND le."migrationId" = ${migrationId} AND le."reversesId" IS NULL
        AND le."points" <> 0 AND le."kind" <> 'restore' AND rev."id" IS NULL
      GROUP BY le."memberId"
    ) x JOIN "Member" m ON m."id" = x."memberId"`;
  const [kept] = await prisma.$queryRaw<Array<{ entries: Num; points: Num }>>`
    SELECT COUNT(*) AS entries, COALESCE(SUM(le."points"), 0) AS points
    FROM "LedgerEntry" le
    WHERE le."shopId" = ${shopId} AND le."migrationId" IS NULL
      AND le."memberId" IN (SELECT DISTINCT o."memberId" FROM "LedgerEntry" o WHERE o."shopId" = ${shopId} AND o."migrationId" = ${migrationId})`;
  const members = num(row?.members);
  const visible = num(row?.visible);
  return {
    entries: num(row?.entries),
    points: num(row?.points),
    members,
    visibleMembers: visible,
    pendingMembers: members - visible,
    belowZero: num(row?.below),
    keptEarned: { entries: num(kept?.entries), points: num(kept?.points) },
  };
}

export type StartRollbackOutcome = RollbackRequestOutcome;

/** "Roll back" after the confirmation, or "Resume" after a failed rollback job: requestRollback (the CLI's). */
export async function startRollback(shopId: string, migrationId: string): Promise<StartRollbackOutcome> {
  return requestRollback({ shopId, migrationId });
}

export const DOWNLOADS = ["exceptions", "restored-members"] as const;
export type DownloadKind = (typeof DOWNLOADS)[number];

/**
 * A download of the Report step as a streamed CSV (BOM, every text cell spreadsheet-safe), with
 * headers and labels in the admin's language; null for another shop's (or no) migration.
 * - exceptions: rows rejected at import, records rejected in review, conflicts (not written), and
 *   balances the apply could not push to the store, each with its reason.
 * - restored-members: members whose old balance is on the store now (matched at apply, or pending
 *   and registered since), for a relaunch campaign; redacted members are left out.
 */
export async function reportDownload(shopId: string, migrationId: string, kind: DownloadKind, f: Formatter): Promise<{ fileName: string; body: ReadableStream<Uint8Array> } | null> {
  const m = await findMigration(shopId, migrationId);
  if (!m) return null;
  const out = new PassThrough();
  const rows = kind === "exceptions" ? exceptionRows(shopId, m.id, f) : restoredRows(shopId, m.id, f);
  pipeline(Readable.from(rows), stringify({ bom: true }), out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return { fileName: downloadName(m.name, kind), body: Readable.toWeb(out) as ReadableStream<Uint8Array> };
}

const column = (f: Formatter, c: string) => f.t(`report.csv.col.${c}` as MessageKey);

/** A reject's reasons in the admin's language (its codes), else as the import wrote them. */
function rejectReason(f: Formatter, codes: string | null, written: string | null): string {
  const texts = (codes ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => f.maybe(`reject.${c}`));
  return texts.length > 0 && texts.every((x) => x !== null) ? texts.join("; ") : (written ?? "");
}

async function* exceptionRows(shopId: string, migrationId: string, f: Formatter): AsyncGenerator<string[]> {
  yield EXCEPTION_COLUMNS.map((c) => column(f, c));
  const line = (l: ExceptionLine) => exceptionCells(l, f.t(`report.csv.type.${l.type}` as MessageKey));

  // Rejected at import: every balances file of the migration, row by row.
  const files = await prisma.importFile.findMany({ where: { migrationId, shopId, kind: "balances", status: "staged" }, orderBy: { createdAt: "asc" }, select: { id: true, fileName: true, mappingJson: true } });
  for (const file of files) {
    // A rejected row's cells as the file had them (an invalid e-mail is not kept in the e-mail field): what the merchant fixes.
    const mapping = JSON.parse(file.mappingJson) as Record<string, string | undefined>;
    const cell = (raw: Record<string, string>, field: string, parsed: string | null) => {
      const header = mapping[field];
      const value = header !== undefined ? raw[header] : undefined;
      return value !== undefined && value.trim() !== "" ? value : parsed;
    };
    let after = 0;
    for (;;) {
      const page = await prisma.loyaltyRecord.findMany({
        where: { importFileId: file.id, shopId, status: "rejected", rowNumber: { gt: after } },
        orderBy: { rowNumber: "asc" },
        take: PAGE,
      });
      for (const r of page) {
        const raw = JSON.parse(r.rawJson) as Record<string, string>;
        yield line({
          type: "rejected",
          file: file.fileName,
          row: r.rowNumber,
          email: cell(raw, "email", r.email),
          firstName: cell(raw, "firstName", r.firstName),
          lastName: cell(raw, "lastName", r.lastName),
          phone: cell(raw, "phone", r.phone),
          cpf: cell(raw, "cpf", r.cpf),
          points: cell(raw, "points", null) ?? r.points,
          customerId: cell(raw, "platformCustomerId", r.platformCustomerRef),
          reason: rejectReason(f, r.rejectCodes, r.rejectReason),
        });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.rowNumber;
    }
  }

  // Rejected in review and conflicts of the preview the report reads (the applied one).
  const report = await migrationReport({ shopId, migrationId });
  if (report?.reconciliationId) {
    const fileNames = new Map((await prisma.importFile.findMany({ where: { migrationId }, select: { id: true, fileName: true } })).map((x) => [x.id, x.fileName]));
    let after: string | null = null;
    for (;;) {
      const page: Array<{ recordId: string; class: string; reason: string | null; candidatesJson: string | null; points: number }> = await prisma.recordMatch.findMany({
        where: { reconciliationId: report.reconciliationId, class: { in: ["rejected", "conflict"] }, ...(after !== null ? { recordId: { gt: after } } : {}) },
        select: { recordId: true, class: true, reason: true, candidatesJson: true, points: true },
        orderBy: { recordId: "asc" },
        take: PAGE,
      });
      const records = new Map((await prisma.loyaltyRecord.findMany({ where: { id: { in: page.map((p) => p.recordId) }, shopId } })).map((r) => [r.id, r]));
      for (const p of page) {
        const r = records.get(p.recordId);
        const candidates = p.candidatesJson ? (JSON.parse(p.candidatesJson) as Array<{ platformId: string }>).map((c) => c.platformId) : [];
        yield line({
          type: p.class === "conflict" ? "conflict" : "review-rejected",
          file: r ? (fileNames.get(r.importFileId) ?? null) : null,
          row: r?.rowNumber ?? null,
          email: r?.email ?? null,
          firstName: r?.firstName ?? null,
          lastName: r?.lastName ?? null,
          phone: r?.phone ?? null,
          cpf: r?.cpf ?? null,
          points: p.points,
          customerId: candidates.length > 0 ? candidates.join("; ") : null,
          reason: p.reason ?? "",
        });
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.recordId;
    }
  }

  // Balances the apply jobs could not write to the store (the ledger holds them).
  const jobs: Job[] = await prisma.job.findMany({ where: { kind: "migration.apply", shopId, dedupeKey: { startsWith: `apply:${migrationId}:` } }, orderBy: { createdAt: "asc" } });
  for (const job of jobs) {
    const failures = job.checkpoint ? ((JSON.parse(job.checkpoint) as { pushFailures?: PushFailure[]; result?: ApplyResult }).pushFailures ?? []) : [];
    for (let i = 0; i < failures.length; i += PAGE) {
      const chunk = failures.slice(i, i + PAGE);
      const members = new Map(
        (await prisma.member.findMany({ where: { shopId, platformCustomerId: { in: chunk.map((x) => x.customerId) } }, select: { platformCustomerId: true, email: true, firstName: true, lastName: true, phoneE164: true, cpf: true, balance: true } })).map((x) => [x.platformCustomerId!, x]),
      );
      for (const failure of chunk) {
        const member = members.get(failure.customerId);
        yield line({ type: "push-failed", file: null, row: null, email: member?.email ?? null, firstName: member?.firstName ?? null, lastName: member?.lastName ?? null, phone: member?.phoneE164 ?? null, cpf: member?.cpf ?? null, points: member?.balance ?? null, customerId: failure.customerId, reason: failure.message });
      }
    }
  }
}

async function* restoredRows(shopId: string, migrationId: string, f: Formatter): AsyncGenerator<string[]> {
  yield RESTORED_COLUMNS.map((c) => column(f, c));
  // Visible members holding an import entry of this migration that no rollback reversed.
  let after: string | null = null;
  for (;;) {
    const page: Array<{ id: string; email: string | null; firstName: string | null; lastName: string | null; phoneE164: string | null; balance: number; tier: string | null; restoredAt: Date | null; marketingConsent: string | null }> = await prisma.member.findMany({
      where: {
        shopId,
        state: "visible",
        redactedAt: null,
        ...(after !== null ? { id: { gt: after } } : {}),
        ledgerEntries: { some: { migrationId, kind: "import", reversedBy: { is: null } } },
      },
      select: { id: true, email: true, firstName: true, lastName: true, phoneE164: true, balance: true, tier: true, restoredAt: true, marketingConsent: true },
      orderBy: { id: "asc" },
      take: PAGE,
    });
    // A matched member's balance reached the store with the apply: the date of their import entry.
    const applied = new Map(
      (
        await prisma.ledgerEntry.groupBy({ by: ["memberId"], where: { shopId, migrationId, kind: "import", memberId: { in: page.filter((p) => !p.restoredAt).map((p) => p.id) } }, _min: { createdAt: true } })
      ).map((g) => [g.memberId, g._min.createdAt]),
    );
    for (const p of page) {
      const at = p.restoredAt ?? applied.get(p.id);
      if (!at) continue;
      yield restoredMemberCells({ email: p.email, firstName: p.firstName, lastName: p.lastName, phone: p.phoneE164, points: p.balance, tier: p.tier, restoredAt: at, marketingConsent: p.marketingConsent });
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
}
