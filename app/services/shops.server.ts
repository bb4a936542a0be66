import type { Prisma, Shop } from "@prisma/client";
import prisma from "../db.server";

export type Platform = "shopify" | "nuvemshop";
type Db = Prisma.TransactionClient | typeof prisma;

/** Creates the shop on first install, or marks it installed again after an uninstall. */
export async function recordInstall(input: { platform: Platform; domain: string }, db: Db = prisma): Promise<Shop> {
  return db.shop.upsert({
    where: { platform_domain: { platform: input.platform, domain: input.domain } },
    create: { platform: input.platform, domain: input.domain },
    update: { uninstalledAt: null, installedAt: new Date() },
  });
}

export async function findShop(platform: Platform, domain: string, db: Db = prisma): Promise<Shop | null> {
  return db.shop.findUnique({ where: { platform_domain: { platform, domain } } });
}

/** The shop a request or webhook names; created if the install hook never ran. */
export async function ensureShop(platform: Platform, domain: string, db: Db = prisma): Promise<Shop> {
  return (await findShop(platform, domain, db)) ?? db.shop.create({ data: { platform, domain } });
}
