import crypto from "node:crypto";
import { earnedOrderId, flagAlreadyMigrated, indexPriorImports, withoutEarned } from "~domain/reconcile/already-migrated";
import { orderClassifier } from "~domain/reconcile/cutover";
import { matchRecords } from "~domain/reconcile/match";
import { buildPreview, checkPreview, OrderTally, type Preview } from "~domain/reconcile/report";
import type { ImportTotals, OrderInput, ReconcileCustomer, ReconcileRecord, ReviewDecisionInput } from "~domain/reconcile/types";
import { openBulkInserter, selectRows } from "../../db-bulk.server";
import { databaseKind } from "../../database-url";
import { Prisma } from "@prisma/client";
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
  let records: ReconcileRecord[] | null = await loadRecords(migration.id, files, hash);
  const totalRecords = records.length;
  await input.progress?.({ done: 0, total: totalRecords });
  let customers: ReconcileCustomer[] | null = await loadCustomers(migration.shopId, hash);
  const decisions = await loadDecisions(migration.id, hash);
  const earned = await earnedOrderIds(migration.shopId, migration.id);
  // The orders are classified and counted as they stream by (OrderTally): two million order objects
  // held at once were most of the dry run's memory.
  const tally = new OrderTally();
  const classify = orderClassifier(rules.rules, rules.match.platform);
  // Only the earned orders inside the retroactive window change the preview: live earns (after the
  // cutover) happen all the time and would otherwise make every preview stale.
  const retroWindow = rules.rules.retroactive;
  const from = retroWindow === null ? Number.NaN : Date.parse(retroWindow.from);
  const to = retroWindow === null ? Number.NaN : Date.parse(retroWindow.to);
  const earnedInWindow: string[] = [];
  await streamOrders(migration.shopId, hash, (order) => {
    tally.add(withoutEarned(classify(order), earned));
    if (retroWindow !== null && earned.size > 0 && earned.has(order.platformId)) {
      const placed = Date.parse(order.placedAt);
      if (placed >= from && placed < to) earnedInWindow.push(order.platformId);
    }
  });
  // What other migrations of the shop already credited (domain/reconcile/already-migrated.ts): part of
  // the inputs, so applying or rolling back another migration makes this preview stale.
  const imported = await loadImportedElsewhere(migration.shopId, migration.id, hash);
  for (const platformId of earnedInWindow) hash.update(`e|${platformId}\n`);
  const inputsHash = hash.digest("hex");

  const last = await prisma.reconciliation.findFirst({ where: { migrationId: migration.id, status: "done" }, orderBy: { createdAt: "desc" } });
  if (last && last.inputsHash === inputsHash) {
    // Same inputs, same preview: reuse it — and the migration is previewed again (rules saved since
    // may have sent it back to rules_set without changing anything the preview depends on).
    if (isMigrationState(migration.state) && migration.state !== "previewed" && canTransition(migration.state, "previewed")) {
      await prisma.migration.update({ where: { id: migration.id }, data: { state: "previewed" } });
    }
    await input.progress?.({ done: totalRecords, total: totalRecords });
    return { outcome: "reconciled", reconciliationId: last.id, report: JSON.parse(last.reportJson) as Preview, reused: true, notes: rules.notes };
  }

  const outcomes = flagAlreadyMigrated(records, matchRecords(records, customers, decisions, rules.match), decisions, imported);
  // Dropped before the million rows are written: a smaller heap is collected faster.
  records = null;
  customers = null;
  const importTotals: ImportTotals = {
    pointsInFile: files.reduce((sum, f) => sum + Number(f.pointsInFile), 0),
    pointsRejectedAtImport: files.reduce((sum, f) => sum + Number(f.pointsRejected), 0),
    pointsMergedAway: files.reduce((sum, f) => sum + Number(f.pointsMergedAway), 0),
    recordsRejectedAtImport: files.reduce((sum, f) => sum + f.rowsRejected, 0),
  };
  const report = buildPreview({ outcomes, orders: tally, importTotals });
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

// ----------------------------------------------------------------------------------------------
// Loading. A million records, a million customers and two million orders are read through the
// database driver, one streamed query per table: Prisma's findMany reads ~17,000 rows/s here
// (statement overhead plus an object, Date and Decimal per row), which made loading most of a dry
// run's time (bench/reconcile.bench.ts). Each table is read in the order of a unique index the
// query's filter starts with — records by (importFileId, rowNumber), the file's order; customers and
// orders by (shopId, platformId) — so the database walks the index instead of sorting the rows
// (ORDER BY "id" of a cuid made SQLite sort two million orders in a temporary B-tree first).

const isPostgres = () => databaseKind(coreEnv().DATABASE_URL) === "postgresql";

/**
 * A DateTime column as ISO-8601 UTC with milliseconds (what Date#toISOString gives). SQLite holds
 * Prisma's text form (`…T10:00:00.000+00:00`) or epoch milliseconds; the PostgreSQL query formats it.
 */
function isoInstant(value: unknown): string {
  if (typeof value === "string") {
    if (value.length === 29 && value.endsWith("+00:00") && value[10] === "T") return `${value.slice(0, 23)}Z`;
    if (value.length === 24 && value.endsWith("Z") && value[10] === "T") return value;
  }
  const date = new Date(value as string | number);
  if (Number.isNaN(date.getTime())) throw new Error(`not an instant in the snapshot: ${String(value)}`);
  return date.toISOString();
}

/** A Decimal column as text with two decimals, rounded half up (Prisma's Decimal#toFixed(2)). */
function amountText(value: unknown): string {
  const text = String(value);
  const m = /^(-?\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (m) return `${m[1]}.${(m[2] ?? "").padEnd(2, "0")}`;
  return new Prisma.Decimal(text).toFixed(2);
}

/** ISO-8601 with milliseconds, in the query, for PostgreSQL's timestamp(3) (UTC, as Prisma writes it). */
const pgInstant = (column: string) => `to_char("${column}", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A staged record as matching reads it; its row reference is spelled only for the few messages that name it. */
class StagedRecord implements ReconcileRecord {
  constructor(
    readonly id: string,
    private readonly fileName: string,
    private readonly rowNumber: number,
    readonly emailNormalized: string | null,
    readonly phoneE164: string | null,
    readonly cpf: string | null,
    readonly platformCustomerRef: string | null,
    readonly points: number,
  ) {}

  get rowRef(): string {
    return `${this.fileName} row ${this.rowNumber}`;
  }
}

async function loadRecords(migrationId: string, files: Array<{ id: string; fileName: string }>, hash: crypto.Hash): Promise<ReconcileRecord[]> {
  const names = new Map(files.map((f) => [f.id, f.fileName]));
  const out: ReconcileRecord[] = [];
  const sql = `SELECT "id", "importFileId", "rowNumber", "emailNormalized", "phoneE164", "cpf", "platformCustomerRef", "points"
    FROM "LoyaltyRecord" WHERE "migrationId" = ? AND "status" = 'valid' AND "importFileId" IN (${files.map(() => "?").join(", ")})
    ORDER BY "importFileId", "rowNumber"`;
  for await (const rows of selectRows(coreEnv().DATABASE_URL, sql, [migrationId, ...names.keys()])) {
    for (const [id, importFileId, rowNumber, emailNormalized, phoneE164, cpf, platformCustomerRef, points] of rows as Array<
      [string, string, number, string | null, string | null, string | null, string | null, number]
    >) {
      out.push(new StagedRecord(id, names.get(importFileId)!, rowNumber, emailNormalized, phoneE164, cpf, platformCustomerRef, Number(points)));
      hash.update(`r|${id}|${emailNormalized}|${phoneE164}|${cpf}|${platformCustomerRef}|${points}\n`);
    }
  }
  return out;
}

async function loadCustomers(shopId: string, hash: crypto.Hash): Promise<ReconcileCustomer[]> {
  const out: ReconcileCustomer[] = [];
  const sql = `SELECT "platformId", "emailNormalized", "phoneE164", "cpf" FROM "PlatformCustomer" WHERE "shopId" = ? ORDER BY "shopId", "platformId"`;
  for await (const rows of selectRows(coreEnv().DATABASE_URL, sql, [shopId])) {
    for (const [platformId, emailNormalized, phoneE164, cpf] of rows as Array<[string, string | null, string | null, string | null]>) {
      out.push({ platformId, emailNormalized, phoneE164, cpf });
      hash.update(`c|${platformId}|${emailNormalized}|${phoneE164}|${cpf}\n`);
    }
  }
  return out;
}

async function loadDecisions(migrationId: string, hash: crypto.Hash): Promise<ReviewDecisionInput[]> {
  const rows = await prisma.reviewDecision.findMany({ where: { migrationId }, orderBy: { recordId: "asc" } });
  for (const d of rows) hash.update(`d|${d.recordId}|${d.decision}|${d.platformCustomerId}\n`);
  return rows.map((d) => ({ recordId: d.recordId, decision: d.decision as ReviewDecisionInput["decision"], platformCustomerId: d.platformCustomerId }));
}

/**
 * An order of the snapshot as classifyOrders reads it. Its total is spelled as a decimal only when
 * read, which classification does for the few orders inside a retroactive window.
 */
class SnapshotOrder implements OrderInput {
  constructor(
    readonly platformId: string,
    readonly customerId: string | null,
    readonly financialStatus: string | null,
    readonly status: string | null,
    readonly cancelledAt: string | null,
    private readonly amount: unknown,
    readonly placedAt: string,
  ) {}

  get totalAmount(): string {
    return amountText(this.amount);
  }
}

/**
 * Every order of the shop's snapshot, in (shopId, platformId) order, to `each` (not kept). The hash
 * takes the values as the database gives them (on SQLite the instants' text and the amount's number),
 * which change whenever the order does.
 */
async function streamOrders(shopId: string, hash: crypto.Hash, each: (order: OrderInput) => void): Promise<void> {
  const pg = isPostgres();
  const sql = `SELECT "platformId", "platformCustomerId", "financialStatus", "status",
      ${pg ? pgInstant("cancelledAt") : '"cancelledAt"'}, ${pg ? 'round("totalAmount", 2)::text' : '"totalAmount"'}, ${pg ? pgInstant("placedAt") : '"placedAt"'}
    FROM "PlatformOrder" WHERE "shopId" = ? ORDER BY "shopId", "platformId"`;
  for await (const rows of selectRows(coreEnv().DATABASE_URL, sql, [shopId])) {
    for (const [platformId, customerId, financialStatus, status, cancelledAt, totalAmount, placedAt] of rows as Array<
      [string, string | null, string | null, string | null, unknown, unknown, unknown]
    >) {
      hash.update(`o|${platformId}|${customerId}|${financialStatus}|${status}|${cancelledAt}|${totalAmount}|${placedAt}\n`);
      // Date.parse reads Prisma's text form as it is; only another form (epoch milliseconds) is converted.
      const cancelled = cancelledAt === null || typeof cancelledAt === "string" ? cancelledAt : isoInstant(cancelledAt);
      const placed = typeof placedAt === "string" ? placedAt : isoInstant(placedAt);
      each(new SnapshotOrder(platformId, customerId, financialStatus, status, cancelled, totalAmount, placed));
    }
  }
}

/**
 * Net import points per member and per OTHER migration of the shop (import entries plus their
 * reversals, so a rolled-back migration counts nothing), with the member's keys, indexed for
 * flagAlreadyMigrated. A migration being rolled back counts what is not reversed yet.
 */
async function loadImportedElsewhere(shopId: string, migrationId: string, hash: crypto.Hash) {
  const sql = `SELECT m."id", m."platformCustomerId", m."emailNormalized", m."phoneE164", m."cpf", e."migrationId", g."name",
      SUM(e."points") + COALESCE(SUM(r."points"), 0) AS "net"
    FROM "LedgerEntry" e
    JOIN "Member" m ON m."id" = e."memberId"
    JOIN "Migration" g ON g."id" = e."migrationId"
    LEFT JOIN "LedgerEntry" r ON r."reversesId" = e."id"
    WHERE e."shopId" = ? AND e."kind" = 'import' AND e."migrationId" <> ? AND g."shopId" = ? AND g."state" <> 'rolled_back'
    GROUP BY m."id", m."platformCustomerId", m."emailNormalized", m."phoneE164", m."cpf", e."migrationId", g."name"
    ORDER BY m."id", e."migrationId"`;
  const rows: Parameters<typeof indexPriorImports>[0][number][] = [];
  for await (const page of selectRows(coreEnv().DATABASE_URL, sql, [shopId, migrationId, shopId])) {
    for (const [memberId, platformCustomerId, emailNormalized, phoneE164, cpf, otherMigration, migrationName, net] of page as Array<
      [string, string | null, string | null, string | null, string | null, string, string, unknown]
    >) {
      const points = Number(net);
      if (!(points > 0)) continue;
      rows.push({ memberId, platformCustomerId, emailNormalized, phoneE164, cpf, migrationId: otherMigration, migrationName, points });
      hash.update(`a|${memberId}|${platformCustomerId}|${emailNormalized}|${phoneE164}|${cpf}|${otherMigration}|${migrationName}|${points}\n`);
    }
  }
  return indexPriorImports(rows);
}

/**
 * The shop's orders that already earned, not reversed: a live earn, or the retroactive points of
 * another migration (this migration's own are not "another": a resumed apply or the apply after a
 * pilot must see the same retroactive orders as its preview). Shared by the preview and apply
 * (app/services/apply/apply.server.ts retroactiveOrders), so both leave out the same orders.
 */
export async function earnedOrderIds(shopId: string, migrationId: string): Promise<Set<string>> {
  const sql = `SELECT e."idempotencyKey" FROM "LedgerEntry" e LEFT JOIN "LedgerEntry" r ON r."reversesId" = e."id"
    WHERE e."shopId" = ? AND e."kind" = 'earn' AND r."id" IS NULL ORDER BY e."idempotencyKey"`;
  const out = new Set<string>();
  for await (const page of selectRows(coreEnv().DATABASE_URL, sql, [shopId])) {
    for (const [key] of page as Array<[string]>) {
      const order = earnedOrderId(key, migrationId);
      if (order !== null) out.add(order);
    }
  }
  return out;
}
