import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { redactCustomer } from "~/services/compliance.server";
import { uniqueShop } from "../support/webhooks";

describe("customers/redact and refused uploads", () => {
  it("deletes a refused upload (no staged rows tell whether it holds the customer), and leaves another shop's alone", async () => {
    const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("redact-refused"), country: "BR" } });
    const other = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("redact-other"), country: "BR" } });
    const fileOf = async (shopId: string, status: string, name: string) => {
      const migration = await prisma.migration.create({ data: { shopId, name: "m" } });
      return prisma.importFile.create({ data: { shopId, migrationId: migration.id, fileName: name, sha256: name, sizeBytes: 10n, storagePath: `/uploads/${shopId}/${name}`, status } });
    };
    const refused = await fileOf(shop.id, "failed", "refused.csv");
    const staged = await fileOf(shop.id, "staged", "unrelated.csv");
    const othersRefused = await fileOf(other.id, "failed", "theirs.csv");

    const result = await prisma.$transaction((tx) => redactCustomer(tx, { shopId: shop.id, platformCustomerId: "gid://shopify/Customer/1", email: "ana@example.com" }));

    expect(result.filesToDelete).toContain(refused.storagePath);
    expect(result.filesToDelete).not.toContain(staged.storagePath); // staged without the customer's rows: kept
    expect(result.filesToDelete).not.toContain(othersRefused.storagePath);
  });
});
