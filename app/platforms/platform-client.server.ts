import type { Shop } from "@prisma/client";
import { env } from "../env.server";
import { sessionStorage, SHOPIFY_API_VERSION } from "../shopify.server";
import { NuvemshopClient } from "./nuvemshop/nuvemshop-client.server";
import { PlatformError, type PlatformClient } from "./platform-client";
import { ShopifyClient } from "./shopify/shopify-client.server";

/**
 * The id under which an install's offline token is stored (sealed, app/session-storage.server.ts).
 * Shopify's library names it `offline_{shop}`; a Nuvemshop install (store id) gets its own prefix.
 */
export function offlineSessionId(platform: "shopify" | "nuvemshop", domain: string): string {
  return platform === "shopify" ? `offline_${domain}` : `offline_nuvemshop_${domain}`;
}

/** The platform client of an installed shop, with its offline token opened from storage. */
export async function platformClientFor(shop: Shop): Promise<PlatformClient> {
  if (shop.platform !== "shopify" && shop.platform !== "nuvemshop") {
    throw new PlatformError(`platform "${shop.platform}" is not supported`, "NOT_INSTALLED", false);
  }
  const session = await sessionStorage.loadSession(offlineSessionId(shop.platform, shop.domain));
  if (!session?.accessToken) {
    throw new PlatformError(`no offline access token for ${shop.platform} store ${shop.domain}: reinstall the app`, "NOT_INSTALLED", false);
  }
  if (shop.platform === "nuvemshop") {
    return new NuvemshopClient({
      ...(env().NUVEMSHOP_API_ORIGIN ? { origin: env().NUVEMSHOP_API_ORIGIN } : {}),
      storeId: shop.domain,
      accessToken: session.accessToken,
      // A merchant's sign-in replaces the store's token (decision 0015): reread it on a 401.
      reloadToken: async () => (await sessionStorage.loadSession(offlineSessionId("nuvemshop", shop.domain)))?.accessToken ?? null,
      userAgent: env().NUVEMSHOP_USER_AGENT,
    });
  }
  return new ShopifyClient({
    origin: env().SHOPIFY_ADMIN_API_ORIGIN ?? `https://${shop.domain}`,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: session.accessToken,
  });
}
