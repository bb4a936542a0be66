import crypto from "node:crypto";
import { env } from "../../env.server";

/**
 * The checks `authenticate.webhook` makes on a Shopify webhook (shopify-api's `webhooks.validate`:
 * a body, the `X-Shopify-Hmac-Sha256` base64 HMAC-SHA256 of the raw body with the app secret, the
 * required headers), without what it adds that a webhook route never uses: it loads and decrypts the
 * shop's offline session from the database (and with expiring offline tokens may refresh it over
 * the network) and builds an Admin API client, on every delivery. That made up about 3 ms of each
 * delivery's cost (decision 0020). The HMAC is node:crypto's over the body's bytes,
 * compared in constant time; tests/integration/webhooks-verify.test.ts holds it to the library's
 * verdict on the same requests.
 */
export interface VerifiedShopifyWebhook {
  /** "CUSTOMERS_CREATE": the header's topic in the form shopify-api reports it. */
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string | null;
  apiVersion: string;
  /** The body as text (UTF-8), exactly the bytes that were signed. */
  rawBody: string;
}

const REQUIRED = {
  topic: "x-shopify-topic",
  shop: "x-shopify-shop-domain",
  apiVersion: "x-shopify-api-version",
  webhookId: "x-shopify-webhook-id",
} as const;

/** shopify-api's `topicForStorage`: "customers/create" → "CUSTOMERS_CREATE". */
export function topicForStorage(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

/** True when `signature` is the base64 HMAC-SHA256 of `body` with `secret` (constant-time comparison). */
export function validShopifyHmac(body: Uint8Array, signature: string, secret: string): boolean {
  const expected = Buffer.from(crypto.createHmac("sha256", secret).update(body).digest("base64"), "latin1");
  const given = Buffer.from(signature, "utf8");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Throws the Response the route answers with when the request is not a genuine Shopify webhook. */
export async function verifyShopifyWebhook(request: Request): Promise<VerifiedShopifyWebhook> {
  // Before anything else, as the route always did (decision 0004): shopify-api would say 400.
  const hmac = request.headers.get("x-shopify-hmac-sha256");
  if (!hmac) throw new Response("Missing X-Shopify-Hmac-Sha256", { status: 401 });
  if (request.method !== "POST") throw new Response("Webhooks are POSTed", { status: 405 });
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length === 0) throw new Response("The webhook has no body", { status: 400 });
  if (!validShopifyHmac(body, hmac, env().SHOPIFY_API_SECRET)) throw new Response("Invalid X-Shopify-Hmac-Sha256", { status: 401 });

  const missing = Object.values(REQUIRED).filter((name) => !request.headers.get(name));
  if (missing.length > 0) throw new Response(`Missing webhook headers: ${missing.join(", ")}`, { status: 400 });
  const header = (name: string) => request.headers.get(name)!;
  return {
    topic: topicForStorage(header(REQUIRED.topic)),
    shop: header(REQUIRED.shop),
    webhookId: header(REQUIRED.webhookId),
    eventId: request.headers.get("x-shopify-event-id") || null,
    apiVersion: header(REQUIRED.apiVersion),
    rawBody: new TextDecoder().decode(body),
  };
}
