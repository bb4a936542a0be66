import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkStateRules, defaultStateRules, ORDER_STATES, orderStateOf } from "./order-states";
import { PLATFORMS } from "./types";

const order = (financialStatus: string | null, status: string | null = null, cancelledAt: string | null = null) => ({ financialStatus, status, cancelledAt });

describe("orderStateOf", () => {
  it("Shopify: CANCELLED when cancelledAt is set, else the financial status", () => {
    expect(orderStateOf(order("PAID"), "shopify")).toBe("PAID");
    expect(orderStateOf(order("partially_refunded"), "shopify")).toBe("PARTIALLY_REFUNDED");
    expect(orderStateOf(order("REFUNDED", null, "2025-03-01T10:00:00Z"), "shopify")).toBe("CANCELLED");
    expect(orderStateOf(order(null), "shopify")).toBe("UNKNOWN");
  });

  it("Nuvemshop: cancelled when the order status is cancelled, else payment_status", () => {
    expect(orderStateOf(order("paid", "closed"), "nuvemshop")).toBe("paid");
    expect(orderStateOf(order("paid", "cancelled"), "nuvemshop")).toBe("cancelled");
    expect(orderStateOf(order("Refunded", "open"), "nuvemshop")).toBe("refunded");
    expect(orderStateOf(order(null, "open"), "nuvemshop")).toBe("unknown");
  });

  it("a known state always comes out as one of the platform's listed keys", () => {
    for (const platform of PLATFORMS) {
      const keys = ORDER_STATES[platform].map((s) => s.key);
      fc.assert(
        fc.property(fc.constantFrom(...keys), fc.boolean(), (key, cancelled) => {
          const input =
            platform === "shopify" ? order(key === "CANCELLED" ? "VOIDED" : key, null, cancelled || key === "CANCELLED" ? "2025-01-01T00:00:00Z" : null) : order(key, cancelled || key === "cancelled" ? "cancelled" : "open");
          const state = orderStateOf(input, platform);
          expect(keys).toContain(state);
          expect(state).toBe(cancelled ? (platform === "shopify" ? "CANCELLED" : "cancelled") : key);
        }),
      );
    }
  });
});

describe("state rules", () => {
  it("the defaults are valid, and list only known states", () => {
    for (const platform of PLATFORMS) {
      const d = defaultStateRules(platform);
      expect(checkStateRules(platform, d.completed, d.cancelled)).toEqual([]);
    }
    expect(defaultStateRules("shopify")).toEqual({ completed: ["PAID", "PARTIALLY_REFUNDED"], cancelled: ["CANCELLED", "REFUNDED", "VOIDED"] });
    expect(defaultStateRules("nuvemshop")).toEqual({ completed: ["paid"], cancelled: ["cancelled", "refunded", "voided"] });
  });

  it("refuse a state in both lists, an unknown state, and no completed state, in words", () => {
    expect(checkStateRules("shopify", ["PAID", "REFUNDED"], ["REFUNDED"])).toEqual(['"Refunded" (REFUNDED) is listed as both completed and cancelled; choose one']);
    expect(checkStateRules("shopify", ["paid"], [])[0]).toContain('"paid" is not an order state on Shopify');
    expect(checkStateRules("nuvemshop", ["paid"], ["CANCELLED"])[0]).toContain('"CANCELLED" is not an order state on Nuvemshop');
    expect(checkStateRules("nuvemshop", [], ["cancelled"])).toEqual(["no order state means completed: no order would ever earn points"]);
  });

  it("every split of known states into two disjoint non-empty-completed lists is accepted; any overlap is refused", () => {
    for (const platform of PLATFORMS) {
      const keys = ORDER_STATES[platform].map((s) => s.key);
      fc.assert(
        fc.property(fc.array(fc.constantFrom(0, 1, 2), { minLength: keys.length, maxLength: keys.length }), (sides) => {
          const completed = keys.filter((_, i) => sides[i] === 1);
          const cancelled = keys.filter((_, i) => sides[i] === 2);
          const problems = checkStateRules(platform, completed, cancelled);
          expect(problems.length === 0).toBe(completed.length > 0);
          if (completed.length > 0) {
            const overlap = checkStateRules(platform, completed, [...cancelled, completed[0]!]);
            expect(overlap).toHaveLength(1);
            expect(overlap[0]).toContain("both completed and cancelled");
          }
        }),
      );
    }
  });
});
