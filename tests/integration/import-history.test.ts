import { spawnSync } from "node:child_process";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { importLoyaltyFile, type ImportInput } from "~/services/import/import.server";
import { writeRejectedRowsCsv } from "~/services/import/rejected-rows.server";
import { checkAccounts } from "~domain/import/accounts";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

const FIXTURE = "tests/fixtures/import/history/smile-history.csv";

/** Worked out by hand in tests/fixtures/import/history/README.md. */
const EXPECTED = {
  rowsTotal: 20,
  rowsValid: 14,
  rowsRejected: 5,
  rowsMerged: 0,
  rowsIgnored: 1,
  pointsInFile: 1610,
  pointsValid: 1155,
  pointsRejected: 455,
  pointsMergedAway: 0,
};

async function newMigration() {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("history"), country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "test" } });
  return { shop, migration };
}

async function importHistory(filePath: string, extra: Partial<ImportInput> = {}) {
  const { shop, migration } = await newMigration();
  const input: ImportInput = {
    shopId: shop.id,
    migrationId: migration.id,
    provider: "smile",
    kind: "history",
    fileName: path.basename(filePath),
    filePath,
    ...extra,
  };
  return { shop, migration, input, result: await importLoyaltyFile(input) };
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

describe("points-history file", () => {
  it("stages every event with the fixture's accounts, and the database agrees", async () => {
    const { migration, result } = await importHistory(FIXTURE);
    expect(result.outcome).toBe("imported");
    if (result.outcome !== "imported") return;
    const s = result.summary;
    expect(s.kind).toBe("history");
    expect(s).toMatchObject(EXPECTED);
    expect(checkAccounts(s)).toEqual([]);
    expect(s.rejectReasons).toEqual({ INVALID_DATE: 1, ZERO_DELTA: 1, NO_IDENTITY: 1, MISSING_DATE: 1, INVALID_EMAIL: 1 });
    expect(s.mapping).toEqual({ email: "Customer email", occurredAt: "Date", points: "Points change", reason: "Reason" });

    const file = await prisma.importFile.findUniqueOrThrow({ where: { id: s.importFileId } });
    expect(file.kind).toBe("history");

    const byStatus = await prisma.loyaltyRecord.groupBy({
      by: ["status"],
      where: { migrationId: migration.id },
      _count: { _all: true },
      _sum: { points: true },
    });
    const get = (status: string) => byStatus.find((g) => g.status === status);
    expect(get("valid")?._count._all).toBe(EXPECTED.rowsValid);
    expect(get("rejected")?._count._all).toBe(EXPECTED.rowsRejected);
    expect(get("merged")).toBeUndefined();
    expect(Number(get("valid")?._sum.points)).toBe(EXPECTED.pointsValid);
    expect(Number(get("rejected")?._sum.points)).toBe(EXPECTED.pointsRejected);

    const perCustomer = await prisma.loyaltyRecord.groupBy({
      by: ["emailNormalized"],
      where: { migrationId: migration.id, status: "valid" },
      _count: { _all: true },
      _sum: { points: true },
    });
    const sums = Object.fromEntries(perCustomer.map((g) => [g.emailNormalized, [g._count._all, Number(g._sum.points)]]));
    expect(sums).toEqual({
      "ana@example.com": [4, 380],
      "bruno@example.com": [3, 80],
      "carla@example.com": [1, 500],
      "dani@example.com": [4, 195],
      "eva@example.com": [2, 0],
    });

    const redemption = await prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: migration.id, rowNumber: 4 } });
    expect(redemption).toMatchObject({ status: "valid", points: -300, occurredAt: "2024-02-02", reason: "Redeemed $5 off, order #1001" });
    const timed = await prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: migration.id, rowNumber: 3 } });
    expect(timed.occurredAt).toMatch(/^2024-01-20T14:30:00/);
    expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("validated");
  });

  it("the same file twice is recognised by its SHA-256 and changes nothing", async () => {
    const { migration, input, result } = await importHistory(FIXTURE);
    expect(result.outcome).toBe("imported");
    const second = await importLoyaltyFile({ ...input, fileName: "again.csv" });
    expect(second.outcome).toBe("already-imported");
    if (second.outcome === "already-imported") {
      expect(second.summary.kind).toBe("history");
      expect(second.summary).toMatchObject(EXPECTED);
    }
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } })).toBe(EXPECTED.rowsTotal - EXPECTED.rowsIgnored);
    expect(await prisma.importFile.count({ where: { migrationId: migration.id } })).toBe(1);
  });

  it("the rejected-rows CSV carries the history rows' reasons and dates", async () => {
    const { shop, result } = await importHistory(FIXTURE);
    if (result.outcome !== "imported") throw new Error(result.outcome);
    const out = collect();
    const written = await writeRejectedRowsCsv(shop.id, result.summary.importFileId, out.stream);
    expect(written?.rows).toBe(EXPECTED.rowsRejected);
    const text = out.text();
    expect(text).toMatch(/^\ufeffrow,reasons,Customer email,Date,Points change,Reason/);
    expect(text).toMatch(/^9,.*2024-02-30.*,Birthday bonus/m);
    expect(text).toMatch(/^10,.*zero.*,Manual adjustment/m);
    expect(text).toMatch(/^12,.*Order #1003/m);
    expect(text).toMatch(/^20,.*date cell is empty.*Order #1005/m);
    expect(text).toMatch(/^21,.*felipe@.*Order #1006/m);
  });

  it("a history file without a date column is refused and stages nothing", async () => {
    const { migration, result } = await importHistory(tempFile("h.csv", "email,points,reason\nana@example.com,10,Order\n"));
    expect(result).toMatchObject({ outcome: "file-rejected", code: "NO_DATE_COLUMN" });
    if (result.outcome === "file-rejected") expect(result.message).toMatch(/"reason"/);
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } })).toBe(0);
  });

  it("balances stay the default kind", async () => {
    const { result } = await importHistory(tempFile("b.csv", "email,points\nana@example.com,10\nana@example.com,5\n"), { kind: undefined });
    expect(result.outcome).toBe("imported");
    if (result.outcome === "imported") expect(result.summary).toMatchObject({ kind: "balances", rowsMerged: 1, pointsValid: 15 });
  });
});

describe("npx carryover import --kind history", () => {
  it("prints a machine-readable summary with the kind", async () => {
    const { shop } = await newMigration();
    const r = spawnSync(
      process.execPath,
      ["cli/carryover.mjs", "import", "--shop", shop.domain, "--provider", "smile", "--kind", "history", "--file", FIXTURE, "--json"],
      { encoding: "utf8", env: process.env },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(out).toMatchObject({ outcome: "imported", kind: "history", provider: "smile", ...EXPECTED });
  });

  it("refuses an unknown kind with a usage message", () => {
    const r = spawnSync(process.execPath, ["cli/carryover.mjs", "import", "--shop", "x.myshopify.com", "--provider", "smile", "--kind", "vouchers", "--file", FIXTURE], {
      encoding: "utf8",
      env: process.env,
    });
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/--kind/);
  });
});
