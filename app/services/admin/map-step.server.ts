import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { KIND_FIELDS } from "~domain/import/headers";
import { TARGET_FIELDS, type DuplicatePolicy, type ImportKind, type ProviderId, type TargetField } from "~domain/import/types";
import prisma from "../../db.server";
import { loadSummary, type ImportSummary } from "../import/import.server";
import { findMigration } from "../migrations.server";
import {
  detectStored,
  findListedFile,
  formatPanel,
  kindOf,
  migrationFiles,
  rerunImport,
  storedFormat,
  storedMapping,
  unmappedOf,
  type ImportFileItem,
  type RerunOutcome,
} from "./upload.server";
import { stepEditable } from "./wizard-steps";

/** How many of the first rows' values the mapping editor shows under each column. */
const SAMPLES = 3;
export const REJECTED_PAGE_SIZE = 25;

/**
 * The duplicate policies a kind of file takes (domain/import/duplicates.ts policyForKind): balances
 * any, tiers latest or review; history, referrals and coupons none (events and coupons are never
 * merged, codes are settled by their own rules).
 */
export const POLICIES_BY_KIND: Readonly<Record<ImportKind, readonly DuplicatePolicy[]>> = {
  balances: ["sum", "max", "latest", "review"],
  tiers: ["latest", "review"],
  history: [],
  referrals: [],
  coupons: [],
};

/** Fields without which a kind of file is refused (domain/import/headers.ts require*): one of `identity`, and each of the rest. */
export const REQUIRED_BY_KIND: Readonly<Record<ImportKind, readonly TargetField[]>> = {
  balances: ["points"],
  history: ["points", "occurredAt"],
  tiers: ["tier"],
  referrals: ["referralCode"],
  coupons: ["couponCode", "couponValue"],
};
export const IDENTITY_FIELDS: readonly TargetField[] = ["email", "phone", "cpf", "platformCustomerId"];

export interface MapColumn {
  index: number;
  header: string;
  /** The first rows' values of this column (non-empty ones, up to three). */
  samples: string[];
  field: TargetField | null;
  /** A header repeating an earlier column's name: never read (the first column of the name is). */
  repeated: boolean;
}

export interface MapStepView {
  files: ImportFileItem[];
  file: ImportFileItem | null;
  provider: ProviderId | null;
  kind: ImportKind | null;
  /** The file's columns as it was last read; empty when it could not be read at all. */
  columns: MapColumn[];
  /** The fields this kind of file reads, in the editor's order. */
  fields: readonly TargetField[];
  /** Fields the kind needs, each of them; and one of `identity`. */
  required: readonly TargetField[];
  identity: readonly TargetField[];
  summary: ImportSummary | null;
  /** The format settings the merchant changed from what detection found (the summary says so). */
  overridden: string[];
  /** The policy in force and the ones this kind takes (empty: the kind has no duplicate policy). */
  policy: { value: DuplicatePolicy; options: readonly DuplicatePolicy[] };
  editable: boolean;
}

/** What Map & validate shows for one of the migration's files (the one asked for, else the newest). */
export async function mapStepView(shopId: string, migrationId: string, fileId?: string | null): Promise<MapStepView | null> {
  const migration = await findMigration(shopId, migrationId);
  if (!migration) return null;
  const files = await migrationFiles(shopId, migrationId);
  const item = (fileId ? files.find((f) => f.id === fileId) : undefined) ?? files[0] ?? null;
  const editable = stepEditable("map", migration.state);
  if (!item) {
    return { files, file: null, provider: null, kind: null, columns: [], fields: [], required: [], identity: IDENTITY_FIELDS, summary: null, overridden: [], policy: { value: "sum", options: [] }, editable };
  }
  const file = await prisma.importFile.findUniqueOrThrow({ where: { id: item.id } });
  const format = storedFormat(file);
  const header = format.header ?? [];
  const reread = header.length > 0 ? await detectStored(file, pinned(format)) : null;
  const mapping = storedMapping(file);
  const fieldOfHeader = new Map<string, TargetField>();
  for (const [field, name] of Object.entries(mapping) as [TargetField, string][]) if (!fieldOfHeader.has(name)) fieldOfHeader.set(name, field);
  const seen = new Set<string>();
  const columns = header.map((name, index): MapColumn => {
    const repeated = seen.has(name);
    seen.add(name);
    const samples = (reread?.sample ?? [])
      .map((row) => (row[index] ?? "").trim())
      .filter((v) => v !== "")
      .slice(0, SAMPLES)
      .map((v) => (v.length > 60 ? `${v.slice(0, 60)}…` : v));
    return { index, header: name, samples, field: repeated ? null : (fieldOfHeader.get(name) ?? null), repeated };
  });
  return {
    files,
    file: item,
    provider: item.provider,
    kind: item.kind,
    columns,
    fields: KIND_FIELDS[item.kind],
    required: REQUIRED_BY_KIND[item.kind],
    identity: IDENTITY_FIELDS,
    summary: item.status === "staged" ? await loadSummary(file.id, unmappedOf(file)) : null,
    overridden: item.status === "staged" ? (await formatPanel(file)).overridden : [],
    policy: { value: file.duplicatePolicy as DuplicatePolicy, options: POLICIES_BY_KIND[item.kind] },
    editable,
  };
}

function pinned(format: ReturnType<typeof storedFormat>) {
  const { kind, encoding, delimiter, quote, headerRow, decimalMark, dateOrder } = format;
  return Object.fromEntries(Object.entries({ kind, encoding, delimiter, quote, headerRow, decimalMark, dateOrder }).filter(([, v]) => v !== undefined));
}

// ------------------------------------------------------------------------------ the mapping editor

/** The mapping editor's form: one select a column (`column.<index>`: a field, or "" for not read). */
export const MappingForm = z.object({
  fileId: z.string().min(1).max(64),
  columns: z.record(z.string().regex(/^\d{1,4}$/), z.union([z.enum(TARGET_FIELDS), z.literal("")])),
});
export type MappingFormInput = z.infer<typeof MappingForm>;

export function mappingFormFrom(form: FormData): unknown {
  const columns: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    const match = /^column\.(\d{1,4})$/.exec(key);
    if (match?.[1] !== undefined && typeof value === "string") columns[match[1]] = value;
  }
  return { fileId: form.get("fileId"), columns };
}

export type RemapOutcome = RerunOutcome | { outcome: "invalid-mapping"; problem: "field-twice" | "not-a-field-of-kind" | "no-such-column"; field?: TargetField };

/**
 * Re-runs the file's validation with the merchant's whole mapping (columns → fields; a column left
 * empty is not read, whatever the preset said). A field chosen for two columns, a field the kind
 * does not read, or a column the file does not have (or a repeated header) is refused before anything runs.
 */
export async function remapColumns(shopId: string, migrationId: string, input: MappingFormInput): Promise<RemapOutcome> {
  const file = await findListedFile(shopId, migrationId, input.fileId);
  if (!file) return { outcome: "not-found" };
  const header = storedFormat(file).header ?? [];
  const fields = new Set<TargetField>(KIND_FIELDS[kindOf(file.kind)]);
  const mapping: Partial<Record<TargetField, string>> = {};
  for (const [key, field] of Object.entries(input.columns)) {
    if (field === "") continue;
    const index = Number(key);
    const name = header[index];
    if (name === undefined || header.indexOf(name) !== index) return { outcome: "invalid-mapping", problem: "no-such-column" };
    if (!fields.has(field)) return { outcome: "invalid-mapping", problem: "not-a-field-of-kind", field };
    if (mapping[field] !== undefined) return { outcome: "invalid-mapping", problem: "field-twice", field };
    mapping[field] = name;
  }
  return rerunImport(shopId, migrationId, input.fileId, { mapping });
}

// ------------------------------------------------------------------------------ the duplicate policy

export const PolicyForm = z.object({ fileId: z.string().min(1).max(64), policy: z.enum(["sum", "max", "latest", "review"]) });
export type PolicyFormInput = z.infer<typeof PolicyForm>;

export type PolicyOutcome = RerunOutcome | { outcome: "policy-not-applicable"; kind: ImportKind };

/** Re-applies a duplicate policy: the file is validated again with it, its earlier result replaced. */
export async function changeDuplicatePolicy(shopId: string, migrationId: string, input: PolicyFormInput): Promise<PolicyOutcome> {
  const file = await findListedFile(shopId, migrationId, input.fileId);
  if (!file) return { outcome: "not-found" };
  const kind = kindOf(file.kind);
  const options = POLICIES_BY_KIND[kind];
  if (options.length === 0) return { outcome: "policy-not-applicable", kind };
  if (!options.includes(input.policy)) return { outcome: "policy-not-allowed", kind, policy: input.policy };
  return rerunImport(shopId, migrationId, input.fileId, { policy: input.policy });
}

// ------------------------------------------------------------------------------ the rejected rows

export const RejectedQuery = z.object({
  reason: z
    .string()
    .regex(/^[A-Z_]{1,40}$/)
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});
export type RejectedQueryInput = z.infer<typeof RejectedQuery>;

export interface RejectedRow {
  rowNumber: number;
  codes: string[];
  /** Who the row is about, as written in the file (its mapped e-mail, phone, CPF or id), or the raw line of an unreadable row. */
  customer: string | null;
  /** The points cell as written. */
  points: string | null;
}

export interface RejectedRowsPage {
  rows: RejectedRow[];
  pageSize: number;
  /** Rows matching the filter. */
  total: number;
  page: number;
  pageCount: number;
  reason: string | null;
  /** Every reason of the file with its count (a row may have several), most frequent first. */
  reasons: Array<{ code: string; count: number }>;
}

/** Rows whose comma-separated reject codes include `code` exactly (INVALID_DATE does not match AMBIGUOUS_DATE… or a longer code). */
function hasCode(code: string): Prisma.LoyaltyRecordWhereInput {
  return {
    OR: [{ rejectCodes: code }, { rejectCodes: { startsWith: `${code},` } }, { rejectCodes: { endsWith: `,${code}` } }, { rejectCodes: { contains: `,${code},` } }],
  };
}

/**
 * One page of a file's rejected rows, read from the staged rows (where the error CSV reads them
 * too), in file order, optionally those with one reason. Null for another shop's or another
 * migration's file.
 */
export async function rejectedRowsPage(shopId: string, migrationId: string, fileId: string, query: RejectedQueryInput, pageSize = REJECTED_PAGE_SIZE): Promise<RejectedRowsPage | null> {
  const file = await findListedFile(shopId, migrationId, fileId);
  if (!file || file.status !== "staged") return null;
  const summary = await loadSummary(file.id);
  const reasons = Object.entries(summary.rejectReasons)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const reason = query.reason && summary.rejectReasons[query.reason] !== undefined ? query.reason : null;
  const where: Prisma.LoyaltyRecordWhereInput = { importFileId: file.id, shopId, status: "rejected", ...(reason && hasCode(reason)) };
  const total = await prisma.loyaltyRecord.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(query.page, pageCount);
  const records = await prisma.loyaltyRecord.findMany({
    where,
    orderBy: { rowNumber: "asc" },
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: { rowNumber: true, rejectCodes: true, rawJson: true },
  });
  const mapping = storedMapping(file);
  const identityHeaders = (["email", "phone", "cpf", "platformCustomerId"] as const).map((f) => mapping[f]).filter((h): h is string => !!h);
  const rows = records.map((r): RejectedRow => {
    let raw: Record<string, string> = {};
    try {
      raw = JSON.parse(r.rawJson) as Record<string, string>;
    } catch {
      raw = {};
    }
    const line = raw._line;
    const customer = identityHeaders.map((h) => raw[h]?.trim()).find((v) => !!v) ?? (line ? line.slice(0, 80) : null);
    const pointsCell = mapping.points ? raw[mapping.points] : undefined;
    return {
      rowNumber: r.rowNumber,
      codes: (r.rejectCodes ?? "UNKNOWN").split(",").filter(Boolean),
      customer,
      points: pointsCell === undefined || pointsCell.trim() === "" ? null : pointsCell.trim(),
    };
  });
  return { rows, pageSize, total, page, pageCount, reason, reasons };
}
