import { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import { sessionStorage } from "../shopify.server";
import { recordInstall } from "./shops.server";

/**
 * Stores an offline access token (sealed by the session storage) and records the install. Used
 * where a token arrives outside Shopify's OAuth flow: the local demo shop, and tests.
 */
export async function storeOfflineInstall(input: { domain: string; accessToken: string; scope: string }): Promise<Shop> {
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${input.domain}`,
      shop: input.domain,
      state: "offline",
      isOnline: false,
      scope: input.scope,
      accessToken: input.accessToken,
    }),
  );
  return recordInstall({ platform: "shopify", domain: input.domain });
}
