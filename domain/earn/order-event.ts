/**
 * What an order event after go-live does to the ledger (DESIGN.md "No double points"): the migration's
 * cutover rules (domain/reconcile/cutover.ts) say what the order is, and the merchant's earn rate says
 * how many points a completed order after the cutover is worth.
 *
 *   cancelled state, or a cancelled date        → reverse (whatever it earned, once)
 *   not a completed state                        → nothing
 *   placed before the cutover, orders migrated   → nothing, ever (the imported balance holds it)
 *   placed before the cutover otherwise          → nothing here (retroactive points are apply's job)
 *   placed at or after the cutover, no customer  → nothing (guest order)
 *   placed at or after the cutover               → earn floor(total × earnRate), exactly
 */
import { classifyOrder, retroactivePoints } from "../reconcile/cutover";
import type { CutoverRules, OrderInput, Platform } from "../reconcile/types";

export type OrderAction =
  | { action: "earn"; points: number; state: string; reason: string }
  | { action: "reverse"; state: string; reason: string }
  | { action: "none"; state: string; reason: string };

/** Points per currency unit when the merchant set none. */
export const DEFAULT_EARN_RATE = 1;

export function orderAction(order: OrderInput, rules: CutoverRules, platform: Platform, earnRate: number = DEFAULT_EARN_RATE): OrderAction {
  const c = classifyOrder(order, rules, platform);
  if (c.outcome === "cancelled" || (order.cancelledAt !== null && order.cancelledAt !== "")) {
    return { action: "reverse", state: c.state, reason: c.outcome === "cancelled" ? c.reason : "cancelled: the order has a cancellation date" };
  }
  if (c.outcome !== "after_cutover") {
    return { action: "none", state: c.state, reason: c.outcome === "retroactive" ? "placed before the cutover: retroactive points are written at apply" : c.reason };
  }
  if (order.customerId === null) return { action: "none", state: c.state, reason: "guest order: no customer to credit" };
  const points = retroactivePoints(order.totalAmount, earnRate);
  if (points === null) return { action: "none", state: c.state, reason: `the order total "${order.totalAmount}" or the earn rate ${earnRate} could not be read` };
  if (points === 0) return { action: "none", state: c.state, reason: `${order.totalAmount} × ${earnRate} points per unit is less than one point` };
  return { action: "earn", points, state: c.state, reason: `${order.totalAmount} × ${earnRate} points per unit` };
}

/** A cancellation topic of either platform (Shopify orders/cancelled, Nuvemshop order/cancelled and order/voided). */
export function isCancelTopic(topic: string): boolean {
  const t = topic.toLowerCase();
  return t === "orders_cancelled" || t === "orders/cancelled" || t === "order/cancelled" || t === "order/voided";
}
