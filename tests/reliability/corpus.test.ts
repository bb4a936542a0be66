import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { importLoyaltyFile, ImportRefusedError, type ImportOutcome } from "~/services/import/import.server";
import { writeRejectedRowsCsv } from "~/services/import/rejected-rows.server";
import { checkAccounts } from "~domain/import/accounts";
import { corpusDir, generateCorpus, type CorpusFile, type CorpusManifest } from "./corpus/generate";
import { reliabilitySize, Tally } from "./support/record";

// Issue 9, part 1: every file of the hostile corpus goes through the real import (the service the
// upload step and the CLI call) into a real database, and must end in the outcome its manifest
// names, with a message for every refusal and rejection, the accounts adding up in the summary and
// in the staged rows, and the process's memory bounded.

const size = reliabilitySize();
const manifest = await corpus();

/** Generated once per generator version: the files are build output (never committed). */
async function corpus(): Promise<CorpusManifest> {
  const dir = corpusDir(size);
  const version = crypto
    .createHash("sha256")
    .update(fs.readFileSync(new URL("./corpus/generate.ts", import.meta.url)))
    .update(fs.readFileSync(new URL("./corpus/zip.ts", import.meta.url)))
    .digest("hex");
  const stamp = path.join(dir, ".generator");
  const manifestFile = path.join(dir, "manifest.json");
  if (fs.existsSync(manifestFile) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === version) {
    const cached = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as CorpusManifest;
    if (cached.files.every((f) => fs.existsSync(path.join(dir, f.file)))) return cached;
  }
  const generated = await generateCorpus({ size, outDir: dir });
  fs.writeFileSync(stamp, version);
  return generated;
}

/** Memory growth allowed while one file is imported, above the RSS before it: a bound, not a timing. */
const MEMORY_BOUND_BYTES = 300 * 1024 * 1024;
/** A merchant-facing message: long enough to say something, short enough to read. */
const MESSAGE_MAX = 2000;

const INVARIANTS = [
  "the import ends in the outcome the manifest names (refused with its code, or imported with its rows valid / rejected / merged / ignored)",
  "nothing is thrown: a broken file is a typed refusal (file-rejected + code), never an exception",
  "every refusal and every rejected row carries a message for the merchant (no stack, no 'undefined', at most 2,000 characters)",
  "rows in the file = valid + rejected + merged + ignored; points in the file = valid + rejected + merged away (summary, and the staged rows)",
  "points in the file = what the generator wrote in readable cells",
  "a refused file stages nothing; the same file again changes nothing (already imported)",
  "the rejected-rows CSV has one line per rejected row and no cell a spreadsheet would run as a formula",
  "every staged row belongs to the importing shop; another shop gets neither the rejected rows nor an import into this migration (cross-shop reads)",
  `process memory grows less than ${MEMORY_BOUND_BYTES / 1024 / 1024} MiB while one file is imported`,
];

const tallies = new Map<string, Tally>();
function tallyFor(group: string): Tally {
  let tally = tallies.get(group);
  if (!tally) {
    const files = manifest.files.filter((f) => f.group === group).length;
    tally = new Tally({ category: "hostile files", check: `${group} (${files} file${files === 1 ? "" : "s"})`, invariants: INVARIANTS });
    tallies.set(group, tally);
  }
  return tally;
}

afterAll(() => {
  for (const tally of tallies.values()) tally.flush();
});

let otherShopId: string | null = null;
async function otherShop(): Promise<string> {
  otherShopId ??= (await prisma.shop.create({ data: { platform: "shopify", domain: `hostile-other-${crypto.randomBytes(5).toString("hex")}.myshopify.com` } })).id;
  return otherShopId;
}

async function newMigration() {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: `hostile-${crypto.randomBytes(5).toString("hex")}.myshopify.com`, country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "hostile corpus" } });
  return { shop, migration };
}

/** Peak RSS growth during `work`: sampled, and the process's own high-water mark when it rose. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().rss;
  const maxBefore = process.resourceUsage().maxRSS * 1024;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    const maxAfter = process.resourceUsage().maxRSS * 1024;
    if (maxAfter > maxBefore) peak = Math.max(peak, maxAfter);
    return { result, growth: peak - baseline };
  } finally {
    clearInterval(timer);
  }
}

function expectClearMessage(message: string | null | undefined, what: string) {
  expect(message, `${what}: no message`).toBeTruthy();
  const text = message ?? "";
  expect(text.trim().length, `${what}: message too short: ${text}`).toBeGreaterThanOrEqual(10);
  expect(text.length, `${what}: message of ${text.length} characters`).toBeLessThanOrEqual(MESSAGE_MAX);
  expect(text, what).not.toMatch(/\bundefined\b|\[object |\n\s+at [\w.<>]+ \(/);
}

const FORMULA_START = /^[=+\-@\t\r]/;

async function rejectedRowsCsv(shopId: string, importFileId: string): Promise<string[][]> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk as Buffer));
      done();
    },
  });
  const written = await writeRejectedRowsCsv(shopId, importFileId, out);
  expect(written).not.toBeNull();
  return parse(Buffer.concat(chunks).toString("utf8"), { bom: true, relax_column_count: true }) as string[][];
}

async function check(file: CorpusFile, tally: Tally) {
  const filePath = path.join(corpusDir(size), file.file);
  const { shop, migration } = await newMigration();
  const input = {
    shopId: shop.id,
    migrationId: migration.id,
    provider: file.provider,
    kind: file.kind,
    fileName: file.file,
    filePath,
    ...(file.duplicatePolicy && { duplicatePolicy: file.duplicatePolicy }),
    ...(file.rounding && { rounding: file.rounding }),
  };
  let thrown: unknown = null;
  const { result, growth } = await measured(async () => {
    try {
      return await importLoyaltyFile(input);
    } catch (error) {
      thrown = error;
      return null;
    }
  });
  expect(thrown, `${file.file}: the import threw ${thrown instanceof Error ? thrown.stack : String(thrown)}`).toBeNull();
  expect(growth, `${file.file}: memory grew ${(growth / 1024 / 1024).toFixed(0)} MiB`).toBeLessThan(MEMORY_BOUND_BYTES);
  const outcome = result as ImportOutcome;

  if (file.expect.outcome === "file-rejected") {
    expect(outcome.outcome === "file-rejected" ? outcome.code : `${outcome.outcome}: ${JSON.stringify(summaryCounts(outcome))}`, file.file).toBe(file.expect.code);
    if (outcome.outcome !== "file-rejected") return;
    expectClearMessage(outcome.message, `${file.file} refusal`);
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } }), `${file.file}: a refused file staged rows`).toBe(0);
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("draft");
    return;
  }

  expect(outcome.outcome === "imported" ? "imported" : `${outcome.outcome}: ${outcome.outcome === "file-rejected" ? `${outcome.code} ${outcome.message}` : ""}`, file.file).toBe("imported");
  if (outcome.outcome !== "imported") return;
  const s = outcome.summary;
  const want = file.expect;
  expect(
    { rowsTotal: s.rowsTotal, rowsValid: s.rowsValid, rowsRejected: s.rowsRejected, rowsMerged: s.rowsMerged, rowsIgnored: s.rowsIgnored, pointsInFile: s.pointsInFile },
    `${file.file}: accounts`,
  ).toEqual({
    rowsTotal: want.rowsTotal,
    rowsValid: want.rowsValid,
    rowsRejected: want.rowsRejected,
    rowsMerged: want.rowsMerged,
    rowsIgnored: want.rowsIgnored,
    pointsInFile: want.pointsInFile,
  });
  const broken = checkAccounts(s);
  tally.add({ pointsLostOrDuplicated: Math.abs(s.pointsInFile - (s.pointsValid + s.pointsRejected + s.pointsMergedAway)) + Math.abs(s.pointsInFile - want.pointsInFile) });
  expect(broken, `${file.file}: accounts`).toEqual([]);

  // The staged rows say the same as the summary.
  const byStatus = await prisma.loyaltyRecord.groupBy({ by: ["status"], where: { importFileId: s.importFileId }, _count: { _all: true }, _sum: { points: true } });
  const stored = (status: string) => byStatus.find((g) => g.status === status);
  const stagedValidPoints = Number(stored("valid")?._sum.points ?? 0);
  tally.add({ pointsLostOrDuplicated: Math.abs(stagedValidPoints - s.pointsValid) });
  expect({
    valid: stored("valid")?._count._all ?? 0,
    rejected: stored("rejected")?._count._all ?? 0,
    merged: stored("merged")?._count._all ?? 0,
    validPoints: stagedValidPoints,
    rejectedPoints: Number(stored("rejected")?._sum.points ?? 0),
  }).toEqual({ valid: s.rowsValid, rejected: s.rowsRejected, merged: s.rowsMerged, validPoints: s.pointsValid, rejectedPoints: s.pointsRejected });
  expect(await prisma.loyaltyRecord.count({ where: { importFileId: s.importFileId, NOT: { shopId: shop.id } } })).toBe(0);

  // Every rejection is explained, and the expected reasons are among them.
  const rejected = await prisma.loyaltyRecord.findMany({ where: { importFileId: s.importFileId, status: "rejected" }, select: { rowNumber: true, rejectCodes: true, rejectReason: true } });
  const codes = new Set<string>();
  for (const row of rejected) {
    expect(row.rejectCodes, `${file.file} row ${row.rowNumber}: no reject code`).toBeTruthy();
    expectClearMessage(row.rejectReason, `${file.file} row ${row.rowNumber}`);
    for (const code of (row.rejectCodes ?? "").split(",")) codes.add(code);
  }
  for (const code of want.rejectCodes) expect([...codes], `${file.file}: reject codes`).toContain(code);
  if (want.firstNames) {
    const valid = await prisma.loyaltyRecord.findMany({ where: { importFileId: s.importFileId, status: "valid" }, orderBy: { rowNumber: "asc" }, select: { firstName: true } });
    expect(valid.map((r) => r.firstName ?? ""), `${file.file}: names as decoded`).toEqual(want.firstNames);
  }

  // The rejected-rows report: one line per rejected row, nothing a spreadsheet would evaluate.
  if (s.rowsRejected > 0 && s.rowsRejected <= 50_000) {
    const lines = await rejectedRowsCsv(shop.id, s.importFileId);
    expect(lines.length - 1, `${file.file}: rejected-rows CSV lines`).toBe(s.rowsRejected);
    for (const line of lines) for (const cell of line) expect(FORMULA_START.test(cell), `${file.file}: formula cell ${JSON.stringify(cell.slice(0, 60))}`).toBe(false);
  }

  // Another shop: its id never reads this file's rejected rows, nor imports into this migration.
  const other = await otherShop();
  const leaked = await writeRejectedRowsCsv(other, s.importFileId, new Writable({ write: (_chunk, _enc, done) => done() }));
  let intruded: unknown = null;
  try {
    await importLoyaltyFile({ ...input, shopId: other });
  } catch (error) {
    intruded = error;
  }
  tally.add({ crossShopReads: (leaked === null ? 0 : 1) + (intruded instanceof ImportRefusedError ? 0 : 1) });
  expect(leaked, `${file.file}: another shop read the rejected rows`).toBeNull();
  expect(intruded, `${file.file}: another shop imported into this migration`).toBeInstanceOf(ImportRefusedError);

  // The same file again: nothing new is staged.
  const before = await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } });
  const again = await importLoyaltyFile(input);
  expect(again.outcome, `${file.file}: second import`).toBe("already-imported");
  const after = await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } });
  tally.add({ pointsLostOrDuplicated: after === before ? 0 : Math.abs(after - before) });
  expect(after, `${file.file}: rows staged by the second import`).toBe(before);
}

function summaryCounts(outcome: ImportOutcome) {
  if (outcome.outcome === "file-rejected") return { code: outcome.code };
  const s = outcome.summary;
  return { rowsTotal: s.rowsTotal, rowsValid: s.rowsValid, rowsRejected: s.rowsRejected, rowsMerged: s.rowsMerged, rowsIgnored: s.rowsIgnored, pointsInFile: s.pointsInFile };
}

describe(`hostile-file corpus (${size}: ${manifest.files.length} files)`, () => {
  it("has at least 100 files", () => {
    expect(manifest.files.length).toBeGreaterThanOrEqual(100);
  });

  for (const file of manifest.files) {
    it(`${file.group}: ${file.file} — ${file.exercises}`, async () => {
      const tally = tallyFor(file.group);
      await tally.run(file.file, () => check(file, tally));
    });
  }
});
