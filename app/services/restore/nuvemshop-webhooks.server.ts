import crypto from "node:crypto";
import prisma from "../../db.server";
import { isUniqueViolation } from "../../db-errors.server";
import { env } from "../../env.server";
import { enqueue } from "../../jobs/queue.server";
import { parseWebhookBody } from "../shopify-webhooks.server";
import { findShop } from "../shops.server";

/**
 * Nuvemshop webhooks (decision 0004 applied to Nuvemshop, decision 0012): verify
 * `X-Linkedstore-HMAC-SHA256` (hex HMAC-SHA256 of the raw body with the app secret), record the
 * delivery once, enqueue the same typed jobs as Shopify's, answer. Bodies carry `{store_id, event, id}`
 * only and repeat byte for byte, so a delivery is identified by store, event and resource id: a repeat
 * of customer/created, order/paid or order/cancelled for the same resource is the same event.
 */
export const NUVEMSHOP_EVENTS = {
  "customer/created": "customer.changed",
  "order/paid": "order.changed",
  "order/cancelled": "order.changed",
  "order/voided": "order.changed",
} as const;
export type NuvemshopEvent = keyof typeof NUVEMSHOP_EVENTS;

export type NuvemshopWebhookOutcome =
  | { outcome: "enqueued"; event: NuvemshopEvent; jobId: string }
  | { outcome: "duplicate"; event: NuvemshopEvent }
  | { outcome: "ignored"; event: string; reason: string };

function isHandled(event: string): event is NuvemshopEvent {
  return Object.hasOwn(NUVEMSHOP_EVENTS, event);
}

export function verifyNuvemshopSignature(raw: string, signature: string, secret: string): boolean {
  const expected = crypto.createHmac("sha256", secret).update(raw, "utf8").digest();
  const given = /^[0-9a-fA-F]{64}$/.test(signature.trim()) ? Buffer.from(signature.trim(), "hex") : null;
  return given !== null && crypto.timingSafeEqual(given, expected);
}

export async function receiveNuvemshopWebhook(request: Request): Promise<NuvemshopWebhookOutcome> {
  const secret = env().NUVEMSHOP_APP_SECRET;
  if (!secret) throw new Response("Nuvemshop webhooks are not configured on this server (NUVEMSHOP_APP_SECRET)", { status: 503 });
  const signature = request.headers.get("x-linkedstore-hmac-sha256");
  if (!signature) throw new Response("Missing X-Linkedstore-HMAC-SHA256", { status: 401 });
  const raw = await request.text();
  if (!verifyNuvemshopSignature(raw, signature, secret)) throw new Response("Invalid X-Linkedstore-HMAC-SHA256", { status: 401 });

  let payload: Record<string, unknown>;
  try {
    payload = parseWebhookBody(raw);
  } catch {
    throw new Response("webhook body is not a JSON object", { status: 400 });
  }
  const event = typeof payload.event === "string" ? payload.event : "";
  const storeId = payload.store_id;
  const id = payload.id;
  if (!isHandled(event)) return { outcome: "ignored", event, reason: "not an event Carryover acts on" };
  if ((typeof storeId !== "number" && typeof storeId !== "string") || (typeof id !== "number" && typeof id !== "string") || !/^\d+$/.test(String(id))) {
    throw new Response("webhook payload has no store_id or id", { status: 400 });
  }
  const shop = await findShop("nuvemshop", String(storeId));
  if (!shop || shop.uninstalledAt) return { outcome: "ignored", event, reason: `store ${String(storeId)} has not installed Carryover` };

  const webhookId = `${String(storeId)}:${event}:${String(id)}`;
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.webhookDelivery.create({
        data: { platform: "nuvemshop", webhookId, eventId: null, topic: event, shopDomain: shop.domain, status: "processed", processedAt: new Date() },
      });
      const dedupeKey = `webhook:nuvemshop:${webhookId}`;
      const base = { shopDomain: shop.domain, platform: "nuvemshop" as const, topic: event };
      const job =
        NUVEMSHOP_EVENTS[event] === "customer.changed"
          ? await enqueue({ kind: "customer.changed", shopId: shop.id, payload: { ...base, customerId: String(id) }, dedupeKey }, tx)
          : await enqueue({ kind: "order.changed", shopId: shop.id, payload: { ...base, orderId: String(id) }, dedupeKey }, tx);
      return { outcome: "enqueued" as const, event, jobId: job.jobId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { outcome: "duplicate", event };
    throw error;
  }
}
