// Shopify nodes -> the platform-neutral snapshots of PlatformClient.
import type { CustomerSnapshot, OrderSnapshot } from "../platform-client";
import type { CustomerNode } from "./operations/customer-fields";
import type { OrderNode } from "./operations/order-fields";

/** Any instant Shopify gives (`2026-01-31T12:00:00Z`, with an offset, with milliseconds) as ISO UTC with `Z`. */
export function isoUtc(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`not an instant: ${value}`);
  return new Date(time).toISOString();
}

function isoUtcOrNull(value: string | null | undefined): string | null {
  return value ? isoUtc(value) : null;
}

export function customerSnapshot(node: CustomerNode): CustomerSnapshot {
  return {
    platformId: node.id,
    email: node.defaultEmailAddress?.emailAddress ?? null,
    phone: node.defaultPhoneNumber?.phoneNumber ?? null,
    cpf: null,
    firstName: node.firstName ?? null,
    lastName: node.lastName ?? null,
    state: node.state ?? null,
    createdAt: isoUtc(node.createdAt),
    updatedAt: isoUtc(node.updatedAt),
  };
}

export function orderSnapshot(node: OrderNode): OrderSnapshot {
  const money = node.totalPriceSet?.shopMoney ?? null;
  return {
    platformId: node.id,
    customerId: node.customer?.id ?? null,
    name: node.name ?? null,
    financialStatus: node.displayFinancialStatus ?? null,
    fulfillmentStatus: node.displayFulfillmentStatus ?? null,
    status: null,
    cancelledAt: isoUtcOrNull(node.cancelledAt),
    closed: !!node.closed,
    totalAmount: money?.amount ?? "0",
    currency: money?.currencyCode ?? null,
    placedAt: isoUtc(node.processedAt ?? node.createdAt),
    updatedAt: isoUtc(node.updatedAt),
  };
}

/** The search filter for "updated at or after `since`", at whole seconds (Shopify's precision), rounded down. */
export function updatedSinceSearch(since: Date): string {
  const seconds = Math.floor(since.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new RangeError("updatedSince is not a valid date");
  return `updated_at:>='${new Date(seconds * 1000).toISOString().replace(".000Z", "Z")}'`;
}
