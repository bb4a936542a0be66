import crypto from "node:crypto";
import type { Prisma, Shop } from "@prisma/client";
import { toE164 } from "~domain/import/identity-fields";
import prisma from "../../db.server";
import { isUniqueViolation } from "../../db-errors.server";
import { env } from "../../env.server";
import { enqueue } from "../../jobs/queue.server";
import { offlineSessionId } from "../../platforms/platform-client.server";
import { tokenStillAccepted } from "../../platforms/nuvemshop/nuvemshop-store.server";
import { secretBox } from "../../shopify.server";
import { deleteFiles, recordDataRequest, redactCustomer, redactShop, type CustomerRef } from "../compliance.server";
import { nuvemshopRest } from "../nuvemshop/config.server";
import { parseWebhookBody } from "../shopify-webhooks.server";
import { recordAndEnqueue } from "../webhooks/record.server";
import { findShop } from "../shops.server";
import { shopCountry } from "./restore.server";

/**
 * Nuvemshop webhooks (decision 0004 applied to Nuvemshop, decisions 0012 and 0015): verify
 * `X-Linkedstore-HMAC-SHA256` (hex HMAC-SHA256 of the raw body with the app secret), record the delivery once, then enqueue the same typed jobs as Shopify's (the job fetches the customer or order:
 * payloads carry ids only) or do the small work inline (uninstall, LGPD), in one transaction, and answer.
 *
 * Nuvemshop sends no delivery id, and its repeats are byte-identical, so what makes a delivery "the same"
 * is decided per event:
 *   - customer/created, order/paid, order/cancelled, order/voided happen once per resource: store, event and
 *     resource id name the delivery, forever;
 *   - customer/updated happens many times with the same body: a delivery that finds a job for that customer
 *     still queued joins it (the job reads the customer when it runs, so it sees this change too);
 *     otherwise it queues a new job;
 *   - app/uninstalled and store/redact name the install they end (the shop's `installedAt`), and act only
 *     if the store no longer accepts Carryover's token — their bodies never change, so a replayed or late
 *     copy must not uninstall or wipe a store that has Carryover installed (it gets a 409, and Nuvemshop
 *     retries it later);
 *   - customers/redact and customers/data_request are named by their body's SHA-256 (the data request by
 *     its id when it has one).
 * LGPD bodies carry no `event` (their URLs are set per event in the Partner Portal); the event is read
 * from their documented shape, which the signature covers.
 */
export const NUVEMSHOP_EVENTS = {
  "customer/created": "customer.changed",
  "customer/updated": "customer.changed",
  "order/paid": "order.changed",
  "order/cancelled": "order.changed",
  "order/voided": "order.changed",
  "app/uninstalled": "inline",
  "store/redact": "inline",
  "customers/redact": "inline",
  "customers/data_request": "inline",
} as const;
export type NuvemshopEvent = keyof typeof NUVEMSHOP_EVENTS;

export type NuvemshopWebhookOutcome =
  | { outcome: "enqueued"; event: NuvemshopEvent; jobId: string }
  | { outcome: "processed"; event: NuvemshopEvent }
  | { outcome: "duplicate"; event: NuvemshopEvent }
  | { outcome: "ignored"; event: string; reason: string };

type Payload = Record<string, unknown>;
type Tx = Prisma.TransactionClient;

function isHandled(event: string): event is NuvemshopEvent {
  return Object.hasOwn(NUVEMSHOP_EVENTS, event);
}

export function verifyNuvemshopSignature(raw: string, signature: string, secret: string): boolean {
  const expected = crypto.createHmac("sha256", secret).update(raw, "utf8").digest();
  const given = /^[0-9a-fA-F]{64}$/.test(signature.trim()) ? Buffer.from(signature.trim(), "hex") : null;
  return given !== null && crypto.timingSafeEqual(given, expected);
}

const isObject = (v: unknown): v is Payload => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string | number => (typeof v === "number" || typeof v === "string") && /^\d+$/.test(String(v));

/** The event a body is about: its `event`, or for the LGPD bodies (which have none) their shape. */
export function nuvemshopEventOf(payload: Payload): string {
  if (typeof payload.event === "string") return payload.event;
  if (isObject(payload.customer) && (payload.data_request !== undefined || payload.orders_requested !== undefined)) return "customers/data_request";
  if (isObject(payload.customer) && payload.orders_to_redact !== undefined) return "customers/redact";
  if (Object.keys(payload).length === 1 && payload.store_id !== undefined) return "store/redact";
  return "";
}

const bad = (message: string) => new Response(message, { status: 400 });

export async function receiveNuvemshopWebhook(request: Request): Promise<NuvemshopWebhookOutcome> {
  const secret = env().NUVEMSHOP_APP_SECRET;
  if (!secret) throw new Response("Nuvemshop webhooks are not configured on this server (NUVEMSHOP_APP_SECRET)", { status: 503 });
  const signature = request.headers.get("x-linkedstore-hmac-sha256");
  if (!signature) throw new Response("Missing X-Linkedstore-HMAC-SHA256", { status: 401 });
  const raw = await request.text();
  if (!verifyNuvemshopSignature(raw, signature, secret)) throw new Response("Invalid X-Linkedstore-HMAC-SHA256", { status: 401 });

  let payload: Payload;
  try {
    payload = parseWebhookBody(raw);
  } catch {
    throw bad("webhook body is not a JSON object");
  }
  const event = nuvemshopEventOf(payload);
  if (!isHandled(event)) return { outcome: "ignored", event, reason: "not an event Carryover acts on" };
  if (!isId(payload.store_id)) throw bad("webhook payload has no store_id");
  const storeId = String(payload.store_id);
  const shop = await findShop("nuvemshop", storeId);
  const bodyHash = crypto.createHash("sha256").update(raw, "utf8").digest("hex");

  switch (event) {
    case "customer/created":
    case "customer/updated":
    case "order/paid":
    case "order/cancelled":
    case "order/voided": {
      if (!isId(payload.id)) throw bad("webhook payload has no resource id");
      if (!shop || shop.uninstalledAt) return { outcome: "ignored", event, reason: `store ${storeId} has not installed Carryover` };
      return event === "customer/updated" ? joinOrEnqueue(shop, event, String(payload.id)) : enqueueOnce(shop, event, String(payload.id));
    }
    case "app/uninstalled": {
      if (!shop) return { outcome: "ignored", event, reason: `store ${storeId} has not installed Carryover` };
      if (shop.uninstalledAt) return { outcome: "duplicate", event };
      const token = await confirmTokenRevoked(shop, event);
      return record(shop, event, `${storeId}:${event}:${shop.installedAt.getTime()}`, async (tx) => {
        await uninstall(tx, shop, token);
        return [];
      });
    }
    case "store/redact": {
      // Nothing was ever stored for a store that never installed Carryover.
      if (!shop) return { outcome: "processed", event };
      const token = shop.uninstalledAt ? null : await confirmTokenRevoked(shop, event);
      return record(shop, event, `${storeId}:${event}:${shop.installedAt.getTime()}`, async (tx) => {
        // It may come before app/uninstalled (deliveries are not ordered): the uninstall happens first.
        if (!shop.uninstalledAt) await uninstall(tx, shop, token);
        return (await redactShop(tx, shop.id)).filesToDelete;
      });
    }
    case "customers/redact":
    case "customers/data_request": {
      if (!isObject(payload.customer)) throw bad(`${event} payload has no customer`);
      if (!shop) return { outcome: "processed", event };
      const ref = customerRef(shop, payload.customer);
      const requestId = event === "customers/data_request" && isObject(payload.data_request) && isId(payload.data_request.id) ? `request-${String(payload.data_request.id)}` : bodyHash;
      return record(shop, event, `${storeId}:${event}:${requestId}`, async (tx) => {
        if (event === "customers/redact") return (await redactCustomer(tx, ref)).filesToDelete;
        await recordDataRequest(tx, ref);
        return [];
      });
    }
  }
}

/** The customer a LGPD request names: id, e-mail, CPF (11 digits) and phone (E.164, in the shop's country). */
function customerRef(shop: Shop, customer: Payload): CustomerRef {
  const digits = typeof customer.identification === "string" ? customer.identification.replace(/\D/g, "") : "";
  const phone = typeof customer.phone === "string" && customer.phone.trim() ? toE164(customer.phone, shopCountry(shop)) : null;
  return {
    shopId: shop.id,
    platformCustomerId: isId(customer.id) ? String(customer.id) : null,
    email: typeof customer.email === "string" && customer.email.trim() ? customer.email : null,
    cpf: /^\d{11}$/.test(digits) ? digits : null,
    phoneE164: phone,
  };
}

/** Records the delivery and does the work in one transaction; a delivery already recorded is a duplicate. */
async function record(shop: Shop, event: NuvemshopEvent, webhookId: string, work: (tx: Tx) => Promise<string[]>): Promise<NuvemshopWebhookOutcome> {
  try {
    const files = await prisma.$transaction(async (tx) => {
      await tx.webhookDelivery.create({
        data: { platform: "nuvemshop", webhookId, eventId: null, topic: event, shopDomain: shop.domain, status: "processed", processedAt: new Date() },
      });
      return work(tx);
    });
    await deleteFiles(files);
    return { outcome: "processed", event };
  } catch (error) {
    if (isUniqueViolation(error)) return { outcome: "duplicate", event };
    throw error;
  }
}

function jobFor(shop: Shop, event: NuvemshopEvent, id: string, dedupeKey: string, tx: Tx) {
  const base = { shopDomain: shop.domain, platform: "nuvemshop" as const, topic: event };
  return NUVEMSHOP_EVENTS[event] === "customer.changed"
    ? enqueue({ kind: "customer.changed", shopId: shop.id, payload: { ...base, customerId: id }, dedupeKey }, tx)
    : enqueue({ kind: "order.changed", shopId: shop.id, payload: { ...base, orderId: id }, dedupeKey }, tx);
}

/** Events that happen once per resource: one delivery, one job, ever (the webhook hot path, decision 0020). */
async function enqueueOnce(shop: Shop, event: NuvemshopEvent, id: string): Promise<NuvemshopWebhookOutcome> {
  const webhookId = `${shop.domain}:${event}:${id}`;
  const base = { shopDomain: shop.domain, platform: "nuvemshop" as const, topic: event };
  const dedupeKey = `webhook:nuvemshop:${webhookId}`;
  const delivery = { platform: "nuvemshop" as const, webhookId, eventId: null, topic: event, shopDomain: shop.domain };
  const recorded =
    NUVEMSHOP_EVENTS[event] === "customer.changed"
      ? await recordAndEnqueue(delivery, { kind: "customer.changed", payload: { ...base, customerId: id }, dedupeKey })
      : await recordAndEnqueue(delivery, { kind: "order.changed", payload: { ...base, orderId: id }, dedupeKey });
  return recorded.outcome === "duplicate" ? { outcome: "duplicate", event } : { outcome: "enqueued", event, jobId: recorded.jobId };
}

/**
 * Events that repeat for one resource: while a job for it is still queued, a delivery joins it (that job has
 * not read the resource yet); once it has started, the next delivery queues a new one under the same key
 * (the old job's key is moved aside). Two racing deliveries meet on the unique key: one queues, one joins.
 */
async function joinOrEnqueue(shop: Shop, event: NuvemshopEvent, id: string): Promise<NuvemshopWebhookOutcome> {
  const dedupeKey = `webhook:nuvemshop:${shop.domain}:${event}:${id}`;
  try {
    return await prisma.$transaction(async (tx) => {
      const current = await tx.job.findUnique({ where: { dedupeKey }, select: { id: true, state: true } });
      if (current?.state === "queued") return { outcome: "duplicate" as const, event };
      if (current) await tx.job.update({ where: { id: current.id }, data: { dedupeKey: `${dedupeKey}@${current.id}` } });
      const job = await jobFor(shop, event, id, dedupeKey, tx);
      await tx.webhookDelivery.create({
        data: { platform: "nuvemshop", webhookId: `${shop.domain}:${event}:${id}@${job.jobId}`, eventId: null, topic: event, shopDomain: shop.domain, status: "processed", processedAt: new Date() },
      });
      return { outcome: "enqueued" as const, event, jobId: job.jobId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { outcome: "duplicate", event };
    throw error;
  }
}

/**
 * Before an uninstall (or a store/redact of a store that looks installed) is acted on: the store must no
 * longer accept Carryover's token. Returns the sealed token that was checked (to delete exactly that one),
 * or null when none is stored. A token still accepted answers 409; Nuvemshop unreachable, 503.
 */
async function confirmTokenRevoked(shop: Shop, event: string): Promise<string | null> {
  const row = await prisma.session.findUnique({ where: { id: offlineSessionId("nuvemshop", shop.domain) }, select: { accessToken: true } });
  if (!row?.accessToken) return null;
  let accepted: boolean;
  try {
    accepted = await tokenStillAccepted(nuvemshopRest(shop.domain, secretBox.open(row.accessToken), { quick: true }));
  } catch (error) {
    throw new Response(`Nuvemshop could not be asked whether store ${shop.domain} still has Carryover installed: ${error instanceof Error ? error.message : String(error)}`, { status: 503 });
  }
  if (accepted) throw new Response(`${event}: store ${shop.domain} still accepts Carryover's token, so Carryover is installed there; not acted on`, { status: 409 });
  return row.accessToken;
}

/**
 * Marks the install ended and deletes its token — only that install (compare-and-set on `installedAt`)
 * and only the token found revoked (a re-install racing with this keeps its new one). The anonymous
 * ledger and everything else stay until store/redact.
 */
async function uninstall(tx: Tx, shop: Shop, sealedToken: string | null): Promise<void> {
  const { count } = await tx.shop.updateMany({ where: { id: shop.id, installedAt: shop.installedAt, uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  if (count === 1 && sealedToken) await tx.session.deleteMany({ where: { id: offlineSessionId("nuvemshop", shop.domain), accessToken: sealedToken } });
}
