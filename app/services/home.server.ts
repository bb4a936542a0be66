import type { Shop } from "@prisma/client";
import prisma from "../db.server";
import { PlatformError, type StoreCounts } from "../platforms/platform-client";
import { platformClientFor } from "../platforms/platform-client.server";

export type StoreOverview =
  | { outcome: "ok"; shopDomain: string; platform: string; counts: StoreCounts; migrations: number }
  | { outcome: "platform-unavailable"; shopDomain: string; platform: string; reason: string; migrations: number };

/** What the home page shows: the store's size on its platform and this shop's migrations. */
export async function loadStoreOverview(shop: Shop): Promise<StoreOverview> {
  const migrations = await prisma.migration.count({ where: { shopId: shop.id } });
  const base = { shopDomain: shop.domain, platform: shop.platform, migrations };
  try {
    const counts = await (await platformClientFor(shop)).storeCounts();
    return { outcome: "ok", ...base, counts };
  } catch (error) {
    if (error instanceof PlatformError) return { outcome: "platform-unavailable", ...base, reason: error.message };
    throw error;
  }
}
