import { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import { sessionStorage } from "../shopify.server";
import { offlineSessionId } from "../platforms/platform-client.server";
import { recordInstall, type Platform } from "./shops.server";

/**
 * Stores an offline access token (sealed by the session storage) and records the install. Used
 * where a token arrives outside Shopify's OAuth flow: the local demo shop, tests, and (until its OAuth
 * lands) a Nuvemshop store, whose id is its `domain`.
 */
export async function storeOfflineInstall(input: { platform?: Platform; domain: string; accessToken: string; scope: string }): Promise<Shop> {
  const platform = input.platform ?? "shopify";
  await sessionStorage.storeSession(
    new Session({
      id: offlineSessionId(platform, input.domain),
      shop: input.domain,
      state: "offline",
      isOnline: false,
      scope: input.scope,
      accessToken: input.accessToken,
    }),
  );
  return recordInstall({ platform, domain: input.domain });
}
