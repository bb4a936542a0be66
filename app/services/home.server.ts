import type { Shop } from "@prisma/client";
import prisma from "../db.server";
import { PlatformError, type StoreCounts } from "../platforms/platform-client";
import { platformClientFor } from "../platforms/platform-client.server";

/** The headline figures of this shop's loyalty members, over every migration. */
export interface LoyaltyFigures {
  /** Members carried over (visible or pending; redacted members are no one's any more). */
  members: number;
  /**
   * Points the migrations wrote that shoppers can see: Σ ledger entries carrying a migration
   * (imports, retroactive earnings, their rollback reversals) on visible members. Live earnings
   * after go-live are the store's own, not restored.
   */
  pointsRestored: number;
  /** Members whose points wait for them to create an account on the store. */
  pendingMembers: number;
}

export interface MigrationRow {
  id: string;
  name: string;
  state: string;
  oldProvider: string | null;
  cutoverAt: string | null;
  createdAt: string;
}

interface OverviewBase {
  shopDomain: string;
  platform: string;
  /** How many migrations (kept for the headline; the list below holds the latest ones). */
  migrations: number;
  migrationList: MigrationRow[];
  loyalty: LoyaltyFigures;
}

export type StoreOverview =
  | (OverviewBase & { outcome: "ok"; counts: StoreCounts })
  | (OverviewBase & { outcome: "platform-unavailable"; reason: string });

const LIST_LIMIT = 50;

/** What the home page shows: the store's size on its platform, this shop's migrations and its members' figures. */
export async function loadStoreOverview(shop: Shop): Promise<StoreOverview> {
  const [migrations, list, loyalty] = await Promise.all([
    prisma.migration.count({ where: { shopId: shop.id } }),
    prisma.migration.findMany({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" }, take: LIST_LIMIT }),
    loyaltyFigures(shop.id),
  ]);
  const migrationList = list.map((m) => ({
    id: m.id,
    name: m.name,
    state: m.state,
    oldProvider: m.oldProvider,
    cutoverAt: m.cutoverAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  }));
  const base = { shopDomain: shop.domain, platform: shop.platform, migrations, migrationList, loyalty };
  try {
    const counts = await (await platformClientFor(shop)).storeCounts();
    return { outcome: "ok", ...base, counts };
  } catch (error) {
    if (error instanceof PlatformError) return { outcome: "platform-unavailable", ...base, reason: error.message };
    throw error;
  }
}

export async function loyaltyFigures(shopId: string): Promise<LoyaltyFigures> {
  const [members, pendingMembers, restored] = await Promise.all([
    prisma.member.count({ where: { shopId, redactedAt: null } }),
    prisma.member.count({ where: { shopId, redactedAt: null, state: "pending" } }),
    prisma.ledgerEntry.aggregate({ where: { shopId, migrationId: { not: null }, member: { state: "visible" } }, _sum: { points: true } }),
  ]);
  return { members, pendingMembers, pointsRestored: restored._sum.points ?? 0 };
}
