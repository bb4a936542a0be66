import fs from "node:fs";
import type { Prisma } from "@prisma/client";
import {
  ImportFileError,
  type ColumnMapping,
  type DetectedFormat,
  type DuplicatePolicy,
  type FileFormat,
  type ImportAccounts,
  type ImportFileErrorCode,
  type ImportKind,
  type NormalizedRecord,
  type ProviderId,
  type ReadEvent,
  type RoundingRule,
  type RowOutcome,
  type TargetField,
} from "~domain/import/types";
import { detectFileFormat, readRows } from "~domain/import/read";
import { getPreset } from "~domain/import/presets";
import { matchHeaders, requireHistoryColumns, requireIdentityAndPoints } from "~domain/import/headers";
import { validateHistoryRow } from "~domain/import/history";
import { validateRow } from "~domain/import/validate";
import { RepeatedKeyFilter, identityKey, resolveDuplicateGroup } from "~domain/import/duplicates";
import { addIgnored, addMalformed, addOutcome, applyDuplicateResolution, checkAccounts, emptyAccounts } from "~domain/import/accounts";
import { transition, isMigrationState } from "~domain/migration-state";
import prisma from "../../db.server";
import { coreEnv } from "../../env.server";
import { openRecordWriter } from "./record-writer.server";
import { keepUpload, readHead, sha256OfFile } from "./storage.server";

export interface ImportInput {
  shopId: string;
  migrationId: string;
  provider: ProviderId;
  fileName: string;
  /** What the file holds: balances (the default) or points history (events; never merged). */
  kind?: ImportKind;
  /** The uploaded file on local disk (a temporary upload, or the CLI's path). */
  filePath: string;
  /** The merchant's own mapping: target field → header name. Wins over the preset. */
  mapping?: Partial<Record<TargetField, string>>;
  formatOverrides?: Partial<FileFormat>;
  duplicatePolicy?: DuplicatePolicy;
  rounding?: RoundingRule;
  maxPoints?: number;
  /** ISO country for phones without a country code; the shop's country by default. */
  defaultCountry?: string;
}

export interface ImportSummary extends ImportAccounts {
  importFileId: string;
  fileName: string;
  sha256: string;
  provider: ProviderId;
  kind: ImportKind;
  format: Omit<DetectedFormat, "sample">;
  mapping: Partial<Record<TargetField, string>>;
  unmappedHeaders: string[];
  /** Balances only: a history file's rows are never merged, whatever this says. */
  duplicatePolicy: DuplicatePolicy;
  rejectReasons: Record<string, number>;
}

export type ImportOutcome =
  | { outcome: "imported"; summary: ImportSummary }
  | { outcome: "already-imported"; summary: ImportSummary }
  | { outcome: "file-rejected"; code: ImportFileErrorCode; message: string };

export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportRefusedError";
  }
}

const BATCH = 10_000;
const DEFAULT_MAX_POINTS = 100_000_000;
const CANDIDATES_PER_QUERY = 500;

/**
 * What differs between the kinds of file; everything else is one pipeline.
 * history: its own required columns and row rules, and no duplicate resolution (a customer's
 * several events are the point of the file).
 */
const KINDS: Record<ImportKind, { requireColumns: typeof requireIdentityAndPoints; validate: typeof validateRow; resolvesDuplicates: boolean }> = {
  balances: { requireColumns: requireIdentityAndPoints, validate: validateRow, resolvesDuplicates: true },
  history: { requireColumns: requireHistoryColumns, validate: validateHistoryRow, resolvesDuplicates: false },
};

/**
 * Reads an old provider's export, validates every row, stages every row (valid or rejected, with
 * its reasons) in LoyaltyRecord, resolves duplicates by the merchant's policy (balances only), and
 * checks the accounts before declaring the file staged. The same file twice changes nothing; a file refused
 * half-way leaves no staged row behind.
 */
export async function importLoyaltyFile(input: ImportInput): Promise<ImportOutcome> {
  const migration = await prisma.migration.findFirst({ where: { id: input.migrationId, shopId: input.shopId } });
  if (!migration) throw new ImportRefusedError("migration not found for this shop");
  if (!isMigrationState(migration.state)) throw new ImportRefusedError(`unknown migration state ${migration.state}`);
  const nextState = migration.state === "draft" ? "uploaded" : migration.state;
  transition(nextState, "validated"); // refuses an import into a migration past validation
  const kind = input.kind ?? "balances";
  const rules = KINDS[kind];

  const size = (await fs.promises.stat(input.filePath)).size;
  if (size > coreEnv().IMPORT_MAX_BYTES) {
    return rejected("TOO_LARGE", `The file is ${mb(size)} MB; the limit is ${mb(coreEnv().IMPORT_MAX_BYTES)} MB.`);
  }
  const sha256 = await sha256OfFile(input.filePath);
  const existing = await prisma.importFile.findUnique({ where: { migrationId_sha256: { migrationId: migration.id, sha256 } } });
  if (existing?.status === "staged") return { outcome: "already-imported", summary: await loadSummary(existing.id) };
  if (existing) await discard(existing.id);

  let format: DetectedFormat;
  let mapping: ColumnMapping;
  let unmapped: string[];
  try {
    format = await detectFileFormat(
      await readHead(input.filePath),
      input.fileName,
      () => fs.createReadStream(input.filePath),
      input.formatOverrides,
      { maxBytes: coreEnv().IMPORT_MAX_BYTES },
      getPreset(input.provider).formatHints ?? {},
    );
    const matched = matchHeaders(format.header, input.provider, input.mapping, kind);
    rules.requireColumns(matched.mapping, format.header);
    mapping = matched.mapping;
    unmapped = matched.unmapped;
  } catch (error) {
    if (error instanceof ImportFileError) return rejected(error.code, error.message);
    throw error;
  }

  const policy = input.duplicatePolicy ?? "sum";
  const storagePath = await keepUpload(input.shopId, sha256, input.fileName, input.filePath);
  const shop = await prisma.shop.findUniqueOrThrow({ where: { id: input.shopId } });
  const file = await prisma.importFile.create({
    data: {
      shopId: input.shopId,
      migrationId: migration.id,
      fileName: input.fileName,
      sha256,
      sizeBytes: BigInt(size),
      storagePath,
      status: "staging",
      kind,
      provider: input.provider,
      encoding: format.encoding,
      delimiter: format.delimiter,
      duplicatePolicy: policy,
      formatJson: JSON.stringify(withoutSample(format)),
      mappingJson: JSON.stringify(namedMapping(mapping, format.header)),
    },
  });

  try {
    const options = {
      defaultCountry: input.defaultCountry ?? shop.country ?? "BR",
      decimalMark: format.decimalMark,
      dateOrder: format.dateOrder,
      rounding: input.rounding ?? "reject",
      maxPoints: input.maxPoints ?? DEFAULT_MAX_POINTS,
    };
    const staged = await stageRows(file.id, input, format, mapping, options, rules.validate);
    const accounts = rules.resolvesDuplicates
      ? await resolveDuplicates(file.id, policy, staged.accounts, staged.repeatedKeys)
      : staged.accounts;
    await verifyAgainstDatabase(file.id, accounts);
    const broken = checkAccounts(accounts);
    if (broken.length) throw new Error(`import accounts do not add up: ${broken.join("; ")}`);
    await prisma.$transaction([
      prisma.importFile.update({ where: { id: file.id }, data: { status: "staged", ...accountColumns(accounts) } }),
      prisma.migration.update({
        where: { id: migration.id },
        data: { state: "validated", oldProvider: migration.oldProvider ?? input.provider },
      }),
    ]);
  } catch (error) {
    await discard(file.id, error instanceof Error ? error.message : String(error));
    if (error instanceof ImportFileError) return rejected(error.code, error.message);
    throw error;
  }
  return { outcome: "imported", summary: await loadSummary(file.id, unmapped) };
}

function rejected(code: ImportFileErrorCode, message: string): ImportOutcome {
  return { outcome: "file-rejected", code, message };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function withoutSample(format: DetectedFormat): Omit<DetectedFormat, "sample"> {
  const { sample: _sample, ...rest } = format;
  return rest;
}

function namedMapping(mapping: ColumnMapping, header: string[]): Partial<Record<TargetField, string>> {
  return Object.fromEntries(Object.entries(mapping).map(([field, index]) => [field, header[index as number] ?? ""]));
}


async function* events(input: ImportInput, format: DetectedFormat): AsyncIterable<ReadEvent> {
  const source = fs.createReadStream(input.filePath, { highWaterMark: 256 * 1024 });
  const limits = { maxBytes: coreEnv().IMPORT_MAX_BYTES };
  yield* readRows(source, format, limits);
}

/**
 * The staged row of one outcome. Written as plain object literals with every property named (no
 * `...base` spread): a spread followed by twenty-odd properties made V8 build each row the slow way,
 * about 20 µs a row — a quarter of the whole import (decision 0007).
 */
function recordRow(fileId: string, base: { shopId: string; migrationId: string }, outcome: RowOutcome): Prisma.LoyaltyRecordCreateManyInput {
  if (outcome.status === "rejected") {
    return {
      shopId: base.shopId,
      migrationId: base.migrationId,
      importFileId: fileId,
      rowNumber: outcome.rowNumber,
      status: "rejected",
      rejectReason: outcome.reasons.map((r) => r.message).join("; "),
      rejectCodes: outcome.reasons.map((r) => r.code).join(","),
      points: outcome.points,
      rawJson: JSON.stringify(outcome.raw),
    };
  }
  const r: NormalizedRecord = outcome.record;
  return {
    shopId: base.shopId,
    migrationId: base.migrationId,
    importFileId: fileId,
    rowNumber: r.rowNumber,
    status: "valid",
    identityKey: identityKey(r),
    email: r.email,
    emailNormalized: r.emailNormalized,
    phone: r.phone,
    phoneE164: r.phoneE164,
    cpf: r.cpf,
    platformCustomerRef: r.platformCustomerRef,
    firstName: r.firstName,
    lastName: r.lastName,
    points: r.points,
    pointsSpent: r.pointsSpent,
    tier: r.tier,
    referralCode: r.referralCode,
    marketingConsent: r.marketingConsent,
    birthday: r.birthday,
    enrolledAt: r.enrolledAt,
    sourceUpdatedAt: r.updatedAt,
    occurredAt: r.occurredAt ?? null,
    reason: r.reason ?? null,
    rawJson: JSON.stringify(r.raw),
  };
}

async function stageRows(
  fileId: string,
  input: ImportInput,
  format: DetectedFormat,
  mapping: ColumnMapping,
  options: Parameters<typeof validateRow>[3],
  validate: typeof validateRow,
): Promise<{ accounts: ImportAccounts; repeatedKeys: string[] }> {
  let accounts = emptyAccounts();
  const keys = new RepeatedKeyFilter();
  const base = { shopId: input.shopId, migrationId: input.migrationId };
  let inBatch = 0;
  const writer = openRecordWriter();
  try {
    let header: string[] = format.header;
    for await (const event of events(input, format)) {
      if (event.type === "header") {
        header = event.header;
        continue;
      }
      if (event.type === "ignored") {
        accounts = addIgnored(accounts);
        continue;
      }
      let outcome: RowOutcome;
      if (event.type === "malformed") {
        outcome = {
          status: "rejected",
          rowNumber: event.rowNumber,
          reasons: [{ code: "MALFORMED_ROW", message: event.reason }],
          points: 0,
          raw: { _line: event.raw.slice(0, 10_000) },
        };
        accounts = addMalformed(accounts);
      } else {
        outcome = validate(event.row, header, mapping, options);
        accounts = addOutcome(accounts, outcome);
      }
      const row = recordRow(fileId, base, outcome);
      if (row.identityKey) keys.add(row.identityKey);
      writer.add(row);
      if (++inBatch >= BATCH) {
        await writer.flush();
        inBatch = 0;
      }
    }
    await writer.flush();
  } finally {
    await writer.close();
  }
  if (accounts.rowsTotal === accounts.rowsIgnored) {
    throw new ImportFileError("HEADER_ONLY", "The file has a header but no data rows.");
  }
  return { accounts, repeatedKeys: keys.candidates() };
}

/**
 * Folds duplicate customers of the file by the merchant's policy, group by group. `candidates` are
 * the keys that may repeat (every one that does, from the filter kept while staging): only those
 * are grouped in the database, through the (importFileId, identityKey) index, chunk by chunk.
 */
async function resolveDuplicates(fileId: string, policy: DuplicatePolicy, initial: ImportAccounts, candidates: readonly string[]): Promise<ImportAccounts> {
  let accounts = initial;
  const groups: { identityKey: string | null }[] = [];
  for (let i = 0; i < candidates.length; i += CANDIDATES_PER_QUERY) {
    groups.push(
      ...(await prisma.loyaltyRecord.groupBy({
        by: ["identityKey"],
        where: { importFileId: fileId, status: "valid", identityKey: { in: candidates.slice(i, i + CANDIDATES_PER_QUERY) } },
        having: { identityKey: { _count: { gt: 1 } } },
      })),
    );
  }
  for (const { identityKey: key } of groups) {
    // Only the (importFileId, identityKey) equality in SQL, status and order applied here: with
    // `status` or `ORDER BY rowNumber` in the query SQLite's planner walks the file's whole
    // (importFileId, status) or (importFileId, rowNumber) index instead — 0.45 s a group at a
    // million rows, against well under a millisecond.
    const rows = (await prisma.loyaltyRecord.findMany({ where: { importFileId: fileId, identityKey: key } }))
      .filter((row) => row.status === "valid")
      .sort((x, y) => x.rowNumber - y.rowNumber);
    const records = rows.map(toNormalized);
    const resolution = resolveDuplicateGroup(records, policy);
    await prisma.$transaction(async (tx) => {
      if ("review" in resolution) {
        const message = `Same customer as rows ${resolution.review.join(", ")}: sent to review by the duplicate policy`;
        await tx.loyaltyRecord.updateMany({
          where: { importFileId: fileId, rowNumber: { in: resolution.review } },
          data: { status: "rejected", rejectCodes: "DUPLICATE_FOR_REVIEW", rejectReason: message },
        });
        return;
      }
      await tx.loyaltyRecord.updateMany({
        where: { importFileId: fileId, rowNumber: { in: resolution.merged } },
        data: { status: "merged", mergedIntoRow: resolution.survivor },
      });
      await tx.loyaltyRecord.updateMany({
        where: { importFileId: fileId, rowNumber: resolution.survivor },
        data: { points: resolution.survivorPoints },
      });
    });
    accounts = applyDuplicateResolution(accounts, records, resolution);
  }
  return accounts;
}

function toNormalized(row: {
  rowNumber: number; email: string | null; emailNormalized: string | null; phone: string | null; phoneE164: string | null;
  cpf: string | null; platformCustomerRef: string | null; firstName: string | null; lastName: string | null; points: number;
  pointsSpent: number | null; tier: string | null; referralCode: string | null; marketingConsent: string | null;
  birthday: string | null; enrolledAt: string | null; sourceUpdatedAt: string | null; rawJson: string;
}): NormalizedRecord {
  return {
    rowNumber: row.rowNumber,
    email: row.email,
    emailNormalized: row.emailNormalized,
    phone: row.phone,
    phoneE164: row.phoneE164,
    cpf: row.cpf,
    platformCustomerRef: row.platformCustomerRef,
    firstName: row.firstName,
    lastName: row.lastName,
    points: row.points,
    pointsSpent: row.pointsSpent,
    tier: row.tier,
    referralCode: row.referralCode,
    marketingConsent: row.marketingConsent === "yes" || row.marketingConsent === "no" ? row.marketingConsent : null,
    birthday: row.birthday,
    enrolledAt: row.enrolledAt,
    updatedAt: row.sourceUpdatedAt,
    status: null,
    raw: JSON.parse(row.rawJson) as Record<string, string>,
  };
}

/** What was counted while streaming must be what the database holds. */
async function verifyAgainstDatabase(fileId: string, accounts: ImportAccounts) {
  const byStatus = await prisma.loyaltyRecord.groupBy({ by: ["status"], where: { importFileId: fileId }, _count: { _all: true }, _sum: { points: true } });
  const get = (status: string) => byStatus.find((g) => g.status === status);
  const problems: string[] = [];
  const check = (what: string, counted: number, stored: number) => {
    if (counted !== stored) problems.push(`${what}: counted ${counted}, stored ${stored}`);
  };
  check("valid rows", accounts.rowsValid, get("valid")?._count._all ?? 0);
  check("rejected rows", accounts.rowsRejected, get("rejected")?._count._all ?? 0);
  check("merged rows", accounts.rowsMerged, get("merged")?._count._all ?? 0);
  check("points in valid rows", accounts.pointsValid, Number(get("valid")?._sum.points ?? 0));
  check("points in rejected rows", accounts.pointsRejected, Number(get("rejected")?._sum.points ?? 0));
  if (problems.length) throw new Error(`staged rows do not match the accounts: ${problems.join("; ")}`);
}

function accountColumns(a: ImportAccounts) {
  return {
    rowsTotal: a.rowsTotal,
    rowsValid: a.rowsValid,
    rowsRejected: a.rowsRejected,
    rowsMerged: a.rowsMerged,
    rowsIgnored: a.rowsIgnored,
    pointsInFile: BigInt(a.pointsInFile),
    pointsValid: BigInt(a.pointsValid),
    pointsRejected: BigInt(a.pointsRejected),
    pointsMergedAway: BigInt(a.pointsMergedAway),
  };
}

/** Removes what a failed or interrupted import staged; the ImportFile stays as a failed record. */
async function discard(fileId: string, error?: string) {
  await prisma.loyaltyRecord.deleteMany({ where: { importFileId: fileId } });
  if (error === undefined) {
    await prisma.importFile.delete({ where: { id: fileId } });
  } else {
    await prisma.importFile.update({ where: { id: fileId }, data: { status: "failed", error: error.slice(0, 2000) } });
  }
}

export async function loadSummary(importFileId: string, unmappedHeaders: string[] = []): Promise<ImportSummary> {
  const f = await prisma.importFile.findUniqueOrThrow({ where: { id: importFileId } });
  const reasons = await prisma.loyaltyRecord.groupBy({ by: ["rejectCodes"], where: { importFileId, status: "rejected" }, _count: { _all: true } });
  const rejectReasons: Record<string, number> = {};
  for (const g of reasons) for (const code of (g.rejectCodes ?? "UNKNOWN").split(",")) rejectReasons[code] = (rejectReasons[code] ?? 0) + g._count._all;
  return {
    importFileId: f.id,
    fileName: f.fileName,
    sha256: f.sha256,
    provider: f.provider as ProviderId,
    kind: f.kind === "history" ? "history" : "balances",
    format: JSON.parse(f.formatJson) as ImportSummary["format"],
    mapping: JSON.parse(f.mappingJson) as ImportSummary["mapping"],
    unmappedHeaders,
    duplicatePolicy: f.duplicatePolicy as DuplicatePolicy,
    rejectReasons,
    rowsTotal: f.rowsTotal,
    rowsValid: f.rowsValid,
    rowsRejected: f.rowsRejected,
    rowsMerged: f.rowsMerged,
    rowsIgnored: f.rowsIgnored,
    pointsInFile: Number(f.pointsInFile),
    pointsValid: Number(f.pointsValid),
    pointsRejected: Number(f.pointsRejected),
    pointsMergedAway: Number(f.pointsMergedAway),
  };
}
