import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";


describe("an import interrupted half-way", () => {
  it("is started again from nothing when the same file comes back, and ends with exact accounts", async () => {
    const body = ["email,points", ...Array.from({ length: 50 }, (_, i) => `c${i}@example.com,${i + 1}`)].join("\n");
    const file = tempFile("export.csv", body);
    const sha256 = crypto.createHash("sha256").update(body).digest("hex");
    const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("recovery") } });
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "m" } });
    // What a process killed during staging leaves behind: a "staging" file and some of its rows.
    const stale = await prisma.importFile.create({
      data: { shopId: shop.id, migrationId: migration.id, fileName: "export.csv", sha256, sizeBytes: BigInt(body.length), storagePath: file, status: "staging" },
    });
    await prisma.loyaltyRecord.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({
        shopId: shop.id, migrationId: migration.id, importFileId: stale.id, rowNumber: i + 2, status: "valid", points: 999, rawJson: "{}",
      })),
    });

    const result = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "export.csv", filePath: file });
    expect(result.outcome).toBe("imported");
    if (result.outcome !== "imported") return;
    expect(result.summary).toMatchObject({ rowsTotal: 50, rowsValid: 50, pointsValid: (50 * 51) / 2 });
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } })).toBe(50);
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id, points: 999 } })).toBe(0);
    expect(await prisma.importFile.count({ where: { migrationId: migration.id } })).toBe(1);
  });

  it("refuses an import into a migration that is already past validation, writing nothing", async () => {
    const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("recovery") } });
    const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "m", state: "applied" } });
    const file = tempFile("late.csv", "email,points\nana@example.com,10\n");
    await expect(
      importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "late.csv", filePath: file }),
    ).rejects.toThrow(/cannot move to "validated"/);
    expect(await prisma.importFile.count({ where: { migrationId: migration.id } })).toBe(0);
  });

  it("never imports into another shop's migration", async () => {
    const mine = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("mine") } });
    const theirs = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("theirs") } });
    const migration = await prisma.migration.create({ data: { shopId: theirs.id, name: "m" } });
    const file = tempFile("x.csv", "email,points\nana@example.com,10\n");
    await expect(
      importLoyaltyFile({ shopId: mine.id, migrationId: migration.id, provider: "smile", fileName: "x.csv", filePath: file }),
    ).rejects.toThrow(/migration not found/);
    expect(await prisma.loyaltyRecord.count({ where: { migrationId: migration.id } })).toBe(0);
  });
});
