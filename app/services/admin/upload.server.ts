import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import {
  MaxPartSizeExceededError,
  NodeOnDiskFile,
  unstable_composeUploadHandlers as composeUploadHandlers,
  unstable_createFileUploadHandler as createFileUploadHandler,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
} from "@remix-run/node";
import type { ImportFile } from "@prisma/client";
import { z } from "zod";
import { matchHeaders } from "~domain/import/headers";
import { policyForKind } from "~domain/import/duplicates";
import { getPreset } from "~domain/import/presets";
import { detectFileFormat } from "~domain/import/read";
import {
  IMPORT_KINDS,
  ImportFileError,
  PROVIDERS,
  type DateOrder,
  type DecimalMark,
  type Delimiter,
  type DetectedFormat,
  type DuplicatePolicy,
  type Encoding,
  type FileFormat,
  type FileKind,
  type ImportFileErrorCode,
  type ImportKind,
  type ProviderId,
  type TargetField,
} from "~domain/import/types";
import prisma from "../../db.server";
import { coreEnv } from "../../env.server";
import { importLoyaltyFile, loadSummary, type ImportSummary } from "../import/import.server";
import { writeRejectedRowsCsv } from "../import/rejected-rows.server";
import { keepUpload, readHead, sha256OfFile } from "../import/storage.server";
import { findMigration } from "../migrations.server";
import { stepEditable } from "./wizard-steps";

// ------------------------------------------------------------------------------------ the files

/**
 * Refusals the merchant can fix on the stored file: a header row, an encoding, a delimiter or a
 * column mapping. The file is kept (outside public/, like any upload) and listed as refused, so the
 * Upload step's format settings and the Map step's mapping editor can run it again. The others
 * (empty, binary, too large, a truncated workbook…) need another file.
 */
const FIXABLE: ReadonlySet<ImportFileErrorCode> = new Set<ImportFileErrorCode>([
  "NO_HEADER",
  "HEADER_ONLY",
  "MIXED_ENCODING",
  "NO_IDENTITY_COLUMN",
  "NO_POINTS_COLUMN",
  "NO_DATE_COLUMN",
  "NO_TIER_COLUMN",
  "NO_REFERRAL_CODE_COLUMN",
  "NO_COUPON_CODE_COLUMN",
  "NO_COUPON_VALUE_COLUMN",
]);

/** One file of a migration as the wizard lists it: staged (its rows are in), or refused and kept to be fixed. */
export interface ImportFileItem {
  id: string;
  fileName: string;
  kind: ImportKind;
  provider: ProviderId;
  status: "staged" | "refused";
  rowsTotal: number;
  rowsValid: number;
  rowsRejected: number;
  refusal: { code: ImportFileErrorCode; message: string } | null;
  updatedAt: string;
}

/** The error column of a refused-and-kept file: `CODE: message`. */
function refusalOf(error: string | null): { code: ImportFileErrorCode; message: string } | null {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(error ?? "");
  if (!match || !FIXABLE.has(match[1] as ImportFileErrorCode)) return null;
  return { code: match[1] as ImportFileErrorCode, message: match[2] ?? "" };
}

export function kindOf(kind: string): ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(kind) ? (kind as ImportKind) : "balances";
}

function providerOf(provider: string | null): ProviderId {
  return (PROVIDERS as readonly string[]).includes(provider ?? "") ? (provider as ProviderId) : "generic";
}

function itemOf(f: ImportFile): ImportFileItem | null {
  const refusal = f.status === "failed" ? refusalOf(f.error) : null;
  if (f.status !== "staged" && !refusal) return null;
  return {
    id: f.id,
    fileName: f.fileName,
    kind: kindOf(f.kind),
    provider: providerOf(f.provider),
    status: f.status === "staged" ? "staged" : "refused",
    rowsTotal: f.rowsTotal,
    rowsValid: f.rowsValid,
    rowsRejected: f.rowsRejected,
    refusal,
    updatedAt: f.updatedAt.toISOString(),
  };
}

/**
 * The files of this shop's migration the wizard shows, newest first: staged ones and refused ones
 * kept to be fixed (a replacement's provisional rows and failed runs are not files of their own).
 */
export async function migrationFiles(shopId: string, migrationId: string): Promise<ImportFileItem[]> {
  const files = await prisma.importFile.findMany({
    where: { shopId, migrationId, status: { in: ["staged", "failed"] }, NOT: { sha256: { contains: "~" } } },
    orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
  });
  return files.map(itemOf).filter((f): f is ImportFileItem => f !== null);
}

/** One listed file of this shop's migration, or null (another shop's, another migration's, or not a listed file). */
export async function findListedFile(shopId: string, migrationId: string, fileId: string): Promise<ImportFile | null> {
  const file = await prisma.importFile.findFirst({ where: { id: fileId, shopId, migrationId } });
  return file && itemOf(file) && !file.sha256.includes("~") ? file : null;
}

// ------------------------------------------------------------------------------------ the format

/** The settings of the format the merchant sees and may change (the quote character is left to detection). */
export interface FormatSettings {
  encoding: Encoding;
  delimiter: Delimiter;
  decimalMark: DecimalMark;
  dateOrder: DateOrder;
  headerRow: number;
}

export interface FormatPanel {
  fileKind: FileKind;
  /** What the file was read with (detected, or the merchant's override). */
  used: FormatSettings;
  /** What detection finds on its own; null when it refuses the file without an override. */
  detected: FormatSettings | null;
  /** The settings where `used` is not what detection found: the merchant's overrides. */
  overridden: Array<keyof FormatSettings>;
  notes: string[];
  dateOrderAmbiguous: boolean;
}

type StoredFormat = Partial<Omit<DetectedFormat, "sample">>;

export function storedFormat(file: Pick<ImportFile, "formatJson">): StoredFormat {
  try {
    return JSON.parse(file.formatJson) as StoredFormat;
  } catch {
    return {};
  }
}

export function storedMapping(file: Pick<ImportFile, "mappingJson">): Partial<Record<TargetField, string>> {
  try {
    return JSON.parse(file.mappingJson) as Partial<Record<TargetField, string>>;
  } catch {
    return {};
  }
}

/** The FileFormat a stored file was read with: re-running it reads it the same way unless told otherwise. */
function pinnedFormat(format: StoredFormat): Partial<FileFormat> {
  const out: Partial<FileFormat> = {};
  if (format.kind) out.kind = format.kind;
  if (format.encoding) out.encoding = format.encoding;
  if (format.delimiter) out.delimiter = format.delimiter;
  if (format.quote) out.quote = format.quote;
  if (format.headerRow) out.headerRow = format.headerRow;
  if (format.decimalMark) out.decimalMark = format.decimalMark;
  if (format.dateOrder) out.dateOrder = format.dateOrder;
  return out;
}

const DEFAULT_SETTINGS: FormatSettings = { encoding: "utf-8", delimiter: ",", decimalMark: "dot", dateOrder: "dmy", headerRow: 1 };

function settingsOf(format: StoredFormat | DetectedFormat): FormatSettings {
  return {
    encoding: format.encoding ?? DEFAULT_SETTINGS.encoding,
    delimiter: format.delimiter ?? DEFAULT_SETTINGS.delimiter,
    decimalMark: format.decimalMark ?? DEFAULT_SETTINGS.decimalMark,
    dateOrder: format.dateOrder ?? DEFAULT_SETTINGS.dateOrder,
    headerRow: format.headerRow ?? DEFAULT_SETTINGS.headerRow,
  };
}

/**
 * Reads the stored file's format again: with `overrides`, as the import would; without, as
 * detection alone finds it. Null when the file refuses to be read that way (or is gone).
 */
export async function detectStored(file: Pick<ImportFile, "storagePath" | "fileName" | "provider">, overrides: Partial<FileFormat> = {}): Promise<DetectedFormat | null> {
  try {
    return await detectFileFormat(
      await readHead(file.storagePath),
      file.fileName,
      () => fs.createReadStream(file.storagePath),
      overrides,
      { maxBytes: coreEnv().IMPORT_MAX_BYTES },
      getPreset(providerOf(file.provider)).formatHints ?? {},
    );
  } catch (error) {
    if (error instanceof ImportFileError || (error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The format a stored file was read with, beside what detection finds on its own. */
export async function formatPanel(file: ImportFile): Promise<FormatPanel> {
  const format = storedFormat(file);
  const detected = await detectStored(file);
  const used = settingsOf(format);
  const detectedSettings = detected ? settingsOf(detected) : null;
  const overridden = detectedSettings ? (Object.keys(used) as Array<keyof FormatSettings>).filter((k) => used[k] !== detectedSettings[k]) : [];
  return {
    fileKind: format.kind ?? detected?.kind ?? "csv",
    used,
    detected: detectedSettings,
    overridden,
    notes: format.notes ?? [],
    dateOrderAmbiguous: format.dateOrderAmbiguous ?? false,
  };
}

// ------------------------------------------------------------------------------------ the upload

export type UploadOutcome =
  | { outcome: "imported" | "already-imported"; summary: ImportSummary }
  /** importFileId: the refused file kept to be fixed (its format or mapping), null when nothing was kept. */
  | { outcome: "file-rejected"; code: ImportFileErrorCode; message: string; importFileId: string | null }
  | { outcome: "no-file" }
  | { outcome: "too-large"; maxBytes: number }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "not-found" };

const Fields = z.object({ provider: z.enum(PROVIDERS).optional(), kind: z.enum(IMPORT_KINDS).default("balances") });

/**
 * The Upload step: the multipart body is streamed to a temporary file under UPLOAD_DIR (never held
 * in memory, never under public/), then importLoyaltyFile keeps it through the storage service,
 * validates and stages every row. The temporary file is removed whatever happens.
 *
 * The same file again: "already-imported" (nothing changes) when it comes as the same kind from the
 * same provider; said to be another kind or provider, it replaces the earlier result (a file is
 * staged once per migration). A refusal the merchant can fix keeps the file, listed as refused.
 */
export async function receiveUpload(request: Request, shopId: string, migrationId: string): Promise<UploadOutcome> {
  const migration = await findMigration(shopId, migrationId);
  if (!migration) return { outcome: "not-found" };
  if (!stepEditable("upload", migration.state)) return { outcome: "migration-closed", state: migration.state };

  const maxBytes = coreEnv().IMPORT_MAX_BYTES;
  const tmpDir = path.resolve(coreEnv().UPLOAD_DIR, "tmp");
  await fs.promises.mkdir(tmpDir, { recursive: true, mode: 0o700 });
  let form: FormData;
  let originalName = "";
  try {
    form = await parseMultipartFormData(
      request,
      composeUploadHandlers(
        createFileUploadHandler({
          directory: tmpDir,
          file: () => `${crypto.randomUUID()}.upload`,
          maxPartSize: maxBytes,
          filter: ({ name, filename }) => {
            if (name !== "file") return false;
            originalName = path.basename(filename ?? "");
            return true;
          },
        }),
        createMemoryUploadHandler({ maxPartSize: 10_000 }),
      ),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { outcome: "too-large", maxBytes };
    throw error;
  }
  const file = form.get("file");
  if (!(file instanceof NodeOnDiskFile) || file.size === 0) {
    if (file instanceof NodeOnDiskFile) await file.remove().catch(() => undefined);
    return { outcome: "no-file" };
  }
  try {
    const fields = Fields.safeParse({ provider: form.get("provider") || undefined, kind: form.get("kind") || undefined });
    const provider: ProviderId = (fields.success ? fields.data.provider : undefined) ?? (migration.oldProvider as ProviderId | null) ?? "generic";
    const kind: ImportKind = fields.success ? fields.data.kind : "balances";
    const fileName = originalName || file.name;
    const filePath = file.getFilePath();
    const sha256 = await sha256OfFile(filePath);
    const earlier = await prisma.importFile.findUnique({ where: { migrationId_sha256: { migrationId, sha256 } } });
    const replace = earlier?.status === "staged" && (earlier.kind !== kind || earlier.provider !== provider);
    const result = await importLoyaltyFile({ shopId, migrationId, provider, fileName, filePath, kind, replace });
    if (result.outcome !== "file-rejected") return result;
    const kept = await keepRefused({ shopId, migrationId, provider, kind, fileName, filePath, sha256 }, result.code, result.message, {});
    return { ...result, importFileId: kept };
  } finally {
    await file.remove().catch(() => undefined);
  }
}

interface RefusedFile {
  shopId: string;
  migrationId: string;
  provider: ProviderId;
  kind: ImportKind;
  fileName: string;
  filePath: string;
  sha256: string;
}

/**
 * Keeps a refused file the merchant can fix, with what could be read of it (its format and the
 * columns the preset found, or the mapping the merchant tried), as a "failed" ImportFile whose error
 * says why. Never when the file is already staged in the migration (the earlier result stands).
 */
async function keepRefused(
  file: RefusedFile,
  code: ImportFileErrorCode,
  message: string,
  tried: { overrides?: Partial<FileFormat>; mapping?: Partial<Record<TargetField, string>>; policy?: DuplicatePolicy },
): Promise<string | null> {
  if (!FIXABLE.has(code)) return null;
  const where = { migrationId_sha256: { migrationId: file.migrationId, sha256: file.sha256 } };
  const earlier = await prisma.importFile.findUnique({ where });
  if (earlier?.status === "staged") return null;
  const storagePath = await keepUpload(file.shopId, file.sha256, file.fileName, file.filePath);
  const format = await detectStored({ storagePath, fileName: file.fileName, provider: file.provider }, tried.overrides ?? {});
  const { sample: _sample, ...formatWithoutSample } = format ?? { sample: [] };
  const mapping = tried.mapping ?? (format ? namedMapping(matchHeaders(format.header, file.provider, undefined, file.kind).mapping, format.header) : {});
  const policy = policyForKind(file.kind, tried.policy);
  const data = {
    fileName: file.fileName,
    storagePath,
    status: "failed",
    kind: file.kind,
    provider: file.provider,
    encoding: format?.encoding ?? null,
    delimiter: format?.delimiter ?? null,
    duplicatePolicy: policy.ok ? policy.policy : "sum",
    formatJson: JSON.stringify(format ? formatWithoutSample : {}),
    mappingJson: JSON.stringify(mapping),
    error: `${code}: ${message}`.slice(0, 2000),
  };
  const size = (await fs.promises.stat(storagePath)).size;
  const kept = await prisma.importFile.upsert({
    where,
    create: { shopId: file.shopId, migrationId: file.migrationId, sha256: file.sha256, sizeBytes: BigInt(size), ...data },
    update: data,
  });
  return kept.id;
}

function namedMapping(mapping: Partial<Record<TargetField, number>>, header: readonly string[]): Partial<Record<TargetField, string>> {
  return Object.fromEntries(Object.entries(mapping).map(([field, index]) => [field, header[index] ?? ""]));
}

// ------------------------------------------------------------------------------------ re-running

export interface RerunChange {
  format?: Partial<FormatSettings>;
  /** The whole mapping, field → header name (the mapping editor): fields it leaves out are not read. */
  mapping?: Partial<Record<TargetField, string>>;
  policy?: DuplicatePolicy;
}

export type RerunOutcome =
  | { outcome: "imported"; summary: ImportSummary }
  /**
   * kept: "earlier-result" — the file was staged and stays exactly as it was; "refused-file" — it
   * was not staged and stays listed as refused, with what was tried.
   */
  | { outcome: "file-rejected"; code: ImportFileErrorCode; message: string; kept: "earlier-result" | "refused-file" | "nothing"; importFileId: string | null }
  | { outcome: "policy-not-allowed"; kind: ImportKind; policy: DuplicatePolicy }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "file-missing" }
  | { outcome: "not-found" };

/**
 * Imports one of the migration's stored files again with a change — format settings, the whole
 * column mapping, or the duplicate policy — keeping everything else as it was last read. A staged
 * file's earlier result is replaced, never added to (importLoyaltyFile `replace`), and stays whole
 * if the new run is refused. A refused file is kept refused with what was tried.
 */
export async function rerunImport(shopId: string, migrationId: string, fileId: string, change: RerunChange): Promise<RerunOutcome> {
  const migration = await findMigration(shopId, migrationId);
  if (!migration) return { outcome: "not-found" };
  const file = await findListedFile(shopId, migrationId, fileId);
  if (!file) return { outcome: "not-found" };
  if (!stepEditable("upload", migration.state)) return { outcome: "migration-closed", state: migration.state };
  if (!fs.existsSync(file.storagePath)) return { outcome: "file-missing" };

  const kind = kindOf(file.kind);
  const provider = providerOf(file.provider);
  const stored = storedFormat(file);
  const overrides: Partial<FileFormat> = { ...pinnedFormat(stored), ...change.format };
  const policy = change.policy ?? (file.duplicatePolicy as DuplicatePolicy);
  const allowed = policyForKind(kind, policy);
  if (!allowed.ok) return { outcome: "policy-not-allowed", kind, policy };

  // The mapping: the editor's, whole; else the stored one — whole when the columns read the same as
  // when it was made, else as hints (a changed delimiter or header row renames the columns, and the
  // preset maps what the stored names no longer find).
  let mapping = change.mapping;
  let exactMapping = mapping !== undefined;
  if (!mapping) {
    mapping = storedMapping(file);
    if (file.status === "staged") {
      const reread = change.format ? await detectStored(file, overrides) : null;
      exactMapping = !change.format || sameHeader(reread?.header, stored.header);
    }
  }

  const result = await importLoyaltyFile({
    shopId,
    migrationId,
    provider,
    kind,
    fileName: file.fileName,
    filePath: file.storagePath,
    mapping,
    exactMapping,
    formatOverrides: overrides,
    duplicatePolicy: allowed.policy,
    replace: true,
  });
  if (result.outcome !== "file-rejected") return { outcome: "imported", summary: result.summary };
  if (file.status === "staged") return { ...result, kept: "earlier-result", importFileId: file.id };
  const kept = await keepRefused(
    { shopId, migrationId, provider, kind, fileName: file.fileName, filePath: file.storagePath, sha256: file.sha256 },
    result.code,
    result.message,
    { overrides, mapping: change.mapping, policy: allowed.policy },
  );
  // The refused file is recorded anew (importLoyaltyFile removed its earlier record): its id changes.
  return { ...result, kept: kept ? "refused-file" : "nothing", importFileId: kept };
}

function sameHeader(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((h, i) => h === b[i]);
}

/** The Upload step's format form: the settings the merchant picked for one of the migration's files. */
export const FormatForm = z.object({
  fileId: z.string().min(1).max(64),
  encoding: z.enum(["utf-8", "utf-8-bom", "windows-1252", "iso-8859-1"]),
  delimiter: z.enum(["comma", "semicolon", "tab"]).transform((d): Delimiter => (d === "comma" ? "," : d === "semicolon" ? ";" : "\t")),
  decimalMark: z.enum(["dot", "comma"]),
  dateOrder: z.enum(["dmy", "mdy"]),
  headerRow: z.coerce.number().int().min(1).max(1000),
});
export type FormatFormInput = z.infer<typeof FormatForm>;

/** Re-runs the file's import read with these settings (a workbook has no encoding or delimiter to change). */
export async function reimportWithFormat(shopId: string, migrationId: string, input: FormatFormInput): Promise<RerunOutcome> {
  const file = await findListedFile(shopId, migrationId, input.fileId);
  if (!file) return { outcome: "not-found" };
  const workbook = storedFormat(file).kind === "xlsx";
  const format: Partial<FormatSettings> = {
    ...(!workbook && { encoding: input.encoding, delimiter: input.delimiter }),
    decimalMark: input.decimalMark,
    dateOrder: input.dateOrder,
    headerRow: input.headerRow,
  };
  return rerunImport(shopId, migrationId, input.fileId, { format });
}

// ------------------------------------------------------------------------------------ the views

export interface UploadStepView {
  files: ImportFileItem[];
  /** The file open on the screen: the one asked for, else the newest. */
  selected: {
    file: ImportFileItem;
    summary: ImportSummary | null;
    format: FormatPanel;
  } | null;
  /** More than one staged balances file: every one of them is carried over (their points add up). */
  balancesFiles: number;
}

/** What the Upload step shows: the migration's files and the open one's summary and format settings. */
export async function uploadStepView(shopId: string, migrationId: string, fileId?: string | null): Promise<UploadStepView | null> {
  if (!(await findMigration(shopId, migrationId))) return null;
  const files = await migrationFiles(shopId, migrationId);
  const item = (fileId ? files.find((f) => f.id === fileId) : undefined) ?? files[0];
  const balancesFiles = files.filter((f) => f.kind === "balances" && f.status === "staged").length;
  if (!item) return { files, selected: null, balancesFiles };
  const file = await prisma.importFile.findUniqueOrThrow({ where: { id: item.id } });
  return {
    files,
    selected: {
      file: item,
      summary: item.status === "staged" ? await loadSummary(file.id, unmappedOf(file)) : null,
      format: await formatPanel(file),
    },
    balancesFiles,
  };
}

/** The stored file's columns that feed no field. */
export function unmappedOf(file: Pick<ImportFile, "formatJson" | "mappingJson">): string[] {
  const used = new Set(Object.values(storedMapping(file)));
  return (storedFormat(file).header ?? []).filter((h) => h !== "" && !used.has(h));
}

/** What the Upload step shows on (re)load: the latest balances file staged for this migration. */
export async function latestImportSummary(shopId: string, migrationId: string): Promise<ImportSummary | null> {
  const file = await prisma.importFile.findFirst({
    where: { shopId, migrationId, kind: "balances", status: "staged" },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  return file ? loadSummary(file.id) : null;
}

/**
 * The rejected rows of one of this migration's files as a CSV stream, or null when the file is not
 * this shop's and this migration's (isolation: another shop's id is "not found").
 */
export async function rejectedRowsDownload(shopId: string, migrationId: string, importFileId: string): Promise<{ fileName: string; body: ReadableStream<Uint8Array> } | null> {
  const file = await prisma.importFile.findFirst({ where: { id: importFileId, shopId, migrationId }, select: { id: true, fileName: true } });
  if (!file) return null;
  const out = new PassThrough();
  writeRejectedRowsCsv(shopId, file.id, out).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  const base = path.basename(file.fileName).replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_").slice(0, 80) || "import";
  return { fileName: `${base}-rejected-rows.csv`, body: Readable.toWeb(out) as ReadableStream<Uint8Array> };
}
