import { describe, expect, it } from "vitest";
import type { CutoverRules, OrderInput } from "../reconcile/types";
import { isCancelTopic, orderAction } from "./order-event";

const rules: CutoverRules = { cutoverAt: "2026-10-01T00:00:00.000Z", completedStates: ["PAID"], cancelledStates: ["CANCELLED", "REFUNDED"], ordersMigrated: true, retroactive: null };
const order = (o: Partial<OrderInput>): OrderInput => ({
  platformId: "gid://shopify/Order/1",
  customerId: "gid://shopify/Customer/9",
  financialStatus: "PAID",
  status: null,
  cancelledAt: null,
  totalAmount: "129.90",
  placedAt: "2026-10-02T12:00:00.000Z",
  ...o,
});

describe("orderAction", () => {
  it("earns floor(total × rate) exactly on a completed order placed at or after the cutover", () => {
    expect(orderAction(order({}), rules, "shopify")).toMatchObject({ action: "earn", points: 129 });
    expect(orderAction(order({ totalAmount: "129.90" }), rules, "shopify", 2)).toMatchObject({ action: "earn", points: 259 });
    expect(orderAction(order({ totalAmount: "0.29" }), rules, "shopify", 100)).toMatchObject({ action: "earn", points: 29 });
    expect(orderAction(order({ placedAt: rules.cutoverAt }), rules, "shopify")).toMatchObject({ action: "earn" });
  });

  it("never earns on an order placed before the cutover, migrated or not", () => {
    expect(orderAction(order({ placedAt: "2026-09-30T23:59:59.000Z" }), rules, "shopify")).toMatchObject({ action: "none" });
    expect(orderAction(order({ placedAt: "2026-09-30T23:59:59.000Z" }), { ...rules, ordersMigrated: false }, "shopify")).toMatchObject({ action: "none" });
  });

  it("reverses on a cancelled state or a cancellation date, and does nothing for other states, guests or less than a point", () => {
    expect(orderAction(order({ cancelledAt: "2026-10-03T00:00:00.000Z", financialStatus: "REFUNDED" }), rules, "shopify")).toMatchObject({ action: "reverse", state: "CANCELLED" });
    expect(orderAction(order({ financialStatus: "REFUNDED" }), rules, "shopify")).toMatchObject({ action: "reverse" });
    expect(orderAction(order({ status: "cancelled", financialStatus: "paid" }), { ...rules, completedStates: ["paid"], cancelledStates: ["cancelled"] }, "nuvemshop")).toMatchObject({ action: "reverse" });
    expect(orderAction(order({ financialStatus: "PENDING" }), rules, "shopify")).toMatchObject({ action: "none" });
    expect(orderAction(order({ customerId: null }), rules, "shopify")).toMatchObject({ action: "none", reason: expect.stringContaining("guest") });
    expect(orderAction(order({ totalAmount: "0.50" }), rules, "shopify")).toMatchObject({ action: "none" });
  });

  it("knows both platforms' cancellation topics", () => {
    expect(["ORDERS_CANCELLED", "orders/cancelled", "order/cancelled", "order/voided"].every(isCancelTopic)).toBe(true);
    expect(isCancelTopic("ORDERS_PAID")).toBe(false);
  });
});
