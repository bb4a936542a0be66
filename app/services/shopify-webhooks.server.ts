import type { Prisma } from "@prisma/client";
import { isSafeNumber, parse } from "lossless-json";
import { shopifyGid } from "~domain/identity";
import prisma from "../db.server";
import { isUniqueViolation } from "../db-errors.server";
import { enqueue } from "../jobs/queue.server";
import { authenticate } from "../shopify.server";
import { deleteFiles, recordDataRequest, redactCustomer, redactShop } from "./compliance.server";
import { ensureShop, findShop } from "./shops.server";

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
 * Verify (HMAC of the raw body, through shopify-app-remix), record the delivery once, then either
 * do the small real job inline (uninstall, compliance) or enqueue a typed job, and answer.
 * The record and the work share one transaction: if the work fails, Shopify's retry finds no
 * record and runs it again; if it succeeded, every repeat is a no-op.
 */
export async function receiveShopifyWebhook(request: Request, expected: ShopifyWebhookTopic): Promise<WebhookOutcome> {
  if (!request.headers.get("x-shopify-hmac-sha256")) throw new Response("Missing X-Shopify-Hmac-Sha256", { status: 401 });
  const raw = await request.clone().text();
  let webhook: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    webhook = await authenticate.webhook(request);
  } catch (error) {
    // shopify-app-remix JSON.parses the body only once the signature holds: a SyntaxError here is a
    // correctly signed body that is not JSON, which is the sender's mistake (400), not ours (500).
    if (error instanceof SyntaxError) throw new Response(`The webhook body is not JSON (${error.message}).`, { status: 400 });
    throw error;
  }
  const topic = webhook.topic as string;
  if (topic !== expected) throw new Response(`this endpoint receives ${expected}, not ${topic}`, { status: 400 });
  if (!webhook.webhookId) throw new Response("Missing X-Shopify-Webhook-Id", { status: 400 });
  let payload: Payload;
  try {
    payload = parseWebhookBody(raw);
  } catch (error) {
    throw new Response(`The webhook body is not a JSON object (${error instanceof Error ? error.message : String(error)}).`, { status: 400 });
  }

  let filesToDelete: string[] = [];
  try {
    const outcome = await prisma.$transaction(async (tx) => {
      await tx.webhookDelivery.create({
        data: {
          platform: "shopify",
          webhookId: webhook.webhookId,
          eventId: "eventId" in webhook && webhook.eventId ? String(webhook.eventId) : null,
          topic,
          shopDomain: webhook.shop,
          status: "processed",
          processedAt: new Date(),
        },
      });
      const result = await handle(tx, expected, webhook.shop, webhook.webhookId, payload);
      filesToDelete = result.filesToDelete ?? [];
      return result.outcome;
    });
    await deleteFiles(filesToDelete);
    return outcome;
  } catch (error) {
    if (isUniqueViolation(error)) return { outcome: "duplicate", topic: expected };
    throw error;
  }
}

async function handle(
  tx: Tx,
  topic: ShopifyWebhookTopic,
  shopDomain: string,
  webhookId: string,
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
    case "CUSTOMERS_UPDATE": {
      const shop = await ensureShop("shopify", shopDomain, tx);
      const job = await enqueue(
        {
          kind: "customer.changed",
          shopId: shop.id,
          payload: { shopDomain, platform: "shopify", customerId: gidOf("Customer", payload), topic },
          dedupeKey: `webhook:shopify:${webhookId}`,
        },
        tx,
      );
      return { outcome: { outcome: "enqueued", topic, jobId: job.jobId } };
    }
    case "ORDERS_PAID":
    case "ORDERS_CANCELLED": {
      const shop = await ensureShop("shopify", shopDomain, tx);
      const job = await enqueue(
        {
          kind: "order.changed",
          shopId: shop.id,
          payload: { shopDomain, platform: "shopify", orderId: gidOf("Order", payload), topic },
          dedupeKey: `webhook:shopify:${webhookId}`,
        },
        tx,
      );
      return { outcome: { outcome: "enqueued", topic, jobId: job.jobId } };
    }
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

