import type { Session } from "@shopify/shopify-api";
import type { Shop } from "@prisma/client";
import { env } from "./env.server";
import { authenticate, sessionStorage } from "./shopify.server";
import { ensureShop } from "./services/shops.server";
import { clearAdminSessionCookie, resolveNuvemshopAdmin } from "./services/nuvemshop/admin-session.server";

export interface AdminContext {
  shop: Shop;
  session: Session;
  /** True when the local demo mode stood in for Shopify's admin session. */
  demo: boolean;
}

/**
 * Every admin loader and action starts here. In production this is Shopify's session-token
 * authentication, or, for a Nuvemshop store, the admin session Carryover issued after Nuvemshop's
 * authorization flow (a signed cookie: decision 0015); with CARRYOVER_DEMO_SHOP set
 * (refused at start-up in production) it stands in for the admin session of that one demo shop, because
 * no local browser holds a session token.
 */
export async function requireAdmin(request: Request): Promise<AdminContext> {
  // Shopify's embedded admin sends its session token as a bearer header; the Nuvemshop cookie is only
  // consulted for requests that do not carry one (a Nuvemshop tab never does).
  if (!request.headers.get("authorization")) {
    const nuvemshop = await resolveNuvemshopAdmin(request);
    if (nuvemshop.outcome === "signed-in") return { shop: nuvemshop.shop, session: nuvemshop.session, demo: false };
    if (nuvemshop.outcome === "refused") throw refuseNuvemshop(request, nuvemshop);
  }
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

/** A refused Nuvemshop session: page loads that only need a new sign-in go through it again; the rest get the status. */
function refuseNuvemshop(request: Request, refusal: { status: 401 | 403; reason: string; reauthenticate: boolean }): Response {
  const headers = new Headers({ "Set-Cookie": clearAdminSessionCookie(env().SHOPIFY_APP_URL.startsWith("https://")), "Cache-Control": "no-store" });
  const url = new URL(request.url);
  const documentLoad = request.method === "GET" && !url.searchParams.has("_data");
  if (refusal.reauthenticate && documentLoad) {
    headers.set("Location", "/nuvemshop/install");
    return new Response(null, { status: 302, headers });
  }
  headers.set("Content-Type", "text/plain; charset=utf-8");
  return new Response(refusal.reason, { status: refusal.status, headers });
}
