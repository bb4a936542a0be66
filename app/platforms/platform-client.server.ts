import type { Shop } from "@prisma/client";
import { env } from "../env.server";
import { sessionStorage, SHOPIFY_API_VERSION } from "../shopify.server";
import { PlatformError, type PlatformClient } from "./platform-client";
import { ShopifyClient } from "./shopify/shopify-client.server";

/** The platform client of an installed shop, with its offline token opened from storage. */
export async function platformClientFor(shop: Shop): Promise<PlatformClient> {
  if (shop.platform !== "shopify") {
    throw new PlatformError(`platform "${shop.platform}" is not supported yet`, "NOT_INSTALLED", false);
  }
  const session = await sessionStorage.loadSession(`offline_${shop.domain}`);
  if (!session?.accessToken) {
    throw new PlatformError(`no offline access token for ${shop.domain}: reinstall the app`, "NOT_INSTALLED", false);
  }
  return new ShopifyClient({
    origin: env().SHOPIFY_ADMIN_API_ORIGIN ?? `https://${shop.domain}`,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: session.accessToken,
  });
}
