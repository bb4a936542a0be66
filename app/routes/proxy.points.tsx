import type { LoaderFunctionArgs } from "@remix-run/node";
import { verifyAppProxy } from "../services/storefront/app-proxy.server";
import { storefrontPointsView } from "../services/storefront/points-view.server";
import { clientIp, storefrontLimiter } from "../services/storefront/rate-limit.server";

// The storefront widget's data: GET /apps/carryover/points on the shop, forwarded by Shopify's app
// proxy (shopify.app.toml [app_proxy]) to /proxy/points with its signed query. Decision 0014.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const proxy = await verifyAppProxy(request); // 401 unless Shopify signed it, recently

  const rate = storefrontLimiter.take(clientIp(request));
  if (!rate.allowed) {
    return Response.json(
      { error: "rate_limited" },
      { status: 429, headers: { "retry-after": String(rate.retryAfterSeconds), "cache-control": "no-store" } },
    );
  }

  const view = proxy.installed ? await storefrontPointsView({ shopDomain: proxy.shop, customerId: proxy.customerId }) : null;
  if (!view) return Response.json({ error: "not_installed" }, { status: 404, headers: { "cache-control": "no-store" } });

  // The widget puts the customer it was rendered for in `cid`, so each customer (and signed-out)
  // has its own URL in the browser's cache. An answer for someone else than `cid` is never cached.
  const cid = new URL(request.url).searchParams.get("cid");
  const cacheable = cid === null || cid === (proxy.customerId ?? "");
  return Response.json(view, {
    headers: { "cache-control": cacheable ? "private, max-age=30" : "no-store", vary: "Cookie" },
  });
};
