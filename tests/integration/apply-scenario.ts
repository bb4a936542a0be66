// A migration ready to apply, built the way a merchant gets there: a Shopify emulator store, the
// store's old loyalty export (the demo generator), a full sync, rules with a retroactive window, and a
// stored preview. Shared by the apply test files (not a test file itself).
import { expect } from "vitest";
import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { ShopifyClient } from "~/platforms/shopify/shopify-client.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { setRules } from "~/services/reconcile/rules.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { syncPlatform } from "~/services/sync/sync.server";
import type { Preview } from "~domain/reconcile/report";
import { demoLoyaltyExport } from "../../scripts/demo-loyalty-export";
import { startShopifyEmulator, type ShopifyEmulator } from "../emulators/shopify/server";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

export const TOKEN = "shpat_apply_test";

export interface Scenario {
  emulator: ShopifyEmulator;
  shop: Shop;
  migrationId: string;
  reconciliationId: string;
  preview: Preview;
  client: ShopifyClient;
}

export async function applyScenario(options: {
  customers: number;
  orders: number;
  seed: number;
  throttle?: { maximumAvailable: number; restoreRate: number };
  mode?: "paged" | "bulk";
}): Promise<Scenario> {
  const domain = uniqueShop("apply");
  const emulator = await startShopifyEmulator({
    customers: options.customers,
    orders: options.orders,
    seed: options.seed,
    shopDomain: domain,
    accessToken: TOKEN,
    throttle: options.throttle ?? { maximumAvailable: 20_000, restoreRate: 10_000 },
  });
  const shop = await storeOfflineInstall({ domain, accessToken: TOKEN, scope: "read_customers,write_customers,read_orders" });
  const client = new ShopifyClient({ origin: emulator.url, apiVersion: SHOPIFY_API_VERSION, accessToken: TOKEN });
  await syncPlatform({ shop, client, resources: ["customers", "orders"], full: true, checkpoint: null, progress: async () => {}, mode: options.mode ?? "paged" });
  const migration = await prisma.migration.create({
    data: {
      shopId: shop.id,
      name: "apply test",
      oldProvider: "smile",
      cutoverAt: new Date("2026-10-01T00:00:00Z"),
      settingsJson: JSON.stringify({ retroactive: { pointsPerCurrencyUnit: 1, from: "2026-09-01T00:00:00Z", to: "2026-10-01T00:00:00Z" } }),
    },
  });
  const file = tempFile("smile-export.csv", demoLoyaltyExport({ customers: options.customers, orders: options.orders, seed: options.seed, shopDomain: domain }));
  const imported = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider: "smile", fileName: "smile-export.csv", filePath: file });
  expect(imported.outcome).toBe("imported");
  // The wizard's Rules step (the platform's defaults confirmed); the snapshot is already synced, so the
  // dry run follows and stores the preview.
  expect((await setRules({ shopId: shop.id, migrationId: migration.id })).outcome).toBe("saved");
  const reconciled = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
  if (reconciled.outcome !== "reconciled") throw new Error(`not reconciled: ${JSON.stringify(reconciled)}`);
  expect((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).state).toBe("previewed");
  return { emulator, shop, migrationId: migration.id, reconciliationId: reconciled.reconciliationId, preview: reconciled.report, client };
}

/** The balance the emulator holds for a customer ($app points metafield), or null. */
export function storedPoints(emulator: ShopifyEmulator, customerId: string): number | null {
  const byOwner = emulator.store.metafields.get(customerId);
  if (!byOwner) return null;
  for (const m of byOwner.values()) if (m.key === "points" && m.namespace.startsWith("app--")) return Number(m.value);
  return null;
}

/** Ledger and members of a shop in a form two shops can be compared by (migration and file ids replaced). */
export async function ledgerPicture(shopId: string, migrationId: string) {
  const files = await prisma.importFile.findMany({ where: { migrationId }, select: { id: true } });
  const strip = (text: string) => files.reduce((t, f) => t.split(f.id).join("<file>"), text.split(migrationId).join("<m>"));
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId }, select: { idempotencyKey: true, points: true, kind: true } });
  const members = await prisma.member.findMany({ where: { shopId }, select: { id: true, platformCustomerId: true, state: true, balance: true } });
  return {
    entries: Object.fromEntries(entries.map((e) => [strip(e.idempotencyKey), `${e.kind} ${e.points}`]).sort(([a], [b]) => (a! < b! ? -1 : 1))),
    members: Object.fromEntries(members.map((m) => [m.platformCustomerId ?? strip(m.id), `${m.state} ${m.balance}`]).sort(([a], [b]) => (a! < b! ? -1 : 1))),
  };
}
