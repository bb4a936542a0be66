import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { ImportRefusedError, importLoyaltyFile, type ImportInput } from "~/services/import/import.server";
import { checkAccounts } from "~domain/import/accounts";
import type { ProviderId } from "~domain/import/types";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

/** Worked out by hand in tests/fixtures/import/kinds/README.md. */
const DIR = "tests/fixtures/import/kinds";
const TIERS = `${DIR}/smile-tiers.csv`;
const REFERRALS = `${DIR}/referral-codes.csv`;
const COUPONS = `${DIR}/coupons-br-latin1.csv`;
const NOW = new Date("2025-06-15T10:00:00Z");
const NO_POINTS = { pointsInFile: 0, pointsValid: 0, pointsRejected: 0, pointsMergedAway: 0 };

async function importKind(filePath: string, kind: ImportInput["kind"], provider: ProviderId, extra: Partial<ImportInput> = {}) {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("kinds"), country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "test" } });
  const input: ImportInput = { shopId: shop.id, migrationId: migration.id, provider, kind, fileName: path.basename(filePath), filePath, now: NOW, ...extra };
  return { shop, migration, input, result: await importLoyaltyFile(input) };
}

async function staged(migrationId: string) {
  const rows = await prisma.loyaltyRecord.findMany({ where: { migrationId }, orderBy: { rowNumber: "asc" } });
  return new Map(rows.map((r) => [r.rowNumber, r]));
}

function summaryOf(result: Awaited<ReturnType<typeof importLoyaltyFile>>) {
  if (result.outcome === "file-rejected") throw new Error(`${result.code}: ${result.message}`);
  return result.summary;
}

describe("tiers file (Smile: email, vip_tier)", () => {
  it("stages each customer's tier, folds a repeated customer by latest (the default), 0 points", async () => {
    const { migration, result } = await importKind(TIERS, "tiers", "smile");
    expect(result.outcome).toBe("imported");
    const s = summaryOf(result);
    expect(s).toMatchObject({ kind: "tiers", duplicatePolicy: "latest", rowsTotal: 9, rowsValid: 5, rowsRejected: 2, rowsMerged: 1, rowsIgnored: 1, ...NO_POINTS });
    expect(checkAccounts(s)).toEqual([]);
    expect(s.mapping).toEqual({ email: "email", tier: "vip_tier" });
    expect(s.rejectReasons).toEqual({ MISSING_TIER: 1, NO_IDENTITY: 1 });
    expect(s.coupons).toBeUndefined();

    const rows = await staged(migration.id);
    expect(rows.get(6)).toMatchObject({ status: "valid", emailNormalized: "ana@example.com", tier: "Platinum", points: 0 });
    expect(rows.get(2)).toMatchObject({ status: "merged", mergedIntoRow: 6, tier: "Gold" });
    expect(rows.get(8)).toMatchObject({ status: "valid", tier: "Gold" });
    expect(rows.get(4)).toMatchObject({ status: "rejected", rejectCodes: "MISSING_TIER", tier: null });
    expect(rows.get(4)?.rejectReason).toMatch(/no tier/i);
    expect((await prisma.importFile.findUniqueOrThrow({ where: { id: s.importFileId } })).kind).toBe("tiers");
  });

  it("sends a repeated customer to review with policy review", async () => {
    const { migration, result } = await importKind(TIERS, "tiers", "smile", { duplicatePolicy: "review" });
    expect(summaryOf(result)).toMatchObject({ duplicatePolicy: "review", rowsValid: 4, rowsRejected: 4, rowsMerged: 0, rowsIgnored: 1 });
    const rows = await staged(migration.id);
    expect([rows.get(2)?.rejectCodes, rows.get(6)?.rejectCodes]).toEqual(["DUPLICATE_FOR_REVIEW", "DUPLICATE_FOR_REVIEW"]);
  });

  it("refuses sum and max, which mean nothing for a tier, before anything is staged", async () => {
    for (const policy of ["sum", "max"] as const) {
      const attempt = importKind(TIERS, "tiers", "smile", { duplicatePolicy: policy });
      await expect(attempt).rejects.toThrow(ImportRefusedError);
      await expect(attempt).rejects.toThrow(/tier/);
    }
  });

  it("refuses a tiers file without a tier column", async () => {
    const { result } = await importKind(tempFile("t.csv", "email,points\nana@example.com,10\n"), "tiers", "generic");
    expect(result).toMatchObject({ outcome: "file-rejected", code: "NO_TIER_COLUMN" });
  });
});

describe("referral-codes file", () => {
  it("stages one code a customer: a reused code is rejected naming the first row, the same pair again merged", async () => {
    const { migration, result } = await importKind(REFERRALS, "referrals", "generic");
    const s = summaryOf(result);
    expect(s).toMatchObject({ kind: "referrals", rowsTotal: 8, rowsValid: 3, rowsRejected: 4, rowsMerged: 1, rowsIgnored: 0, ...NO_POINTS });
    expect(checkAccounts(s)).toEqual([]);
    expect(s.rejectReasons).toEqual({ DUPLICATE_REFERRAL_CODE: 1, MISSING_REFERRAL_CODE: 1, INVALID_REFERRAL_CODE: 1, CONFLICTING_REFERRAL_CODE: 1 });

    const rows = await staged(migration.id);
    expect(rows.get(2)).toMatchObject({ status: "valid", emailNormalized: "ana@example.com", referralCode: "ANA10", points: 0 });
    expect(rows.get(3)).toMatchObject({ status: "valid", referralCode: "BRUNO5" });
    expect(rows.get(9)).toMatchObject({ status: "valid", referralCode: "FELIPE" });
    expect(rows.get(5)).toMatchObject({ status: "merged", mergedIntoRow: 2 });
    expect(rows.get(4)).toMatchObject({ status: "rejected", rejectCodes: "DUPLICATE_REFERRAL_CODE" });
    expect(rows.get(4)?.rejectReason).toMatch(/row 2/);
    expect(rows.get(8)).toMatchObject({ status: "rejected", rejectCodes: "CONFLICTING_REFERRAL_CODE" });
    expect(rows.get(8)?.rejectReason).toMatch(/"BRUNO5" on row 3/);
    expect(rows.get(7)?.rejectReason).toMatch(/link/);
  });
});

describe("coupons file (Brazilian: Latin-1, ';', 15,00, DD/MM/YYYY)", () => {
  it("stages code, value and expiry; several coupons a customer; a reused code rejected; expired ones counted", async () => {
    const { migration, result } = await importKind(COUPONS, "coupons", "bonifiq");
    const s = summaryOf(result);
    expect(s.format).toMatchObject({ encoding: expect.stringMatching(/windows-1252|iso-8859-1/), delimiter: ";", decimalMark: "comma", dateOrder: "dmy", dateOrderAmbiguous: false });
    expect(s).toMatchObject({ kind: "coupons", rowsTotal: 9, rowsValid: 5, rowsRejected: 4, rowsMerged: 0, rowsIgnored: 0, ...NO_POINTS });
    expect(checkAccounts(s)).toEqual([]);
    expect(s.mapping).toEqual({ fullName: "Nome", email: "E-mail", couponCode: "Cupom", couponValue: "Valor", couponExpiresAt: "Validade" });
    expect(s.rejectReasons).toEqual({ DUPLICATE_COUPON_CODE: 1, MISSING_COUPON_VALUE: 1, INVALID_COUPON_VALUE: 1, INVALID_DATE: 1 });
    expect(s.coupons).toEqual({ total: 5, expired: 2, withoutExpiry: 1, asOf: "2025-06-15" });

    const rows = await staged(migration.id);
    expect(rows.get(2)).toMatchObject({ status: "valid", couponCode: "BEMVINDO15", couponValue: "15.00", couponExpiresAt: "2025-12-31", points: 0, firstName: "Ana" });
    expect(rows.get(3)).toMatchObject({ status: "valid", emailNormalized: "ana@example.com", couponCode: "FRETE10", couponValue: "10%", couponExpiresAt: "2099-01-15" });
    expect(rows.get(4)).toMatchObject({ status: "valid", couponValue: "20.50", couponExpiresAt: null });
    expect(rows.get(5)).toMatchObject({ status: "valid", couponCode: "VELHO5", couponExpiresAt: "2024-02-01" });
    expect(rows.get(10)).toMatchObject({ status: "valid", couponValue: "12.5%", couponExpiresAt: "2025-06-10", firstName: "Helena", lastName: "Conceição" });
    // Like a duplicate sent to review, a row that loses its code keeps what was read of it.
    expect(rows.get(6)).toMatchObject({ status: "rejected", rejectCodes: "DUPLICATE_COUPON_CODE", couponCode: "bemvindo15", couponValue: "15.00" });
    expect(rows.get(6)?.rejectReason).toMatch(/"bemvindo15" is already on row 2/);
    expect(JSON.parse(rows.get(6)!.rawJson)).toMatchObject({ Nome: "Débora Araújo" });
  });

  it("the same file again is already imported, and its coupons are judged at the new now", async () => {
    const { input, result } = await importKind(COUPONS, "coupons", "bonifiq");
    expect(result.outcome).toBe("imported");
    const again = await importLoyaltyFile({ ...input, now: new Date("2026-02-01T00:00:00Z") });
    expect(again.outcome).toBe("already-imported");
    if (again.outcome === "already-imported") expect(again.summary.coupons).toEqual({ total: 5, expired: 3, withoutExpiry: 1, asOf: "2026-02-01" });
  });

  it("refuses a coupons file without a value column", async () => {
    const { result } = await importKind(tempFile("c.csv", "email,coupon code\nana@example.com,X1\n"), "coupons", "generic");
    expect(result).toMatchObject({ outcome: "file-rejected", code: "NO_COUPON_VALUE_COLUMN" });
  });
});

describe("npx carryover import --kind tiers|referrals|coupons", () => {
  async function run(args: string[]) {
    const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("kinds-cli"), country: "BR" } });
    const r = spawnSync(process.execPath, ["cli/carryover.mjs", "import", "--shop", shop.domain, ...args, "--json"], { encoding: "utf8", env: process.env });
    return r;
  }

  it("imports coupons and says how many are expired at --now", async () => {
    const r = await run(["--provider", "bonifiq", "--kind", "coupons", "--file", COUPONS, "--now", "2025-06-15"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(out).toMatchObject({ outcome: "imported", kind: "coupons", rowsValid: 5, rowsRejected: 4, coupons: { total: 5, expired: 2, withoutExpiry: 1, asOf: "2025-06-15" } });
  });

  it("imports tiers and referrals with their kind", async () => {
    const tiers = await run(["--provider", "smile", "--kind", "tiers", "--file", TIERS]);
    expect(tiers.status).toBe(0);
    expect(JSON.parse(tiers.stdout.trim().split("\n").pop()!)).toMatchObject({ kind: "tiers", duplicatePolicy: "latest", rowsValid: 5, rowsMerged: 1 });
    const referrals = await run(["--provider", "generic", "--kind", "referrals", "--file", REFERRALS]);
    expect(referrals.status).toBe(0);
    const out = JSON.parse(referrals.stdout.trim().split("\n").pop()!);
    expect(out).toMatchObject({ kind: "referrals", rowsValid: 3, rowsRejected: 4, rowsMerged: 1 });
    expect(out.coupons).toBeUndefined();
  });

  it("refuses --duplicates sum for tiers with exit code 2", async () => {
    const r = await run(["--provider", "smile", "--kind", "tiers", "--file", TIERS, "--duplicates", "sum"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Refused: .*"sum".*tier/);
  });
});
