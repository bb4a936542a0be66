import type { Shop } from "@prisma/client";
import prisma from "../db.server";

export type Platform = "shopify" | "nuvemshop";

/** Creates the shop on first install, or marks it installed again after an uninstall. */
export async function recordInstall(input: { platform: Platform; domain: string }): Promise<Shop> {
  return prisma.shop.upsert({
    where: { platform_domain: { platform: input.platform, domain: input.domain } },
    create: { platform: input.platform, domain: input.domain },
    update: { uninstalledAt: null, installedAt: new Date() },
  });
}

export async function findShop(platform: Platform, domain: string): Promise<Shop | null> {
  return prisma.shop.findUnique({ where: { platform_domain: { platform, domain } } });
}

/** The shop of an authenticated admin request; created if the install hook never ran. */
export async function ensureShop(platform: Platform, domain: string): Promise<Shop> {
  return (await findShop(platform, domain)) ?? recordInstall({ platform, domain });
}

