import type { Prisma } from "@prisma/client";
import { isSafeNumber, parse } from "lossless-json";
import { shopifyGid } from "~domain/identity";
import { deleteFiles, recordDataRequest, redactCustomer, redactShop } from "./compliance.server";
import { findShop } from "./shops.server";
import { recordAndEnqueue, recordDeliveryOnce, type WebhookJob, type WebhookJobKind } from "./webhooks/record.server";
import { verifyShopifyWebhook } from "./webhooks/shopify-verify.server";

/** The topics Carryover subscribes to (shopify.app.toml), in the form shopify-api reports them. */
export const SHOPIFY_WEBHOOK_TOPICS = [
  "APP_UNINSTALLED",
  "CUSTOMERS_CREATE",
  "CUSTOMERS_ENABLE",
  "CUSTOMERS_UPDATE",
  "ORDERS_PAID",
  "ORDERS_CANCELLED",
  "CUSTOMERS_DATA_REQUEST",
  "CUSTOMERS_REDACT",
  "SHOP_REDACT",
] as const;
export type ShopifyWebhookTopic = (typeof SHOPIFY_WEBHOOK_TOPICS)[number];

export type WebhookOutcome =
  | { outcome: "processed"; topic: ShopifyWebhookTopic }
  | { outcome: "enqueued"; topic: ShopifyWebhookTopic; jobId: string }
  | { outcome: "duplicate"; topic: ShopifyWebhookTopic };

type Payload = Record<string, unknown>;
type Tx = Prisma.TransactionClient;

/**
 * Parses the body keeping every integer exact: Shopify ids can exceed 2^53, and JSON.parse would
 * silently round them (the documented example payloads show it). Unsafe integers stay strings.
 */
export function parseWebhookBody(raw: string): Payload {
  const value = parse(raw, null, (text) => (isSafeNumber(text) ? Number(text) : text));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("webhook body is not a JSON object");
  return value as Payload;
}

function gidOf(resource: "Customer" | "Order", payload: Payload | undefined): string {
  const gid = payload?.admin_graphql_api_id;
  if (typeof gid === "string" && gid.startsWith("gid://shopify/")) return gid;
  const id = payload?.id;
  if (typeof id === "string" || typeof id === "number") return shopifyGid(resource, id);
  throw new Response(`webhook payload has no ${resource.toLowerCase()} id`, { status: 400 });
}

/**
 * Verify (HMAC of the raw body, app/services/webhooks/shopify-verify.server.ts), record the delivery
 * once, then either do the small real job inline (uninstall, compliance) or enqueue a typed job, and
 * answer. The record and the work share one transaction: if the work fails, Shopify's retry finds no
 * record and runs it again; if it succeeded, every repeat is a no-op that writes nothing.
 */
export async function receiveShopifyWebhook(request: Request, expected: ShopifyWebhookTopic): Promise<WebhookOutcome> {
  const webhook = await verifyShopifyWebhook(request);
  if (webhook.topic !== expected) throw new Response(`this endpoint receives ${expected}, not ${webhook.topic}`, { status: 400 });
  let payload: Payload;
  try {
    payload = parseWebhookBody(webhook.rawBody);
  } catch (error) {
    throw new Response(`The webhook body is not a JSON object (${error instanceof Error ? error.message : String(error)}).`, { status: 400 });
  }

  const delivery = { platform: "shopify" as const, webhookId: webhook.webhookId, eventId: webhook.eventId, topic: webhook.topic, shopDomain: webhook.shop };
  const job = jobOf(expected, webhook.shop, webhook.webhookId, payload);
  if (job) {
    const recorded = await recordAndEnqueue(delivery, job);
    return recorded.outcome === "duplicate" ? { outcome: "duplicate", topic: expected } : { outcome: "enqueued", topic: expected, jobId: recorded.jobId };
  }
  const recorded = await recordDeliveryOnce(delivery, (tx) => handle(tx, expected, webhook.shop, payload));
  if (recorded.outcome === "duplicate") return { outcome: "duplicate", topic: expected };
  await deleteFiles(recorded.result.filesToDelete ?? []);
  return recorded.result.outcome;
}

/** The job a topic is worked by (customers/* and orders/*); null for the topics done inline. */
function jobOf(topic: ShopifyWebhookTopic, shopDomain: string, webhookId: string, payload: Payload): WebhookJob<WebhookJobKind> | null {
  const dedupeKey = `webhook:shopify:${webhookId}`;
  switch (topic) {
    case "CUSTOMERS_CREATE":
    case "CUSTOMERS_ENABLE":
    case "CUSTOMERS_UPDATE":
      return { kind: "customer.changed", payload: { shopDomain, platform: "shopify", customerId: gidOf("Customer", payload), topic }, dedupeKey };
    case "ORDERS_PAID":
    case "ORDERS_CANCELLED":
      return { kind: "order.changed", payload: { shopDomain, platform: "shopify", orderId: gidOf("Order", payload), topic }, dedupeKey };
    default:
      return null;
  }
}

async function handle(
  tx: Tx,
  topic: ShopifyWebhookTopic,
  shopDomain: string,
  payload: Payload,
): Promise<{ outcome: WebhookOutcome; filesToDelete?: string[] }> {
  const processed = { outcome: { outcome: "processed", topic } as const };
  switch (topic) {
    case "APP_UNINSTALLED": {
      await tx.session.deleteMany({ where: { shop: shopDomain } });
      await tx.shop.updateMany({ where: { platform: "shopify", domain: shopDomain }, data: { uninstalledAt: new Date() } });
      return processed;
    }
    case "CUSTOMERS_CREATE":
    case "CUSTOMERS_ENABLE":
    case "CUSTOMERS_UPDATE":
    case "ORDERS_PAID":
    case "ORDERS_CANCELLED":
      throw new Error(`${topic} is worked by a job (recordAndEnqueue), not inline`);
    case "CUSTOMERS_DATA_REQUEST":
    case "CUSTOMERS_REDACT": {
      const shop = await findShop("shopify", shopDomain, tx);
      if (!shop) return processed; // nothing was ever stored for this shop
      const customer = payload.customer as Payload | undefined;
      const ref = {
        shopId: shop.id,
        platformCustomerId: customer?.id != null ? shopifyGid("Customer", customer.id as string | number) : null,
        email: typeof customer?.email === "string" ? customer.email : null,
      };
      if (topic === "CUSTOMERS_REDACT") return { ...processed, filesToDelete: (await redactCustomer(tx, ref)).filesToDelete };
      await recordDataRequest(tx, ref);
      return processed;
    }
    case "SHOP_REDACT": {
      const shop = await findShop("shopify", shopDomain, tx);
      if (!shop) return processed;
      const { filesToDelete } = await redactShop(tx, shop.id);
      return { ...processed, filesToDelete };
    }
  }
}

