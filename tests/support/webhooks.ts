import crypto from "node:crypto";
import { TEST_API_SECRET } from "./test-env";

export interface WebhookRequestInput {
  topic: string; // "customers/create"
  shop: string;
  body: string | object;
  webhookId?: string;
  eventId?: string;
  secret?: string;
  /** Override or drop (null) the signature header. */
  hmac?: string | null;
  path?: string;
}

/** A webhook request signed exactly as Shopify signs it: base64 HMAC-SHA256 of the raw body. */
export function shopifyWebhookRequest(input: WebhookRequestInput): Request {
  const raw = typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const signature = crypto.createHmac("sha256", input.secret ?? TEST_API_SECRET).update(raw, "utf8").digest("base64");
  const headers = new Headers({
    "content-type": "application/json",
    "x-shopify-topic": input.topic,
    "x-shopify-shop-domain": input.shop,
    "x-shopify-api-version": "2026-01",
    "x-shopify-webhook-id": input.webhookId ?? crypto.randomUUID(),
    "x-shopify-event-id": input.eventId ?? crypto.randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  });
  const hmac = input.hmac === undefined ? signature : input.hmac;
  if (hmac !== null) headers.set("x-shopify-hmac-sha256", hmac);
  return new Request(`http://127.0.0.1:3999${input.path ?? `/webhooks/${input.topic}`}`, { method: "POST", headers, body: raw });
}

export function uniqueShop(prefix = "shop"): string {
  return `${prefix}-${crypto.randomBytes(5).toString("hex")}.myshopify.com`;
}
