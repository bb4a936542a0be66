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
import { z } from "zod";
import { PROVIDERS, type ImportFileErrorCode, type ProviderId } from "~domain/import/types";
import prisma from "../../db.server";
import { coreEnv } from "../../env.server";
import { importLoyaltyFile, loadSummary, type ImportSummary } from "../import/import.server";
import { writeRejectedRowsCsv } from "../import/rejected-rows.server";
import { findMigration } from "../migrations.server";
import { stepEditable } from "./wizard-steps";

export type UploadOutcome =
  | { outcome: "imported" | "already-imported"; summary: ImportSummary }
  | { outcome: "file-rejected"; code: ImportFileErrorCode; message: string }
  | { outcome: "no-file" }
  | { outcome: "too-large"; maxBytes: number }
  | { outcome: "migration-closed"; state: string }
  | { outcome: "not-found" };

const Fields = z.object({ provider: z.enum(PROVIDERS).optional() });

/**
 * The Upload step: the multipart body is streamed to a temporary file under UPLOAD_DIR (never held
 * in memory, never under public/), then importLoyaltyFile keeps it through the storage service,
 * validates and stages every row. The temporary file is removed whatever happens.
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
    const fields = Fields.safeParse({ provider: form.get("provider") || undefined });
    const provider: ProviderId = (fields.success ? fields.data.provider : undefined) ?? (migration.oldProvider as ProviderId | null) ?? "generic";
    const result = await importLoyaltyFile({ shopId, migrationId, provider, fileName: originalName || file.name, filePath: file.getFilePath(), kind: "balances" });
    return result;
  } finally {
    await file.remove().catch(() => undefined);
  }
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
