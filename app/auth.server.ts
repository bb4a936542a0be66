import type { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import { env } from "./env.server";
import { authenticate, sessionStorage } from "./shopify.server";
import { ensureShop } from "./services/shops.server";

export interface AdminContext {
  shop: Shop;
  session: Session;
  /** True when the local demo mode stood in for Shopify's admin session. */
  demo: boolean;
}

/**
 * Every admin loader and action starts here. In production this is Shopify's session-token
 * authentication; with CARRYOVER_DEMO_SHOP set (refused at start-up in production) it stands in
 * for the admin session of that one demo shop, because no local browser holds a session token.
 */
export async function requireAdmin(request: Request): Promise<AdminContext> {
  const demoShop = env().CARRYOVER_DEMO_SHOP;
  if (demoShop) {
    const session = await sessionStorage.loadSession(`offline_${demoShop}`);
    if (!session) {
      throw new Response(`The demo shop ${demoShop} is not installed: start it with npm run demo`, { status: 503 });
    }
    return { shop: await ensureShop("shopify", demoShop), session, demo: true };
  }
  const { session } = await authenticate.admin(request);
  return { shop: await ensureShop("shopify", session.shop), session, demo: false };
}
