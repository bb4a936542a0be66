// Ops CLI: `npx carryover <command> [options]`. Each command parses its options with zod and
// calls the same services the admin uses.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { IMPORT_KINDS, PROVIDERS, TARGET_FIELDS } from "~domain/import/types";
import { IllegalTransitionError } from "~domain/migration-state";
import { ImportRefusedError, importLoyaltyFile, type ImportSummary } from "../services/import/import.server";
import { writeRejectedRowsCsv } from "../services/import/rejected-rows.server";
import { createMigration, findMigration } from "../services/migrations.server";
import { findShop } from "../services/shops.server";
import prisma from "../db.server";
import { APPLY_USAGE, applyCommand, reportCommand } from "./apply-commands";
import { CliUsageError } from "./cli-support";
import { RECONCILE_USAGE, reconcileCommand, reviewCommand, rulesCommand, syncCommand } from "./reconcile-commands";
import { ROLLBACK_USAGE, couponsCommand, rollbackCommand } from "./rollback-commands";

const USAGE = `Usage:
  npx carryover import --shop <domain> --provider <${PROVIDERS.join("|")}> --file <path>
                       [--kind ${IMPORT_KINDS.join("|")}]
                       [--mapping '{"email":"E-mail","points":"Saldo"}'] [--migration <id>]
                       [--duplicates sum|max|latest|review (balances: sum by default; tiers: latest|review, latest by default)]
                       [--rounding reject|round|floor|ceil]
                       [--max-points N] [--country BR] [--platform shopify|nuvemshop]
                       [--encoding utf-8|utf-8-bom|windows-1252|iso-8859-1] [--delimiter ','|';'|tab]
                       [--decimal dot|comma] [--date-order dmy|mdy] [--rejected-csv <path>] [--json]
                       [--now <ISO date> (coupons: the date expiry is judged at; today by default)]
${RECONCILE_USAGE}
${APPLY_USAGE}
${ROLLBACK_USAGE}`;

class UsageError extends Error {}

const ImportOptions = z.object({
  shop: z.string().min(1),
  platform: z.enum(["shopify", "nuvemshop"]).default("shopify"),
  provider: z.enum(PROVIDERS),
  file: z.string().min(1),
  kind: z.enum(IMPORT_KINDS).default("balances"),
  mapping: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return undefined;
      try {
        return z.record(z.enum(TARGET_FIELDS), z.string()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: "custom", message: `--mapping must be JSON like {"email":"E-mail"} with fields among ${TARGET_FIELDS.join(", ")}` });
        return z.NEVER;
      }
    }),
  migration: z.string().optional(),
  // No default here: the service picks the kind's own (policyForKind: sum for balances, latest for tiers).
  duplicates: z.enum(["sum", "max", "latest", "review"]).optional(),
  rounding: z.enum(["reject", "round", "floor", "ceil"]).default("reject"),
  "max-points": z.coerce.number().int().positive().optional(),
  country: z.string().length(2).optional(),
  encoding: z.enum(["utf-8", "utf-8-bom", "windows-1252", "iso-8859-1"]).optional(),
  delimiter: z
    .string()
    .transform((d) => (d === "tab" || d === "\\t" ? "\t" : d))
    .pipe(z.enum([",", ";", "\t"]))
    .optional(),
  decimal: z.enum(["dot", "comma"]).optional(),
  "date-order": z.enum(["dmy", "mdy"]).optional(),
  "rejected-csv": z.string().optional(),
  now: z
    .string()
    .refine((text) => !Number.isNaN(Date.parse(text)), "must be an ISO date like 2025-06-15")
    .transform((text) => new Date(text))
    .optional(),
  json: z.boolean().default(false),
});

async function importCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.keys(ImportOptions.shape).map((k) => [k, { type: k === "json" ? "boolean" : "string" }]),
    ) as Record<string, { type: "string" | "boolean" }>,
  });
  const parsed = ImportOptions.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
  const o = parsed.data;
  if (!fs.existsSync(o.file)) throw new UsageError(`--file: ${o.file} does not exist`);

  const shop = await findShop(o.platform, o.shop);
  if (!shop) throw new UsageError(`--shop: ${o.shop} is not installed (${o.platform})`);
  const migration = o.migration
    ? await findMigration(shop.id, o.migration)
    : await createMigration({ shopId: shop.id, name: `Import of ${path.basename(o.file)}`, oldProvider: o.provider });
  if (!migration) throw new UsageError(`--migration: ${o.migration} is not a migration of ${o.shop}`);

  const overrides = {
    ...(o.encoding && { encoding: o.encoding }),
    ...(o.delimiter && { delimiter: o.delimiter }),
    ...(o.decimal && { decimalMark: o.decimal }),
    ...(o["date-order"] && { dateOrder: o["date-order"] }),
  };
  const result = await importLoyaltyFile({
    shopId: shop.id,
    migrationId: migration.id,
    provider: o.provider,
    fileName: path.basename(o.file),
    kind: o.kind,
    filePath: o.file,
    mapping: o.mapping,
    formatOverrides: overrides,
    duplicatePolicy: o.duplicates,
    rounding: o.rounding,
    maxPoints: o["max-points"],
    defaultCountry: o.country,
    now: o.now,
  });

  if (result.outcome === "file-rejected") {
    if (o.json) console.log(JSON.stringify({ outcome: result.outcome, code: result.code, message: result.message }));
    else console.error(`File refused (${result.code}): ${result.message}`);
    return 2;
  }
  if (o["rejected-csv"]) await writeRejectedRowsCsv(shop.id, result.summary.importFileId, fs.createWriteStream(o["rejected-csv"]));
  if (o.json) console.log(JSON.stringify(jsonSummary(result.outcome, migration.id, result.summary)));
  else printSummary(result.outcome, migration.id, result.summary);
  return 0;
}

function jsonSummary(outcome: string, migrationId: string, s: ImportSummary) {
  return {
    outcome,
    migrationId,
    importFileId: s.importFileId,
    provider: s.provider,
    kind: s.kind,
    fileName: s.fileName,
    sha256: s.sha256,
    encoding: s.format.encoding,
    delimiter: s.format.delimiter,
    decimalMark: s.format.decimalMark,
    dateOrder: s.format.dateOrder,
    formatNotes: s.format.notes,
    mapping: s.mapping,
    duplicatePolicy: s.duplicatePolicy,
    rowsTotal: s.rowsTotal,
    rowsValid: s.rowsValid,
    rowsRejected: s.rowsRejected,
    rowsMerged: s.rowsMerged,
    rowsIgnored: s.rowsIgnored,
    pointsInFile: s.pointsInFile,
    pointsValid: s.pointsValid,
    pointsRejected: s.pointsRejected,
    pointsMergedAway: s.pointsMergedAway,
    rejectReasons: s.rejectReasons,
    ...(s.coupons && { coupons: s.coupons }),
  };
}

function printSummary(outcome: string, migrationId: string, s: ImportSummary) {
  const n = (x: number) => x.toLocaleString("en");
  const delimiterName = s.format.delimiter === "\t" ? "tab" : s.format.delimiter;
  console.log(
    [
      outcome === "already-imported" ? `${s.fileName} was already imported into this migration: nothing changed.` : `Imported ${s.fileName} (${s.provider}, ${s.kind}).`,
      `  migration ${migrationId}, import ${s.importFileId}`,
      `  format: ${s.format.kind}, ${s.format.encoding}, delimiter ${delimiterName}, decimal ${s.format.decimalMark}, dates ${s.format.dateOrder}`,
      ...s.format.notes.map((note) => `  note: ${note}`),
      `  rows:   ${n(s.rowsTotal)} = ${n(s.rowsValid)} valid + ${n(s.rowsRejected)} rejected + ${n(s.rowsMerged)} merged + ${n(s.rowsIgnored)} ignored`,
      `  points: ${n(s.pointsInFile)} = ${n(s.pointsValid)} valid + ${n(s.pointsRejected)} rejected + ${n(s.pointsMergedAway)} merged away`,
      ...Object.entries(s.rejectReasons).map(([code, count]) => `  rejected ${code}: ${n(count)}`),
      ...(s.coupons
        ? [
            `  coupons: ${n(s.coupons.total)} staged, ${n(s.coupons.expired)} expired before ${s.coupons.asOf} (imported all the same: cancel or refund them later), ${n(s.coupons.withoutExpiry)} without expiry`,
          ]
        : []),
    ].join("\n"),
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "import") return await importCommand(rest);
    if (command === "sync") return await syncCommand(rest);
    if (command === "reconcile") return await reconcileCommand(rest);
    if (command === "review") return await reviewCommand(rest);
    if (command === "rules") return await rulesCommand(rest);
    if (command === "rollback") return await rollbackCommand(rest);
    if (command === "coupons") return await couponsCommand(rest);
    if (command === "apply") return await applyCommand(rest);
    if (command === "report") return await reportCommand(rest);
    console.error(command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
    return 64;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CliUsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 64;
    }
    if (error instanceof ImportRefusedError || error instanceof IllegalTransitionError) {
      console.error(`Refused: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await prisma.$disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
