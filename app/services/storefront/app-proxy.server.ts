import { z } from "zod";
import { authenticate } from "../../shopify.server";

/**
 * What a verified app proxy request tells us. `customerId` is Shopify's `logged_in_customer_id`:
 * the signed-in shopper, or null for a signed-out visitor. Nothing else in the query is trusted
 * for identity.
 */
export interface VerifiedProxyRequest {
  shop: string;
  customerId: string | null;
  /** The shop has an offline session with us (it is installed). */
  installed: boolean;
}

const proxyParams = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
  logged_in_customer_id: z
    .string()
    .regex(/^\d{1,20}$/)
    .or(z.literal(""))
    .optional(),
});

function unauthorized(): Response {
  return new Response(JSON.stringify({ error: "invalid_signature" }), {
    status: 401,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/**
 * Verifies Shopify's app proxy signature through shopify-app-remix (`authenticate.public.appProxy`:
 * hex HMAC-SHA256 with the app secret over the sorted `key=value` pairs without `signature`, repeated
 * keys joined by commas; `timestamp` within 90 seconds of now; `shop`, `timestamp` and `signature`
 * present once). The library answers a bad signature by throwing a 400; a storefront request that
 * Shopify did not sign is unauthorised, so it becomes a 401 here. Only after this are `shop` and
 * `logged_in_customer_id` believed.
 */
export async function verifyAppProxy(request: Request): Promise<VerifiedProxyRequest> {
  const url = new URL(request.url);
  if (!url.searchParams.get("signature")) throw unauthorized();
  let installed: boolean;
  try {
    const context = await authenticate.public.appProxy(request);
    installed = context.session !== undefined;
  } catch (error) {
    if (error instanceof Response && error.status === 400) throw unauthorized();
    throw error;
  }
  const params = proxyParams.safeParse(Object.fromEntries(url.searchParams));
  if (!params.success) {
    throw new Response(JSON.stringify({ error: "bad_proxy_parameters" }), {
      status: 400,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  }
  return { shop: params.data.shop, customerId: params.data.logged_in_customer_id || null, installed };
}
