import crypto from "node:crypto";

/**
 * Signs an app proxy query the way Shopify documents it (Authenticate app proxies): every query
 * parameter but `signature`, as `key=value` with repeated keys' values joined by commas, sorted by
 * key, concatenated with no separator; hex HMAC-SHA256 of that with the app's secret. Written here
 * from the documentation, independently of the library the app verifies with.
 */
export function proxySignature(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return crypto.createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

/**
 * The query Shopify adds when it forwards `/apps/carryover/<path>?<query>` to the app: the
 * shopper's own query, then shop, logged_in_customer_id (empty when signed out), path_prefix,
 * timestamp and signature.
 */
export function signedProxyQuery(input: {
  query?: URLSearchParams | string;
  shop: string;
  customerId: string | null;
  secret: string;
  timestamp?: number;
  pathPrefix?: string;
}): URLSearchParams {
  const params = new URLSearchParams(input.query ?? "");
  params.set("shop", input.shop);
  params.set("logged_in_customer_id", input.customerId ?? "");
  params.set("path_prefix", input.pathPrefix ?? "/apps/carryover");
  params.set("timestamp", String(input.timestamp ?? Math.floor(Date.now() / 1000)));
  params.set("signature", proxySignature(params, input.secret));
  return params;
}
