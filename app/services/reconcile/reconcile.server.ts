import crypto from "node:crypto";
import { classifyOrders } from "~domain/reconcile/cutover";
import { matchRecords } from "~domain/reconcile/match";
import { buildPreview, checkPreview, type Preview } from "~domain/reconcile/report";
import type { ImportTotals, ReconcileCustomer, ReconcileRecord, ReviewDecisionInput } from "~domain/reconcile/types";
import { openBulkInserter } from "../../db-bulk.server";
import prisma from "../../db.server";
import { coreEnv } from "../../env.server";
import { canTransition, isMigrationState } from "~domain/migration-state";
import { rulesFor } from "./rules.server";

/**
 * The dry run (issue 4): match the migration's valid balance records to the store's snapshot, apply
 * the cutover rules to its orders, and store the preview with one RecordMatch per record. Writes
 * nothing to the ledger. The same inputs give the same report; when the inputs (records, snapshot,
 * orders, rules, review decisions) hash to those of the last stored preview, that one is returned.
 */
export type ReconcileOutcome =
  | { outcome: "reconciled"; reconciliationId: string; report: Preview; reused: boolean; notes: string[] }
  | { outcome: "rules-invalid"; errors: string[] }
  | { outcome: "nothing-to-reconcile"; message: string }
  | { outcome: "not-found" };

export interface ReconcileInput {
  shopId: string;
  migrationId: string;
  progress?: (update: { done: number; total: number | null }) => Promise<void>;
}

const PAGE = 20_000;
const WRITE_BATCH = 10_000;

export async function reconcileMigration(input: ReconcileInput): Promise<ReconcileOutcome> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId }, include: { shop: true } });
  if (!migration) return { outcome: "not-found" };
  const rules = rulesFor(migration.shop, migration);
  if (rules.outcome === "invalid") return { outcome: "rules-invalid", errors: rules.errors };

  const files = await prisma.importFile.findMany({ where: { migrationId: migration.id, kind: "balances", status: "staged" } });
  if (files.length === 0) return { outcome: "nothing-to-reconcile", message: "this migration has no imported balances file yet" };

  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify({ rules: rules.rules, match: rules.match }));
  const records = await loadRecords(migration.id, files, hash);
  const totalRecords = records.length;
  await input.progress?.({ done: 0, total: totalRecords });
  const customers = await loadCustomers(migration.shopId, hash);
  const decisions = await loadDecisions(migration.id, hash);
  const orders = await loadOrders(migration.shopId, hash);
  const inputsHash = hash.digest("hex");

  const last = await prisma.reconciliation.findFirst({ where: { migrationId: migration.id, status: "done" }, orderBy: { createdAt: "desc" } });
  if (last && last.inputsHash === inputsHash) {
    await input.progress?.({ done: totalRecords, total: totalRecords });
    return { outcome: "reconciled", reconciliationId: last.id, report: JSON.parse(last.reportJson) as Preview, reused: true, notes: rules.notes };
  }

  const outcomes = matchRecords(records, customers, decisions, rules.match);
  const classified = classifyOrders(orders, rules.rules, rules.match.platform);
  const importTotals: ImportTotals = {
    pointsInFile: files.reduce((sum, f) => sum + Number(f.pointsInFile), 0),
    pointsRejectedAtImport: files.reduce((sum, f) => sum + Number(f.pointsRejected), 0),
    pointsMergedAway: files.reduce((sum, f) => sum + Number(f.pointsMergedAway), 0),
    recordsRejectedAtImport: files.reduce((sum, f) => sum + f.rowsRejected, 0),
  };
  const report = buildPreview({ outcomes, orders: classified, importTotals });
  const broken = checkPreview(report);
  if (broken) throw new Error(`reconciliation of migration ${migration.id} does not add up: ${broken}`);

  const reconciliation = await prisma.reconciliation.create({ data: { shopId: migration.shopId, migrationId: migration.id, inputsHash } });
  const writer = openBulkInserter(coreEnv().DATABASE_URL, {
    table: "RecordMatch",
    columns: [
      ["id", "text"],
      ["reconciliationId", "text"],
      ["recordId", "text"],
      ["class", "text"],
      ["platformCustomerId", "text"],
      ["matchedBy", "text"],
      ["reason", "text"],
      ["candidatesJson", "text"],
      ["points", "int4"],
    ],
  });
  try {
    for (let i = 0; i < outcomes.length; i++) {
      const o = outcomes[i]!;
      writer.add([
        `${reconciliation.id}.${String(i).padStart(9, "0")}`,
        reconciliation.id,
        o.recordId,
        o.class,
        o.platformCustomerId,
        o.matchedBy,
        o.reason,
        o.candidates.length > 0 ? JSON.stringify(o.candidates) : null,
        o.points,
      ]);
      if ((i + 1) % WRITE_BATCH === 0) {
        await writer.flush();
        await input.progress?.({ done: i + 1, total: totalRecords });
      }
    }
    await writer.flush();
  } catch (error) {
    await prisma.reconciliation.update({ where: { id: reconciliation.id }, data: { status: "failed", error: String(error), finishedAt: new Date() } });
    throw error;
  } finally {
    await writer.close();
  }
  await prisma.$transaction(async (tx) => {
    await tx.reconciliation.update({ where: { id: reconciliation.id }, data: { status: "done", reportJson: JSON.stringify(report), finishedAt: new Date() } });
    if (isMigrationState(migration.state) && migration.state !== "previewed" && canTransition(migration.state, "previewed")) {
      await tx.migration.update({ where: { id: migration.id }, data: { state: "previewed" } });
    }
  });
  await input.progress?.({ done: totalRecords, total: totalRecords });
  return { outcome: "reconciled", reconciliationId: reconciliation.id, report, reused: false, notes: rules.notes };
}

/** The latest stored preview of a migration (the wizard's Preview step reads it). */
export async function latestPreview(migrationId: string): Promise<{ reconciliationId: string; report: Preview; createdAt: Date } | null> {
  const last = await prisma.reconciliation.findFirst({ where: { migrationId, status: "done" }, orderBy: { createdAt: "desc" } });
  return last ? { reconciliationId: last.id, report: JSON.parse(last.reportJson) as Preview, createdAt: last.createdAt } : null;
}

async function loadRecords(migrationId: string, files: Array<{ id: string; fileName: string }>, hash: crypto.Hash): Promise<ReconcileRecord[]> {
  const names = new Map(files.map((f) => [f.id, f.fileName]));
  const out: ReconcileRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await prisma.loyaltyRecord.findMany({
      where: { migrationId, status: "valid", importFileId: { in: [...names.keys()] } },
      select: { id: true, importFileId: true, rowNumber: true, emailNormalized: true, phoneE164: true, cpf: true, platformCustomerRef: true, points: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
    for (const r of page) {
      out.push({
        id: r.id,
        rowRef: `${names.get(r.importFileId)} row ${r.rowNumber}`,
        emailNormalized: r.emailNormalized,
        phoneE164: r.phoneE164,
        cpf: r.cpf,
        platformCustomerRef: r.platformCustomerRef,
        points: r.points,
      });
      hash.update(`r|${r.id}|${r.emailNormalized}|${r.phoneE164}|${r.cpf}|${r.platformCustomerRef}|${r.points}\n`);
    }
    if (page.length < PAGE) return out;
    after = page.at(-1)!.id;
  }
}

async function loadCustomers(shopId: string, hash: crypto.Hash): Promise<ReconcileCustomer[]> {
  const out: ReconcileCustomer[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await prisma.platformCustomer.findMany({
      where: { shopId },
      select: { id: true, platformId: true, emailNormalized: true, phoneE164: true, cpf: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
    for (const c of page) {
      out.push({ platformId: c.platformId, emailNormalized: c.emailNormalized, phoneE164: c.phoneE164, cpf: c.cpf });
      hash.update(`c|${c.platformId}|${c.emailNormalized}|${c.phoneE164}|${c.cpf}\n`);
    }
    if (page.length < PAGE) return out;
    after = page.at(-1)!.id;
  }
}

async function loadDecisions(migrationId: string, hash: crypto.Hash): Promise<ReviewDecisionInput[]> {
  const rows = await prisma.reviewDecision.findMany({ where: { migrationId }, orderBy: { recordId: "asc" } });
  for (const d of rows) hash.update(`d|${d.recordId}|${d.decision}|${d.platformCustomerId}\n`);
  return rows.map((d) => ({ recordId: d.recordId, decision: d.decision as ReviewDecisionInput["decision"], platformCustomerId: d.platformCustomerId }));
}

interface LoadedOrder {
  platformId: string;
  customerId: string | null;
  financialStatus: string | null;
  status: string | null;
  cancelledAt: string | null;
  totalAmount: string;
  placedAt: string;
}

async function loadOrders(shopId: string, hash: crypto.Hash): Promise<LoadedOrder[]> {
  const out: LoadedOrder[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await prisma.platformOrder.findMany({
      where: { shopId },
      select: { id: true, platformId: true, platformCustomerId: true, financialStatus: true, status: true, cancelledAt: true, totalAmount: true, placedAt: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
    for (const o of page) {
      const order: LoadedOrder = {
        platformId: o.platformId,
        customerId: o.platformCustomerId,
        financialStatus: o.financialStatus,
        status: o.status,
        cancelledAt: o.cancelledAt?.toISOString() ?? null,
        totalAmount: o.totalAmount.toFixed(2),
        placedAt: o.placedAt.toISOString(),
      };
      out.push(order);
      hash.update(`o|${order.platformId}|${order.customerId}|${order.financialStatus}|${order.status}|${order.cancelledAt}|${order.totalAmount}|${order.placedAt}\n`);
    }
    if (page.length < PAGE) return out;
    after = page.at(-1)!.id;
  }
}
