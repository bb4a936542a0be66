import fs from "node:fs";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { ImportSummary } from "~/services/import/import.server";
import { FormatForm, migrationFiles, receiveUpload, reimportWithFormat, rerunImport, uploadStepView } from "~/services/admin/upload.server";
import { MappingForm, PolicyForm, RejectedQuery, changeDuplicatePolicy, mapStepView, mappingFormFrom, rejectedRowsPage, remapColumns } from "~/services/admin/map-step.server";
import { startMigration } from "~/services/admin/wizard.server";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

const WIN1252 = "tests/fixtures/import/wizard/clube-windows-1252.csv";
const GENERIC = "tests/fixtures/import/wizard/generic-own-headers.csv";
const SMILE = "tests/fixtures/import/providers/smile.csv";
const SMILE_TIERS = "tests/fixtures/import/kinds/smile-tiers.csv";

async function newShop() {
  return prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("upload-map"), country: "BR" } });
}

async function newMigration() {
  const shop = await newShop();
  const { id } = await startMigration(shop.id, "m");
  return { shopId: shop.id, migrationId: id };
}

function multipart(fields: Record<string, string>, file: { name: string; path: string }): Request {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("file", new Blob([fs.readFileSync(file.path)], { type: "text/csv" }), file.name);
  return new Request("http://127.0.0.1/app/migrations/x/upload-file", { method: "POST", body: form });
}

async function upload(shopId: string, migrationId: string, fixture: string, fields: Record<string, string> = { provider: "generic" }) {
  return receiveUpload(multipart(fields, { name: fixture.split("/").pop()!, path: fixture }), shopId, migrationId);
}

function imported(result: { outcome: string }): ImportSummary {
  expect(result.outcome, JSON.stringify(result)).toBe("imported");
  return (result as unknown as { summary: ImportSummary }).summary;
}

/** The accounts add up, and the migration holds exactly this file's staged rows (nothing of an earlier run). */
async function expectAccounted(migrationId: string, s: ImportSummary) {
  expect(s.rowsValid + s.rowsRejected + s.rowsMerged + s.rowsIgnored).toBe(s.rowsTotal);
  expect(s.pointsValid + s.pointsRejected + s.pointsMergedAway).toBe(s.pointsInFile);
  const files = await prisma.importFile.findMany({ where: { migrationId } });
  expect(files.filter((f) => f.status === "staged").map((f) => f.id)).toEqual([s.importFileId]);
  expect(await prisma.loyaltyRecord.count({ where: { migrationId } })).toBe(s.rowsValid + s.rowsRejected + s.rowsMerged);
  expect(await prisma.loyaltyRecord.count({ where: { migrationId, importFileId: { not: s.importFileId } } })).toBe(0);
  const valid = await prisma.loyaltyRecord.aggregate({ where: { migrationId, status: "valid" }, _sum: { points: true } });
  expect(valid._sum.points ?? 0).toBe(s.pointsValid);
}

const formatForm = (fileId: string, over: Record<string, string> = {}) =>
  FormatForm.parse({ fileId, encoding: "windows-1252", delimiter: "semicolon", decimalMark: "comma", dateOrder: "dmy", headerRow: "1", ...over });

describe("the Upload step's format settings", () => {
  it("shows what was detected, and an override re-runs the stored file and replaces the earlier result", async () => {
    const { shopId, migrationId } = await newMigration();
    const first = imported(await upload(shopId, migrationId, WIN1252, { provider: "generic", kind: "balances" }));
    expect(first.format).toMatchObject({ encoding: "windows-1252", delimiter: ";", decimalMark: "comma", dateOrder: "dmy", headerRow: 1 });
    expect(first).toMatchObject({ rowsTotal: 6, rowsValid: 4, rowsRejected: 2, pointsInFile: 16114, pointsValid: 15814, pointsRejected: 300 });
    expect(first.rejectReasons).toEqual({ INVALID_EMAIL: 1, FRACTIONAL_POINTS: 1 });
    await expectAccounted(migrationId, first);
    const names = await prisma.loyaltyRecord.findMany({ where: { importFileId: first.importFileId, status: "valid" }, orderBy: { rowNumber: "asc" }, select: { firstName: true, lastName: true } });
    expect(names.map((n) => `${n.firstName} ${n.lastName}`)).toEqual(["João Silva", "Maria Conceição", "Estêvão Souza", "Caio Gonçalves"]);

    const view = await uploadStepView(shopId, migrationId);
    expect(view?.selected?.file.id).toBe(first.importFileId);
    expect(view?.selected?.format).toMatchObject({
      fileKind: "csv",
      used: { encoding: "windows-1252", delimiter: ";", decimalMark: "comma", dateOrder: "dmy", headerRow: 1 },
      detected: { encoding: "windows-1252", delimiter: ";", decimalMark: "comma", dateOrder: "dmy", headerRow: 1 },
      overridden: [],
    });

    // Dot decimals: "1.234" and "12.500" become fractions, "2.000" is 2 points.
    const second = imported(await reimportWithFormat(shopId, migrationId, formatForm(first.importFileId, { decimalMark: "dot" })));
    expect(second.importFileId).not.toBe(first.importFileId);
    expect(second).toMatchObject({ fileName: "clube-windows-1252.csv", sha256: first.sha256, rowsTotal: 6, rowsValid: 2, rowsRejected: 4, pointsInFile: 382, pointsValid: 82, pointsRejected: 300 });
    expect(second.format).toMatchObject({ decimalMark: "dot", encoding: "windows-1252", delimiter: ";" });
    expect(second.rejectReasons).toEqual({ INVALID_EMAIL: 1, FRACTIONAL_POINTS: 2, INVALID_POINTS: 1 });
    expect(second.mapping).toEqual(first.mapping);
    await expectAccounted(migrationId, second);
    expect(await prisma.importFile.findUnique({ where: { id: first.importFileId } })).toBeNull();

    const after = await uploadStepView(shopId, migrationId);
    expect(after?.files.map((f) => f.id)).toEqual([second.importFileId]);
    expect(after?.selected?.format).toMatchObject({ used: { decimalMark: "dot" }, detected: { decimalMark: "comma" }, overridden: ["decimalMark"] });
    expect((await mapStepView(shopId, migrationId))?.overridden).toEqual(["decimalMark"]);

    // The same file uploaded again as it was: nothing changes, the override stands.
    const again = await upload(shopId, migrationId, WIN1252, { provider: "generic", kind: "balances" });
    expect(again.outcome).toBe("already-imported");
    if (again.outcome === "already-imported") expect(again.summary.importFileId).toBe(second.importFileId);

    // Back to the detected settings: the first result again, still one file.
    const third = imported(await reimportWithFormat(shopId, migrationId, formatForm(second.importFileId)));
    expect(third).toMatchObject({ rowsValid: 4, rowsRejected: 2, pointsValid: 15814 });
    await expectAccounted(migrationId, third);
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: migrationId } })).state).toBe("validated");
  });

  it("keeps the earlier result whole when the new settings are refused", async () => {
    const { shopId, migrationId } = await newMigration();
    const first = imported(await upload(shopId, migrationId, WIN1252));
    // The last line as the header: its values are no column names.
    const refused = await reimportWithFormat(shopId, migrationId, formatForm(first.importFileId, { headerRow: "7" }));
    expect(refused).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN", kept: "earlier-result", importFileId: first.importFileId });
    // Past the last line: no header at all.
    const noHeader = await reimportWithFormat(shopId, migrationId, formatForm(first.importFileId, { headerRow: "20" }));
    expect(noHeader).toMatchObject({ outcome: "file-rejected", kept: "earlier-result" });
    // A comma delimiter reads one column: no customer column any more.
    const noColumns = await reimportWithFormat(shopId, migrationId, formatForm(first.importFileId, { delimiter: "comma" }));
    expect(noColumns).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN", kept: "earlier-result" });
    await expectAccounted(migrationId, first);
    expect(await prisma.importFile.count({ where: { migrationId } })).toBe(1);
  });

  it("clears what an interrupted replacement left beside the earlier result", async () => {
    const { shopId, migrationId } = await newMigration();
    const first = imported(await upload(shopId, migrationId, WIN1252));
    // A process killed while staging a replacement: provisional rows, never staged.
    const leftover = await prisma.importFile.create({
      data: { shopId, migrationId, fileName: "clube-windows-1252.csv", sha256: `${first.sha256}~crashed`, sizeBytes: BigInt(1), storagePath: "/nowhere", status: "staging" },
    });
    await prisma.loyaltyRecord.createMany({ data: [2, 3].map((rowNumber) => ({ shopId, migrationId, importFileId: leftover.id, rowNumber, status: "valid", points: 999, rawJson: "{}" })) });
    expect((await migrationFiles(shopId, migrationId)).map((f) => f.id)).toEqual([first.importFileId]);
    const second = imported(await reimportWithFormat(shopId, migrationId, formatForm(first.importFileId, { decimalMark: "dot" })));
    await expectAccounted(migrationId, second);
    expect(await prisma.importFile.findUnique({ where: { id: leftover.id } })).toBeNull();
  });

  it("keeps a file refused for its title line, and reads it from the header row the merchant points to", async () => {
    const { shopId, migrationId } = await newMigration();
    const file = tempFile("with-title.csv", "Relatório de pontos — dezembro\n\nemail,points\nana@example.com,10\nbia@example.com,20\n");
    const refused = await upload(shopId, migrationId, file);
    expect(refused).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN" });
    const fileId = (refused as { importFileId: string }).importFileId;
    const view = await uploadStepView(shopId, migrationId);
    expect(view?.selected).toMatchObject({ file: { id: fileId, status: "refused" }, summary: null, format: { used: { headerRow: 1 } } });
    const s = imported(await reimportWithFormat(shopId, migrationId, formatForm(fileId, { encoding: "utf-8", delimiter: "comma", decimalMark: "dot", headerRow: "3" })));
    expect(s).toMatchObject({ rowsTotal: 2, rowsValid: 2, pointsValid: 30, format: { headerRow: 3 } });
    await expectAccounted(migrationId, s);
    expect(await migrationFiles(shopId, migrationId)).toMatchObject([{ id: s.importFileId, status: "staged" }]);
  });

  it("replaces the file's result when the same file comes back as another kind", async () => {
    const { shopId, migrationId } = await newMigration();
    const balances = imported(await upload(shopId, migrationId, SMILE, { provider: "smile", kind: "balances" }));
    const tiers = imported(await upload(shopId, migrationId, SMILE, { provider: "smile", kind: "tiers" }));
    expect(tiers).toMatchObject({ kind: "tiers", sha256: balances.sha256, pointsInFile: 0 });
    await expectAccounted(migrationId, tiers);
    expect((await migrationFiles(shopId, migrationId)).map((f) => [f.kind, f.status])).toEqual([["tiers", "staged"]]);
  });
});

describe("the Map & validate step", () => {
  it("keeps a generic file it cannot map, shows its columns with their first values, and validates it with the merchant's mapping", async () => {
    const { shopId, migrationId } = await newMigration();
    const refused = await upload(shopId, migrationId, GENERIC);
    expect(refused).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN" });
    const fileId = refused.outcome === "file-rejected" ? refused.importFileId : null;
    expect(fileId).toBeTruthy();
    expect(await migrationFiles(shopId, migrationId)).toMatchObject([{ id: fileId, status: "refused", refusal: { code: "NO_IDENTITY_COLUMN" } }]);
    expect(await prisma.loyaltyRecord.count({ where: { migrationId } })).toBe(0);

    const view = await mapStepView(shopId, migrationId);
    expect(view?.file?.id).toBe(fileId);
    expect(view?.summary).toBeNull();
    expect(view?.columns).toEqual([
      { index: 0, header: "Contato", samples: ["ana.souza@example.com", "bruno@example", "carla.dias@example.com"], field: null, repeated: false },
      { index: 1, header: "Saldo atual", samples: ["120", "75", "-10"], field: null, repeated: false },
      { index: 2, header: "Cliente", samples: ["Ana Souza", "Bruno Lima", "Carla Dias"], field: null, repeated: false },
      { index: 3, header: "Loja", samples: ["Centro", "Centro", "Norte"], field: null, repeated: false },
    ]);
    expect(view?.fields).toContain("email");
    expect(view?.fields).not.toContain("couponCode");

    // Only points chosen: refused again, still kept (recorded anew) with what was tried.
    let current = fileId!;
    const form = (columns: Record<string, string>) => {
      const data = new FormData();
      data.set("fileId", current);
      for (const [k, v] of Object.entries(columns)) data.set(`column.${k}`, v);
      return MappingForm.parse(mappingFormFrom(data));
    };
    const stillRefused = await remapColumns(shopId, migrationId, form({ 0: "", 1: "points", 2: "", 3: "" }));
    expect(stillRefused).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN", kept: "refused-file" });
    current = (stillRefused as { importFileId: string }).importFileId;
    expect((await migrationFiles(shopId, migrationId)).map((f) => [f.id, f.status])).toEqual([[current, "refused"]]);
    expect((await mapStepView(shopId, migrationId))?.columns.map((c) => c.field)).toEqual([null, "points", null, null]);
    expect(await remapColumns(shopId, migrationId, form({ 0: "email", 1: "email" }))).toEqual({ outcome: "invalid-mapping", problem: "field-twice", field: "email" });
    expect(await remapColumns(shopId, migrationId, form({ 0: "email", 1: "couponCode" }))).toEqual({ outcome: "invalid-mapping", problem: "not-a-field-of-kind", field: "couponCode" });
    expect(await remapColumns(shopId, migrationId, form({ 9: "email" }))).toEqual({ outcome: "invalid-mapping", problem: "no-such-column" });

    const s = imported(await remapColumns(shopId, migrationId, form({ 0: "email", 1: "points", 2: "fullName", 3: "" })));
    expect(s).toMatchObject({ rowsTotal: 6, rowsValid: 3, rowsRejected: 3, pointsInFile: 1505, pointsValid: 1400, pointsRejected: 105 });
    expect(s.mapping).toEqual({ email: "Contato", points: "Saldo atual", fullName: "Cliente" });
    await expectAccounted(migrationId, s);
    const mapped = await mapStepView(shopId, migrationId);
    expect(mapped?.file).toMatchObject({ id: s.importFileId, status: "staged" });
    expect(mapped?.columns.map((c) => c.field)).toEqual(["email", "points", "fullName", null]);
    expect(mapped?.summary?.unmappedHeaders).toEqual(["Loja"]);
    expect(await prisma.importFile.count({ where: { migrationId } })).toBe(1);
  });

  it("takes the editor's mapping whole: a column the preset reads can be left unread", async () => {
    const { shopId, migrationId } = await newMigration();
    const first = imported(await upload(shopId, migrationId, SMILE, { provider: "smile" }));
    expect(first.mapping.firstName).toBe("First name");
    const view = await mapStepView(shopId, migrationId);
    const columns = Object.fromEntries(view!.columns.map((c) => [String(c.index), c.field ?? ""]));
    columns[String(view!.columns.find((c) => c.header === "First name")!.index)] = "";
    const s = imported(await remapColumns(shopId, migrationId, MappingForm.parse({ fileId: first.importFileId, columns })));
    expect(s.mapping.firstName).toBeUndefined();
    expect(s.mapping.points).toBe("Points balance");
    expect(s).toMatchObject({ rowsValid: first.rowsValid, pointsValid: first.pointsValid });
    expect(await prisma.loyaltyRecord.count({ where: { migrationId, firstName: { not: null } } })).toBe(0);
    await expectAccounted(migrationId, s);
  });

  it("pages and filters the rejected rows, read from the staged rows", async () => {
    const { shopId, migrationId } = await newMigration();
    const lines = ["email,points"];
    for (let i = 1; i <= 70; i++) {
      if (i % 7 === 0) lines.push(`ok${i}@example.com,${i}`);
      else if (i % 3 === 0) lines.push(`neg${i}@example.com,-${i}`);
      else lines.push(`bad${i}@example,${i}`);
    }
    const file = tempFile("many-rejected.csv", lines.join("\n"));
    const s = imported(await upload(shopId, migrationId, file));
    const negatives = Array.from({ length: 70 }, (_, k) => k + 1).filter((i) => i % 7 !== 0 && i % 3 === 0).length;
    expect(s.rowsRejected).toBe(60);
    expect(s.rejectReasons).toEqual({ INVALID_EMAIL: 60 - negatives, NEGATIVE_POINTS: negatives });

    const page1 = await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({}));
    expect(page1).toMatchObject({ total: 60, page: 1, pageCount: 3, pageSize: 25, reason: null });
    expect(page1?.reasons).toEqual([
      { code: "INVALID_EMAIL", count: 60 - negatives },
      { code: "NEGATIVE_POINTS", count: negatives },
    ]);
    const page2 = await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({ page: "2" }));
    const page3 = await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({ page: "3" }));
    const numbers = [...page1!.rows, ...page2!.rows, ...page3!.rows].map((r) => r.rowNumber);
    expect(page1!.rows).toHaveLength(25);
    expect(page3!.rows).toHaveLength(10);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(60);
    expect(page1!.rows[0]).toEqual({ rowNumber: 2, codes: ["INVALID_EMAIL"], customer: "bad1@example", points: "1" });
    // A page past the end shows the last one.
    expect((await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({ page: "99" })))?.page).toBe(3);

    const filtered = await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({ reason: "NEGATIVE_POINTS" }));
    expect(filtered).toMatchObject({ total: negatives, pageCount: 1, reason: "NEGATIVE_POINTS" });
    expect(filtered!.rows.every((r) => r.codes.includes("NEGATIVE_POINTS") && r.customer?.startsWith("neg") && r.points?.startsWith("-"))).toBe(true);
    // A reason the file does not have, or garbage, is no filter.
    expect((await rejectedRowsPage(shopId, migrationId, s.importFileId, RejectedQuery.parse({ reason: "INVALID_CPF" })))?.reason).toBeNull();
    expect(RejectedQuery.parse({ reason: "'; drop", page: "x" })).toEqual({ reason: undefined, page: 1 });
  });

  it("re-applies a duplicate policy, replacing the earlier result, and refuses a policy the kind does not take", async () => {
    const { shopId, migrationId } = await newMigration();
    const sum = imported(await upload(shopId, migrationId, SMILE, { provider: "smile" }));
    expect(sum).toMatchObject({ duplicatePolicy: "sum", rowsMerged: 1, pointsMergedAway: 0 });
    expect((await mapStepView(shopId, migrationId))?.policy).toEqual({ value: "sum", options: ["sum", "max", "latest", "review"] });

    const max = imported(await changeDuplicatePolicy(shopId, migrationId, PolicyForm.parse({ fileId: sum.importFileId, policy: "max" })));
    expect(max).toMatchObject({ duplicatePolicy: "max", rowsMerged: 1, pointsMergedAway: 300, pointsValid: sum.pointsValid - 300 });
    await expectAccounted(migrationId, max);

    const review = imported(await changeDuplicatePolicy(shopId, migrationId, PolicyForm.parse({ fileId: max.importFileId, policy: "review" })));
    expect(review).toMatchObject({ duplicatePolicy: "review", rowsMerged: 0, rowsRejected: sum.rowsRejected + 2 });
    expect(review.rejectReasons.DUPLICATE_FOR_REVIEW).toBe(2);
    await expectAccounted(migrationId, review);
    const forReview = await rejectedRowsPage(shopId, migrationId, review.importFileId, RejectedQuery.parse({ reason: "DUPLICATE_FOR_REVIEW" }));
    expect(forReview?.rows.map((r) => r.customer?.toLowerCase())).toEqual(["ana.souza@example.com", "ana.souza@example.com"]);
    // The mapping survives a policy change.
    expect(review.mapping).toEqual(sum.mapping);

    const tiers = await newMigration();
    const t = imported(await upload(tiers.shopId, tiers.migrationId, SMILE_TIERS, { provider: "smile", kind: "tiers" }));
    expect((await mapStepView(tiers.shopId, tiers.migrationId))?.policy).toEqual({ value: "latest", options: ["latest", "review"] });
    expect(await changeDuplicatePolicy(tiers.shopId, tiers.migrationId, PolicyForm.parse({ fileId: t.importFileId, policy: "sum" }))).toEqual({ outcome: "policy-not-allowed", kind: "tiers", policy: "sum" });
    expect(await rerunImport(tiers.shopId, tiers.migrationId, t.importFileId, { policy: "max" })).toEqual({ outcome: "policy-not-allowed", kind: "tiers", policy: "max" });
    imported(await changeDuplicatePolicy(tiers.shopId, tiers.migrationId, PolicyForm.parse({ fileId: t.importFileId, policy: "review" })));

    const history = await newMigration();
    const h = imported(await upload(history.shopId, history.migrationId, "tests/fixtures/import/history/smile-history.csv", { provider: "smile", kind: "history" }));
    expect(await changeDuplicatePolicy(history.shopId, history.migrationId, PolicyForm.parse({ fileId: h.importFileId, policy: "max" }))).toEqual({ outcome: "policy-not-applicable", kind: "history" });
  });
});

describe("isolation and closed migrations", () => {
  it("answers not found for another shop's migration or file, and another migration's file", async () => {
    const { shopId, migrationId } = await newMigration();
    const s = imported(await upload(shopId, migrationId, SMILE, { provider: "smile" }));
    const other = await newShop();
    const otherMigration = await startMigration(shopId, "another of the same shop");
    const policy = PolicyForm.parse({ fileId: s.importFileId, policy: "max" });
    const mapping = MappingForm.parse({ fileId: s.importFileId, columns: { 0: "email" } });

    expect(await uploadStepView(other.id, migrationId)).toBeNull();
    expect(await mapStepView(other.id, migrationId)).toBeNull();
    expect(await rejectedRowsPage(other.id, migrationId, s.importFileId, RejectedQuery.parse({}))).toBeNull();
    expect(await rejectedRowsPage(shopId, otherMigration.id, s.importFileId, RejectedQuery.parse({}))).toBeNull();
    for (const [shop, migration] of [
      [other.id, migrationId],
      [shopId, otherMigration.id],
    ] as const) {
      expect(await reimportWithFormat(shop, migration, formatForm(s.importFileId))).toEqual({ outcome: "not-found" });
      expect(await remapColumns(shop, migration, mapping)).toEqual({ outcome: "not-found" });
      expect(await changeDuplicatePolicy(shop, migration, policy)).toEqual({ outcome: "not-found" });
      expect(await rerunImport(shop, migration, s.importFileId, {})).toEqual({ outcome: "not-found" });
    }
    // The other migration's view does not open this file.
    expect((await mapStepView(shopId, otherMigration.id, s.importFileId))?.file).toBeNull();
    await expectAccounted(migrationId, s);
  });

  it("refuses to re-run a file of a migration past validation", async () => {
    const { shopId, migrationId } = await newMigration();
    const s = imported(await upload(shopId, migrationId, SMILE, { provider: "smile" }));
    await prisma.migration.update({ where: { id: migrationId }, data: { state: "previewed" } });
    expect(await changeDuplicatePolicy(shopId, migrationId, PolicyForm.parse({ fileId: s.importFileId, policy: "max" }))).toEqual({ outcome: "migration-closed", state: "previewed" });
    expect((await mapStepView(shopId, migrationId))?.editable).toBe(false);
    await expectAccounted(migrationId, s);
  });
});
