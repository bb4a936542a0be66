import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { importLoyaltyFile, type ImportInput } from "~/services/import/import.server";
import { writeRejectedRowsCsv } from "~/services/import/rejected-rows.server";
import { checkAccounts } from "~domain/import/accounts";
import type { ProviderId } from "~domain/import/types";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

const PROVIDERS_DIR = "tests/fixtures/import/providers";
const BAD_DIR = "tests/fixtures/import/bad";

interface Expected {
  provider: ProviderId;
  rowsTotal: number;
  rowsValid: number;
  rowsRejected: number;
  rowsMerged: number;
  rowsIgnored: number;
  pointsInFile: number;
  pointsValid: number;
  pointsRejected: number;
}

async function newMigration(country = "BR") {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("import"), country } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "test" } });
  return { shop, migration };
}


async function importFile(filePath: string, extra: Partial<ImportInput> = {}) {
  const { shop, migration } = await newMigration();
  const result = await importLoyaltyFile({
    shopId: shop.id,
    migrationId: migration.id,
    provider: "generic",
    fileName: path.basename(filePath),
    filePath,
    ...extra,
  });
  return { shop, migration, result };
}

async function stagedCount(migrationId: string) {
  return prisma.loyaltyRecord.count({ where: { migrationId } });
}

function collect(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    }),
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

describe("provider presets: each fixture imports with the right numbers", () => {
  const expected = JSON.parse(fs.readFileSync(path.join(PROVIDERS_DIR, "expected.json"), "utf8")) as Record<string, Expected>;
  for (const [fileName, want] of Object.entries(expected)) {
    it(`${fileName} (${want.provider})`, async () => {
      const { migration, result } = await importFile(path.join(PROVIDERS_DIR, fileName), { provider: want.provider, duplicatePolicy: "sum" });
      expect(result.outcome).toBe("imported");
      if (result.outcome !== "imported") return;
      const s = result.summary;
      expect({
        rowsTotal: s.rowsTotal,
        rowsValid: s.rowsValid,
        rowsRejected: s.rowsRejected,
        rowsMerged: s.rowsMerged,
        rowsIgnored: s.rowsIgnored,
        pointsInFile: s.pointsInFile,
        pointsValid: s.pointsValid,
        pointsRejected: s.pointsRejected,
      }).toEqual({
        rowsTotal: want.rowsTotal,
        rowsValid: want.rowsValid,
        rowsRejected: want.rowsRejected,
        rowsMerged: want.rowsMerged,
        rowsIgnored: want.rowsIgnored,
        pointsInFile: want.pointsInFile,
        pointsValid: want.pointsValid,
        pointsRejected: want.pointsRejected,
      });
      expect(checkAccounts(s)).toEqual([]);
      const staged = await prisma.loyaltyRecord.aggregate({ where: { migrationId: migration.id, status: "valid" }, _sum: { points: true } });
      expect(staged._sum.points ?? 0).toBe(want.pointsValid);
      expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("validated");
    });
  }
});

describe("XLSX", () => {
  it("imports the first sheet of a workbook like a CSV", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Clientes");
    sheet.addRow(["E-mail", "Pontos", "Nível", "Data de Nascimento"]);
    sheet.addRow(["ana@example.com", 1500, "Ouro", new Date(Date.UTC(1990, 4, 17))]);
    sheet.addRow(["bia@example.com", 20, "Prata", null]);
    sheet.addRow(["nao-e-email", 5, "", null]);
    const file = tempFile("clientes.xlsx", Buffer.from(await workbook.xlsx.writeBuffer()));
    const { migration, result } = await importFile(file, { provider: "bonifiq" });
    expect(result.outcome).toBe("imported");
    if (result.outcome !== "imported") return;
    expect(result.summary.format.kind).toBe("xlsx");
    expect(result.summary).toMatchObject({ rowsTotal: 3, rowsValid: 2, rowsRejected: 1, pointsValid: 1520, pointsRejected: 5 });
    const ana = await prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: migration.id, emailNormalized: "ana@example.com" } });
    expect(ana).toMatchObject({ points: 1500, tier: "Ouro", birthday: "1990-05-17" });
  });
});

describe("the same file twice", () => {
  it("is recognised by its SHA-256 and changes nothing", async () => {
    const file = tempFile("smile.csv", "email,points\nana@example.com,100\nbia@example.com,50\n");
    const { shop, migration } = await newMigration();
    const input = { shopId: shop.id, migrationId: migration.id, provider: "smile" as const, fileName: "smile.csv", filePath: file };
    const first = await importLoyaltyFile(input);
    expect(first.outcome).toBe("imported");
    const second = await importLoyaltyFile({ ...input, fileName: "renamed.csv" });
    expect(second.outcome).toBe("already-imported");
    expect(await stagedCount(migration.id)).toBe(2);
    expect(await prisma.importFile.count({ where: { migrationId: migration.id } })).toBe(1);
  });
});

describe("bad files get a clear error and leave nothing staged", () => {
  const cases: [string, string, RegExp][] = [
    ["empty.csv", "EMPTY_FILE", /empty/i],
    ["header-only.csv", "HEADER_ONLY", /no data rows|only a header|header/i],
    ["binary.csv", "BINARY_FILE", /binary|not a text/i],
    ["wrong-extension.pdf", "UNSUPPORTED_EXTENSION", /\.pdf|extension|csv/i],
    ["truncated.xlsx", "TRUNCATED_XLSX", /truncated|damaged|corrupt|incomplete/i],
  ];
  for (const [name, code, message] of cases) {
    it(`${name} → ${code}`, async () => {
      const { migration, result } = await importFile(path.join(BAD_DIR, name), { provider: "smile" });
      expect(result).toMatchObject({ outcome: "file-rejected", code });
      if (result.outcome === "file-rejected") expect(result.message).toMatch(message);
      expect(await stagedCount(migration.id)).toBe(0);
    });
  }

  it("a file without an identity column says which headers it found", async () => {
    const { migration, result } = await importFile(tempFile("x.csv", "nome,saldo\nAna,10\n"));
    expect(result).toMatchObject({ outcome: "file-rejected", code: "NO_IDENTITY_COLUMN" });
    if (result.outcome === "file-rejected") expect(result.message).toMatch(/nome/);
    expect(await stagedCount(migration.id)).toBe(0);
  });

  it("a file over the size limit is refused before it is read", async () => {
    const { coreEnv } = await import("~/env.server");
    const env = coreEnv() as { IMPORT_MAX_BYTES: number };
    const limit = env.IMPORT_MAX_BYTES;
    env.IMPORT_MAX_BYTES = 10;
    try {
      const { migration, result } = await importFile(tempFile("big.csv", "email,points\nana@example.com,1\n"));
      expect(result).toMatchObject({ outcome: "file-rejected", code: "TOO_LARGE" });
      expect(await stagedCount(migration.id)).toBe(0);
    } finally {
      env.IMPORT_MAX_BYTES = limit;
    }
  });

  it("an unterminated quote rejects its row with the line number and the rest is read", async () => {
    const { result } = await importFile(path.join(BAD_DIR, "unterminated-quote.csv"), { provider: "smile" });
    expect(result.outcome).toBe("imported");
    if (result.outcome !== "imported") return;
    expect(result.summary.rejectReasons.MALFORMED_ROW).toBeGreaterThanOrEqual(1);
    expect(result.summary.rowsValid).toBeGreaterThan(0);
    expect(checkAccounts(result.summary)).toEqual([]);
  });
});

describe("rows", () => {
  const csv = [
    "email,points,name,phone",
    "ana@example.com,100,Ana,",
    "ANA@Example.com ,40,Ana S,",
    "bia@,10,Bia,",
    "carla@example.com,-5,Carla,",
    "",
    "# a comment",
    '"=HYPERLINK(""http://evil"")",7,Evil,',
    "dani@example.com,12.5,Dani,",
    ",20,Sem Email,(11) 98765-4321",
  ].join("\n");

  it("every rejected row says why, and the accounts add up under each duplicate policy", async () => {
    const want = {
      sum: { rowsValid: 2, rowsMerged: 1, pointsValid: 160, pointsMergedAway: 0 },
      max: { rowsValid: 2, rowsMerged: 1, pointsValid: 120, pointsMergedAway: 40 },
      latest: { rowsValid: 2, rowsMerged: 1, pointsValid: 60, pointsMergedAway: 100 },
      review: { rowsValid: 1, rowsMerged: 0, pointsValid: 20, pointsMergedAway: 0 },
    } as const;
    for (const policy of ["sum", "max", "latest", "review"] as const) {
      const { result } = await importFile(tempFile("rows.csv", csv), { duplicatePolicy: policy });
      expect(result.outcome).toBe("imported");
      if (result.outcome !== "imported") continue;
      const s = result.summary;
      expect(s.rowsTotal).toBe(9);
      expect(s.rowsIgnored).toBe(2);
      expect(s.rejectReasons).toMatchObject({ INVALID_EMAIL: 2, NEGATIVE_POINTS: 1, FRACTIONAL_POINTS: 1 });
      expect({ rowsValid: s.rowsValid, rowsMerged: s.rowsMerged, pointsValid: s.pointsValid, pointsMergedAway: s.pointsMergedAway }).toEqual(want[policy]);
      expect(checkAccounts(s)).toEqual([]);
    }
  });

  it("the rejected-rows CSV has row numbers, reasons and spreadsheet-safe cells, and only for its own shop", async () => {
    const { shop, result } = await importFile(tempFile("rows.csv", csv));
    if (result.outcome !== "imported") throw new Error(result.outcome);
    const out = collect();
    const written = await writeRejectedRowsCsv(shop.id, result.summary.importFileId, out.stream);
    expect(written?.rows).toBe(result.summary.rowsRejected);
    const text = out.text();
    expect(text).toMatch(/^\ufeffrow,reasons,email,points,name,phone/);
    expect(text).toContain("'=HYPERLINK");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(text).toMatch(/^4,/m); // bia@ is line 4
    const other = await newMigration();
    expect(await writeRejectedRowsCsv(other.shop.id, result.summary.importFileId, collect().stream)).toBeNull();
  });
});

describe("accounting identity on random files (property)", () => {
  it("rows and points always add up, and the database agrees", async () => {
    const cell = fc.oneof(
      fc.constantFrom("", " ", "abc", "-3", "1.5", "1e9", "NaN", "ana@example.com", "ANA@example.com", "x@y", "99999999999"),
      fc.integer({ min: 0, max: 5000 }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("sum", "max", "latest", "review" as const),
        async (rows, policy) => {
          const body = ["email,points", ...rows.map(([e, p]) => `${e.includes(",") ? `"${e}"` : e},${p}`)].join("\n");
          const { migration, result } = await importFile(tempFile("p.csv", body), { duplicatePolicy: policy });
          if (result.outcome === "already-imported") throw new Error("a new migration cannot already hold the file");
          if (result.outcome === "file-rejected") {
            expect(["HEADER_ONLY"]).toContain(result.code);
            expect(await stagedCount(migration.id)).toBe(0);
            return;
          }
          expect(checkAccounts(result.summary)).toEqual([]);
          const s = result.summary;
          const byStatus = await prisma.loyaltyRecord.groupBy({ by: ["status"], where: { migrationId: migration.id }, _count: { _all: true } });
          const count = (st: string) => byStatus.find((g) => g.status === st)?._count._all ?? 0;
          expect(count("valid") + count("rejected") + count("merged") + s.rowsIgnored).toBe(s.rowsTotal);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("npx carryover import", () => {
  it("prints a machine-readable summary with --json", async () => {
    const { shop } = await newMigration();
    const file = tempFile("smile.csv", "email,points\nana@example.com,100\nbia@,5\n");
    const r = spawnSync(process.execPath, ["cli/carryover.mjs", "import", "--shop", shop.domain, "--provider", "smile", "--file", file, "--json"], {
      encoding: "utf8",
      env: process.env,
    });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(out).toMatchObject({ rowsTotal: 2, rowsValid: 1, rowsRejected: 1, rowsMerged: 0, pointsValid: 100, pointsRejected: 5, encoding: "utf-8", delimiter: ",", provider: "smile" });
  });

  it("refuses an unknown shop with a usage message", () => {
    const r = spawnSync(process.execPath, ["cli/carryover.mjs", "import", "--shop", "nope.myshopify.com", "--provider", "smile", "--file", "package.json"], {
      encoding: "utf8",
      env: process.env,
    });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/nope.myshopify.com is not installed/);
  });
});
