import crypto from "node:crypto";
import fs from "node:fs";
import type { Prisma } from "@prisma/client";
import {
  IMPORT_KINDS,
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
import {
  KIND_FIELDS,
  matchHeaders,
  requireCouponColumns,
  requireHistoryColumns,
  requireIdentityAndPoints,
  requireReferralColumns,
  requireTierColumns,
} from "~domain/import/headers";
import { validateHistoryRow } from "~domain/import/history";
import { validateTierRow } from "~domain/import/tiers";
import { validateReferralRow } from "~domain/import/referrals";
import { expiryCutoff, validateCouponRow } from "~domain/import/coupons";
import { COUPON_CODE_RULES, REFERRAL_CODE_RULES, codeKey, resolveCodeClaims, type CodeFate, type CodeRow, type CodeRules } from "~domain/import/codes";
import { validateRow } from "~domain/import/validate";
import { RepeatedKeyFilter, identityKey, policyForKind, resolveDuplicateGroup } from "~domain/import/duplicates";
import {
  addIgnored,
  addMalformed,
  addOutcome,
  applyCodeFates,
  applyDuplicateResolution,
  checkAccounts,
  emptyAccounts,
} from "~domain/import/accounts";
import { transition, isMigrationState } from "~domain/migration-state";
import prisma from "../../db.server";
import { databaseKind } from "../../database-url";
import { coreEnv } from "../../env.server";
import { selectRows } from "../../db-bulk.server";
import { openRecordWriter, stagedRowId } from "./record-writer.server";
import { keepUpload, readHead, sha256OfFile } from "./storage.server";

export interface ImportInput {
  shopId: string;
  migrationId: string;
  provider: ProviderId;
  fileName: string;
  /** What the file holds: balances (the default), points history (events; never merged), VIP tiers, referral codes or unused coupons. */
  kind?: ImportKind;
  /** The uploaded file on local disk (a temporary upload, or the CLI's path). */
  filePath: string;
  /** The merchant's own mapping: target field → header name. Wins over the preset. */
  mapping?: Partial<Record<TargetField, string>>;
  /**
   * The merchant's mapping is the whole mapping (the wizard's mapping editor): a field it does not
   * name is not read, whatever the preset or the synonyms would have said.
   */
  exactMapping?: boolean;
  /**
   * The same file (same SHA-256) already staged in this migration is imported again with these
   * options and its earlier result replaced (the wizard's overrides, mapping and duplicate policy),
   * instead of answering "already-imported". The earlier result stays whole until the new one is
   * staged: a refused or failed re-run leaves it as it was.
   */
  replace?: boolean;
  formatOverrides?: Partial<FileFormat>;
  duplicatePolicy?: DuplicatePolicy;
  rounding?: RoundingRule;
  maxPoints?: number;
  /** ISO country for phones without a country code; the shop's country by default. */
  defaultCountry?: string;
  /** The instant coupons' expiry is judged against in the summary; the wall clock by default. */
  now?: Date;
}

/** Coupon files: how many coupons were staged, and how many of them had expired at `asOf`. */
export interface CouponSummary {
  /** Valid coupon rows staged (expired ones included: the merchant decides later to cancel or refund them). */
  total: number;
  /** Of those, expired before `asOf` (a coupon works through its expiry day). */
  expired: number;
  /** Of those, with no expiry date. */
  withoutExpiry: number;
  /** The UTC date the expiry was judged at (YYYY-MM-DD): an expiry before it is expired. */
  asOf: string;
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
  /**
   * Balances and tiers only (a tiers file: latest or review, policyForKind). History, referral and
   * coupon files are never folded by a policy, whatever this says.
   */
  duplicatePolicy: DuplicatePolicy;
  rejectReasons: Record<string, number>;
  /** Coupon files only. */
  coupons?: CouponSummary;
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
/** Rows per `rowNumber IN (…)` read: well under both databases' parameter limits. */
const ROWS_PER_READ = 500;
const UPDATES_PER_TRANSACTION = 500;

interface KindRules {
  /** Refuses the file (ImportFileError) when a column the kind needs is not mapped. */
  requireColumns: typeof requireIdentityAndPoints;
  validate: typeof validateRow;
  /** Duplicate customers folded by the merchant's policy (policyForKind says which apply). */
  resolvesDuplicates: boolean;
  /** A code that must be unique in the file, settled by codes.ts once every row is staged. */
  codes: { field: "referralCode" | "couponCode"; rules: CodeRules } | null;
}

/**
 * What differs between the kinds of file; everything else is one pipeline.
 * - history: its own required columns and row rules, and no duplicate resolution (a customer's
 *   several events are the point of the file).
 * - tiers: duplicates folded by the policy, latest or review only (policyForKind).
 * - referrals: no policy; a code used twice is settled by REFERRAL_CODE_RULES (same customer:
 *   merged; another customer: rejected; a second code of one customer: rejected).
 * - coupons: no policy (a customer may hold several coupons); a code used twice is rejected.
 */
const KINDS: Record<ImportKind, KindRules> = {
  balances: { requireColumns: requireIdentityAndPoints, validate: validateRow, resolvesDuplicates: true, codes: null },
  history: { requireColumns: requireHistoryColumns, validate: validateHistoryRow, resolvesDuplicates: false, codes: null },
  tiers: { requireColumns: requireTierColumns, validate: validateTierRow, resolvesDuplicates: true, codes: null },
  referrals: {
    requireColumns: requireReferralColumns,
    validate: validateReferralRow,
    resolvesDuplicates: false,
    codes: { field: "referralCode", rules: REFERRAL_CODE_RULES },
  },
  coupons: {
    requireColumns: requireCouponColumns,
    validate: validateCouponRow,
    resolvesDuplicates: false,
    codes: { field: "couponCode", rules: COUPON_CODE_RULES },
  },
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
  const chosenPolicy = policyForKind(kind, input.duplicatePolicy);
  if (!chosenPolicy.ok) throw new ImportRefusedError(chosenPolicy.message);
  const policy = chosenPolicy.policy;
  const now = input.now ?? new Date();

  const size = (await fs.promises.stat(input.filePath)).size;
  if (size > coreEnv().IMPORT_MAX_BYTES) {
    return rejected("TOO_LARGE", `The file is ${mb(size)} MB; the limit is ${mb(coreEnv().IMPORT_MAX_BYTES)} MB.`);
  }
  const sha256 = await sha256OfFile(input.filePath);
  const existing = await prisma.importFile.findUnique({ where: { migrationId_sha256: { migrationId: migration.id, sha256 } } });
  if (existing?.status === "staged" && !input.replace) return { outcome: "already-imported", summary: await loadSummary(existing.id, [], now) };
  if (existing && existing.status !== "staged") await discard(existing.id);
  // Replacing: the new rows are staged under a provisional key beside the earlier ones, and take the
  // file's own key in the transaction that removes the earlier rows (leftovers of an interrupted
  // replacement are removed first).
  const replacing = existing?.status === "staged" ? existing : null;
  if (replacing) await discardProvisional(migration.id, sha256);

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
    const matched = input.exactMapping ? exactMapping(format.header, input.mapping ?? {}, kind) : matchHeaders(format.header, input.provider, input.mapping, kind);
    rules.requireColumns(matched.mapping, format.header);
    mapping = matched.mapping;
    unmapped = matched.unmapped;
  } catch (error) {
    if (error instanceof ImportFileError) return rejected(error.code, error.message);
    throw error;
  }

  const storagePath = await keepUpload(input.shopId, sha256, input.fileName, input.filePath);
  const shop = await prisma.shop.findUniqueOrThrow({ where: { id: input.shopId } });
  const file = await prisma.importFile.create({
    data: {
      shopId: input.shopId,
      migrationId: migration.id,
      fileName: input.fileName,
      sha256: replacing ? `${sha256}${PROVISIONAL}${crypto.randomUUID()}` : sha256,
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
    const staged = await stageRows(file.id, input, format, mapping, options, rules);
    let accounts = rules.resolvesDuplicates
      ? await resolveDuplicates(file.id, policy, staged.accounts, staged.repeatedKeys)
      : staged.accounts;
    if (rules.codes) accounts = await resolveCodes(file.id, rules.codes, accounts, staged.repeatedKeys, staged.repeatedCodes);
    await verifyAgainstDatabase(file.id, accounts);
    const broken = checkAccounts(accounts);
    if (broken.length) throw new Error(`import accounts do not add up: ${broken.join("; ")}`);
    await prisma.$transaction([
      ...(replacing
        ? [prisma.loyaltyRecord.deleteMany({ where: { importFileId: replacing.id } }), prisma.importFile.delete({ where: { id: replacing.id } })]
        : []),
      prisma.importFile.update({ where: { id: file.id }, data: { status: "staged", sha256, ...accountColumns(accounts) } }),
      prisma.migration.update({
        where: { id: migration.id },
        data: { state: "validated", oldProvider: migration.oldProvider ?? input.provider },
      }),
    ]);
  } catch (error) {
    // A replacement refused half-way leaves nothing of itself: the earlier result is the file's record.
    if (replacing && error instanceof ImportFileError) await discard(file.id);
    else await discard(file.id, error instanceof Error ? error.message : String(error));
    if (error instanceof ImportFileError) return rejected(error.code, error.message);
    throw error;
  }
  return { outcome: "imported", summary: await loadSummary(file.id, unmapped, now) };
}

/** Marks the provisional key of a replacement: `<sha256>~<uuid>`, never a SHA-256 of its own. */
const PROVISIONAL = "~";

/** What an interrupted replacement of this file left behind (never staged: the swap is one transaction). */
async function discardProvisional(migrationId: string, sha256: string) {
  const leftovers = await prisma.importFile.findMany({
    where: { migrationId, sha256: { startsWith: `${sha256}${PROVISIONAL}` }, status: { not: "staged" } },
    select: { id: true },
  });
  for (const { id } of leftovers) await discard(id);
}

/**
 * The merchant's mapping taken as the whole mapping: each field the kind reads, by exact header name
 * (the first column of a repeated name, as matchHeaders does); a column feeds one field at most.
 */
function exactMapping(header: readonly string[], named: Partial<Record<TargetField, string>>, kind: ImportKind): { mapping: ColumnMapping; unmapped: string[] } {
  const mapping: ColumnMapping = {};
  const claimed = new Set<number>();
  for (const field of KIND_FIELDS[kind]) {
    const name = named[field];
    if (name === undefined || name === "") continue;
    const index = header.indexOf(name);
    if (index < 0 || claimed.has(index)) continue;
    mapping[field] = index;
    claimed.add(index);
  }
  return { mapping, unmapped: header.filter((h, index) => h !== "" && !claimed.has(index)) };
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
    couponCode: r.couponCode ?? null,
    couponValue: r.couponValue ?? null,
    couponExpiresAt: r.couponExpiresAt ?? null,
    rawJson: JSON.stringify(r.raw),
  };
}

async function stageRows(
  fileId: string,
  input: ImportInput,
  format: DetectedFormat,
  mapping: ColumnMapping,
  options: Parameters<typeof validateRow>[3],
  rules: KindRules,
): Promise<{ accounts: ImportAccounts; repeatedKeys: string[]; repeatedCodes: string[] }> {
  let accounts = emptyAccounts();
  const keys = new RepeatedKeyFilter();
  const codeField = rules.codes?.field;
  // Only files with codes pay for a second filter.
  const codes = codeField === undefined ? null : new RepeatedKeyFilter();
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
        outcome = rules.validate(event.row, header, mapping, options);
        accounts = addOutcome(accounts, outcome);
      }
      const row = recordRow(fileId, base, outcome);
      if (row.identityKey) keys.add(row.identityKey);
      if (codes !== null && codeField !== undefined) {
        const code = row[codeField];
        if (code) codes.add(codeKey(code));
      }
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
  return { accounts, repeatedKeys: keys.candidates(), repeatedCodes: codes?.candidates() ?? [] };
}

/**
 * Folds duplicate customers of the file by the merchant's policy, group by group. `candidates` are
 * the keys that may repeat (every one that does, from the filter kept while staging): the file is
 * walked once for their rows (walkFile), and only the groups that do repeat are read whole, by row
 * number.
 *
 * The groups of a chunk are read with one query and written with one statement per kind of change
 * in one transaction: a real export repeats tens of thousands of customers, and a query, a
 * transaction and a commit per group made that most of a million-row import (a 2 % duplicate rate:
 * 20,688 groups, about 140 s of 286 s, against 0.13 s for the benchmark file's 38 groups).
 */
async function resolveDuplicates(fileId: string, policy: DuplicatePolicy, initial: ImportAccounts, candidates: readonly string[]): Promise<ImportAccounts> {
  let accounts = initial;
  const wanted = new Set(candidates);
  const rowsOfKey = new Map<string, number[]>();
  if (wanted.size > 0) {
    for await (const [rowNumber, status, key] of walkFile(fileId)) {
      if (status !== "valid" || key === null || !wanted.has(key)) continue;
      const rows = rowsOfKey.get(key);
      if (rows) rows.push(rowNumber);
      else rowsOfKey.set(key, [rowNumber]);
    }
  }
  const groups = [...rowsOfKey].filter(([, rows]) => rows.length > 1);
  for (let i = 0; i < groups.length; ) {
    // Whole groups, about ROWS_PER_READ rows a chunk (a group larger than that is a chunk of its own).
    const chunk: typeof groups = [];
    let rowsInChunk = 0;
    while (i < groups.length && (chunk.length === 0 || rowsInChunk + groups[i]![1].length <= ROWS_PER_READ)) {
      rowsInChunk += groups[i]![1].length;
      chunk.push(groups[i++]!);
    }
    const byRow = new Map<number, ReturnType<typeof toNormalized>>();
    const rowNumbers = chunk.flatMap(([, rows]) => rows);
    for (let j = 0; j < rowNumbers.length; j += ROWS_PER_READ) {
      for (const row of await prisma.loyaltyRecord.findMany({ where: { importFileId: fileId, rowNumber: { in: rowNumbers.slice(j, j + ROWS_PER_READ) } } })) {
        byRow.set(row.rowNumber, toNormalized(row));
      }
    }
    const review: Array<[rowNumber: number, message: string]> = [];
    const merged: Array<[rowNumber: number, into: number]> = [];
    const survivors: Array<[rowNumber: number, points: number]> = [];
    for (const [, rows] of chunk) {
      const records = rows.map((rowNumber) => byRow.get(rowNumber)!);
      const resolution = resolveDuplicateGroup(records, policy);
      if ("review" in resolution) {
        const message = `Same customer as rows ${resolution.review.join(", ")}: sent to review by the duplicate policy`;
        for (const rowNumber of resolution.review) review.push([rowNumber, message]);
      } else {
        for (const rowNumber of resolution.merged) merged.push([rowNumber, resolution.survivor]);
        survivors.push([resolution.survivor, resolution.survivorPoints]);
      }
      accounts = applyDuplicateResolution(accounts, records, resolution);
    }
    await prisma.$transaction([
      ...updateRows(fileId, review, { fixed: `"status" = 'rejected', "rejectCodes" = 'DUPLICATE_FOR_REVIEW', `, column: "rejectReason", valueType: "TEXT" }),
      ...updateRows(fileId, merged, { fixed: `"status" = 'merged', `, column: "mergedIntoRow", valueType: "INTEGER" }),
      ...updateRows(fileId, survivors, { fixed: "", column: "points", valueType: "INTEGER" }),
    ]);
  }
  return accounts;
}

/** Rows per UPDATE: the CASE below is read linearly for every row it updates, so it stays short. */
const ROWS_PER_UPDATE = 200;

/**
 * `UPDATE "LoyaltyRecord" SET <fixed>, <column> = CASE "id" WHEN … END WHERE "id" IN (…)` for rows of one
 * file, by their staged ids (stagedRowId): the same SQL on SQLite and PostgreSQL, and a plan that can
 * only look the rows up by primary key. (A join to `(VALUES …)` by file and row number let SQLite's
 * planner, without statistics, walk the file's whole (importFileId, rowNumber) range for every
 * statement of a few hundred rows: 20 s of a million-row import.) Written with $executeRawUnsafe and
 * bound parameters in each dialect's placeholders: the PostgreSQL client is generated apart and does
 * not recognise the SQLite client's nested Prisma.sql objects.
 */
function updateRows(
  fileId: string,
  rows: ReadonlyArray<readonly [number, string | number]>,
  update: { fixed: string; column: string; valueType: "TEXT" | "INTEGER" },
) {
  const sqlite = databaseKind(coreEnv().DATABASE_URL) === "sqlite";
  const statements: Prisma.PrismaPromise<number>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_UPDATE) {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return sqlite ? "?" : `$${params.length}`;
    };
    const chunk = rows.slice(i, i + ROWS_PER_UPDATE).map(([rowNumber, value]) => [stagedRowId(fileId, rowNumber), value] as const);
    // Placeholders in the order of the text: SQLite's `?` are bound by position.
    const cases = chunk.map(([id, value]) => `WHEN ${p(id)} THEN CAST(${p(value)} AS ${update.valueType})`).join(" ");
    const ids = chunk.map(([id]) => p(id)).join(", ");
    statements.push(
      prisma.$executeRawUnsafe(`UPDATE "LoyaltyRecord" SET ${update.fixed}"${update.column}" = CASE "id" ${cases} END WHERE "id" IN (${ids})`, ...params),
    );
  }
  return statements;
}

/**
 * Settles the codes used more than once (codes.ts). `codeCandidates` are the code keys that may
 * repeat and `identityCandidates` the customers that may (a customer carries one referral code):
 * only rows among those can lose their code. The file is walked once (walkFile), and only when one
 * of the two may repeat.
 */
async function resolveCodes(
  fileId: string,
  codes: NonNullable<KindRules["codes"]>,
  initial: ImportAccounts,
  identityCandidates: readonly string[],
  codeCandidates: readonly string[],
): Promise<ImportAccounts> {
  const customers = new Set(codes.rules.oneCodePerCustomer ? identityCandidates : []);
  const codeKeys = new Set(codeCandidates);
  if (customers.size === 0 && codeKeys.size === 0) return initial;

  const rows: CodeRow[] = [];
  for await (const [rowNumber, status, identityKey, referralCode, couponCode] of walkFile(fileId)) {
    const code = codes.field === "referralCode" ? referralCode : couponCode;
    if (status !== "valid" || code === null || identityKey === null) continue;
    if (codeKeys.has(codeKey(code)) || customers.has(identityKey)) rows.push({ rowNumber, identityKey, code });
  }

  const fates = resolveCodeClaims(rows, codes.rules);
  await applyFates(fileId, fates);
  return applyCodeFates(initial, fates);
}

async function applyFates(fileId: string, fates: readonly CodeFate[]) {
  const mergedInto = new Map<number, number[]>();
  const rejected: Extract<CodeFate, { fate: "rejected" }>[] = [];
  for (const fate of fates) {
    if (fate.fate === "merged") mergedInto.set(fate.into, [...(mergedInto.get(fate.into) ?? []), fate.rowNumber]);
    else rejected.push(fate);
  }
  const updates = [
    ...[...mergedInto].map(([into, rowNumbers]) =>
      prisma.loyaltyRecord.updateMany({ where: { id: { in: rowNumbers.map((r) => stagedRowId(fileId, r)) } }, data: { status: "merged", mergedIntoRow: into } }),
    ),
    ...rejected.map((fate) =>
      prisma.loyaltyRecord.updateMany({
        where: { id: stagedRowId(fileId, fate.rowNumber) },
        data: { status: "rejected", rejectCodes: fate.reason.code, rejectReason: fate.reason.message },
      }),
    ),
  ];
  for (let i = 0; i < updates.length; i += UPDATES_PER_TRANSACTION) await prisma.$transaction(updates.slice(i, i + UPDATES_PER_TRANSACTION));
}

type WalkedRow = [rowNumber: number, status: string, identityKey: string | null, referralCode: string | null, couponCode: string | null];

/**
 * Every staged row of a file in file order, the few columns duplicates and codes are settled by: one
 * streamed read through the driver along the (importFileId, rowNumber) index. The staging table keeps
 * no index on the identity key (decision 0022): a million inserts in random key order cost a
 * million-row import more than a minute, a walk about a second.
 */
async function* walkFile(fileId: string): AsyncGenerator<WalkedRow> {
  const sql = `SELECT "rowNumber", "status", "identityKey", "referralCode", "couponCode" FROM "LoyaltyRecord" WHERE "importFileId" = ? ORDER BY "rowNumber"`;
  for await (const page of selectRows(coreEnv().DATABASE_URL, sql, [fileId])) {
    for (const row of page) {
      const [rowNumber, status, identityKey, referralCode, couponCode] = row as WalkedRow;
      yield [Number(rowNumber), status, identityKey, referralCode, couponCode];
    }
  }
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

/** The import's summary; `now` judges the coupons' expiry (coupon files only). */
export async function loadSummary(importFileId: string, unmappedHeaders: string[] = [], now: Date = new Date()): Promise<ImportSummary> {
  const f = await prisma.importFile.findUniqueOrThrow({ where: { id: importFileId } });
  const reasons = await prisma.loyaltyRecord.groupBy({ by: ["rejectCodes"], where: { importFileId, status: "rejected" }, _count: { _all: true } });
  const rejectReasons: Record<string, number> = {};
  for (const g of reasons) for (const code of (g.rejectCodes ?? "UNKNOWN").split(",")) rejectReasons[code] = (rejectReasons[code] ?? 0) + g._count._all;
  return {
    importFileId: f.id,
    fileName: f.fileName,
    sha256: f.sha256,
    provider: f.provider as ProviderId,
    kind: (IMPORT_KINDS as readonly string[]).includes(f.kind) ? (f.kind as ImportKind) : "balances",
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
    ...(f.kind === "coupons" && { coupons: await couponSummary(importFileId, f.rowsValid, now) }),
  };
}

/** Counted in the database, by the rule of isCouponExpired (domain/import/coupons.ts). */
async function couponSummary(importFileId: string, total: number, now: Date): Promise<CouponSummary> {
  const asOf = expiryCutoff(now);
  const [expired, withoutExpiry] = await Promise.all([
    prisma.loyaltyRecord.count({ where: { importFileId, status: "valid", couponExpiresAt: { lt: asOf } } }),
    prisma.loyaltyRecord.count({ where: { importFileId, status: "valid", couponExpiresAt: null } }),
  ]);
  return { total, expired, withoutExpiry, asOf };
}
