/**
 * One state key per order of the new store, so the merchant's rules ("which states mean completed,
 * which mean cancelled") speak one vocabulary per platform.
 *
 * Shopify: "CANCELLED" when cancelledAt is set (a cancelled order keeps its financial status, often
 * REFUNDED or VOIDED, but cancellation is what the merchant sees), else displayFinancialStatus.
 * Nuvemshop: "cancelled" when the order status is cancelled, else payment_status.
 */
import type { OrderStateInput, Platform } from "./types";

export interface OrderStateInfo {
  key: string;
  label: string;
}

export const ORDER_STATES: Record<Platform, readonly OrderStateInfo[]> = {
  shopify: [
    { key: "PAID", label: "Paid" },
    { key: "PARTIALLY_PAID", label: "Partially paid" },
    { key: "PARTIALLY_REFUNDED", label: "Partially refunded" },
    { key: "REFUNDED", label: "Refunded" },
    { key: "VOIDED", label: "Voided" },
    { key: "PENDING", label: "Payment pending" },
    { key: "AUTHORIZED", label: "Authorized (not captured)" },
    { key: "EXPIRED", label: "Authorization expired" },
    { key: "CANCELLED", label: "Cancelled" },
  ],
  nuvemshop: [
    { key: "paid", label: "Paid" },
    { key: "pending", label: "Payment pending" },
    { key: "authorized", label: "Authorized (not captured)" },
    { key: "abandoned", label: "Abandoned" },
    { key: "refunded", label: "Refunded" },
    { key: "voided", label: "Voided" },
    { key: "cancelled", label: "Cancelled" },
  ],
};

/** The state of an order with no payment status at all; never a valid rule state, so never completed. */
export const UNKNOWN_STATE: Record<Platform, string> = { shopify: "UNKNOWN", nuvemshop: "unknown" };

/**
 * The order's state key. Platform spellings are folded to the key's case (Shopify's REST API says
 * "paid", GraphQL "PAID"); a status the list does not know is returned as read, and no rule can name it.
 */
export function orderStateOf(order: OrderStateInput, platform: Platform): string {
  if (platform === "shopify") {
    if (order.cancelledAt !== null && order.cancelledAt !== "") return "CANCELLED";
    const status = order.financialStatus?.trim().toUpperCase();
    return status ? status : UNKNOWN_STATE.shopify;
  }
  if (order.status?.trim().toLowerCase() === "cancelled") return "cancelled";
  const status = order.financialStatus?.trim().toLowerCase();
  return status ? status : UNKNOWN_STATE.nuvemshop;
}

/** What a merchant most often means; shown as the default of the Rules step. */
export function defaultStateRules(platform: Platform): { completed: string[]; cancelled: string[] } {
  return platform === "shopify"
    ? { completed: ["PAID", "PARTIALLY_REFUNDED"], cancelled: ["CANCELLED", "REFUNDED", "VOIDED"] }
    : { completed: ["paid"], cancelled: ["cancelled", "refunded", "voided"] };
}

export function stateLabel(platform: Platform, key: string): string {
  return ORDER_STATES[platform].find((s) => s.key === key)?.label ?? key;
}

/** Every problem of the merchant's state lists, in words; empty when they can be used. */
export function checkStateRules(platform: Platform, completed: readonly string[], cancelled: readonly string[]): string[] {
  const known = new Set(ORDER_STATES[platform].map((s) => s.key));
  const platformName = platform === "shopify" ? "Shopify" : "Nuvemshop";
  const problems: string[] = [];
  for (const [list, name] of [
    [completed, "completed"],
    [cancelled, "cancelled"],
  ] as const) {
    for (const key of new Set(list)) {
      if (!known.has(key)) {
        problems.push(`"${key}" is not an order state on ${platformName} (known: ${[...known].join(", ")}); it cannot mean ${name}`);
      }
    }
  }
  const inCancelled = new Set(cancelled);
  for (const key of new Set(completed)) {
    if (inCancelled.has(key) && known.has(key)) {
      problems.push(`"${stateLabel(platform, key)}" (${key}) is listed as both completed and cancelled; choose one`);
    }
  }
  if (completed.length === 0) problems.push("no order state means completed: no order would ever earn points");
  return problems;
}
