import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkRules, classifyOrder, classifyOrders, orderClassifier, retroactivePoints } from "./cutover";
import { defaultStateRules, ORDER_STATES } from "./order-states";
import type { CutoverRules, OrderInput } from "./types";

const CUTOVER = "2025-06-01T03:00:00.000Z";
const shopifyRules = (over: Partial<CutoverRules> = {}): CutoverRules => ({
  cutoverAt: CUTOVER,
  completedStates: defaultStateRules("shopify").completed,
  cancelledStates: defaultStateRules("shopify").cancelled,
  ordersMigrated: false,
  retroactive: { pointsPerCurrencyUnit: 2, from: "2025-01-01T00:00:00Z", to: CUTOVER },
  ...over,
});
const order = (over: Partial<OrderInput> = {}): OrderInput => ({
  platformId: "gid://shopify/Order/1",
  customerId: "gid://shopify/Customer/1",
  financialStatus: "PAID",
  status: null,
  cancelledAt: null,
  totalAmount: "129.90",
  placedAt: "2025-03-10T12:00:00Z",
  ...over,
});

describe("retroactivePoints", () => {
  it("multiplies decimals exactly and floors", () => {
    expect(retroactivePoints("129.90", 2)).toBe(259);
    expect(retroactivePoints("0.29", 100)).toBe(29); // a float says 28.999…
    expect(retroactivePoints("10", 0.1)).toBe(1);
    expect(retroactivePoints("99.99", 1)).toBe(99);
    expect(retroactivePoints("1234567890.12", 1.5)).toBe(1851851835);
    expect(retroactivePoints("5", 1e-7)).toBe(0);
    expect(retroactivePoints("2", 1e21)).toBe(2e21);
    expect(retroactivePoints("-5.00", 1)).toBeNull();
    expect(retroactivePoints("12,50", 1)).toBeNull();
    expect(retroactivePoints("1", -1)).toBeNull();
    expect(retroactivePoints("1", Number.NaN)).toBeNull();
  });

  it("equals floor(cents × rate-in-hundredths / 10000) for any amount and rate", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000_00 }), fc.nat({ max: 10_000 }), (cents, rateHundredths) => {
        const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
        const rate = rateHundredths / 100;
        expect(retroactivePoints(amount, rate)).toBe(Number((BigInt(cents) * BigInt(rateHundredths)) / 10000n));
      }),
    );
  });
});

describe("classifyOrder", () => {
  it.each<[string, Partial<OrderInput>, Partial<CutoverRules>, string, number]>([
    ["cancelled state", { cancelledAt: "2025-03-11T00:00:00Z" }, {}, "cancelled", 0],
    ["refunded is a cancelled state by default", { financialStatus: "REFUNDED" }, {}, "cancelled", 0],
    ["not completed", { financialStatus: "PENDING" }, {}, "not_completed", 0],
    ["already migrated", {}, { ordersMigrated: true, retroactive: null }, "already_migrated", 0],
    ["after the cutover", { placedAt: CUTOVER }, {}, "after_cutover", 0],
    ["after the cutover, orders migrated", { placedAt: "2025-07-01T00:00:00Z" }, { ordersMigrated: true }, "after_cutover", 0],
    ["guest", { customerId: null }, {}, "guest", 0],
    ["retroactive", {}, {}, "retroactive", 259],
    ["before the window", { placedAt: "2024-12-31T23:59:59Z" }, {}, "outside_window", 0],
    ["no retroactive rule", {}, { retroactive: null }, "outside_window", 0],
  ])("%s", (_, o, r, outcome, points) => {
    expect(classifyOrder(order(o), shopifyRules(r), "shopify")).toMatchObject({ outcome, points });
  });

  it("names the state of an order that is not completed", () => {
    expect(classifyOrder(order({ financialStatus: "PENDING" }), shopifyRules(), "shopify").reason).toBe("not completed: Payment pending (PENDING) is not a completed state");
    expect(classifyOrder(order({ financialStatus: "WEIRD" }), shopifyRules(), "shopify")).toMatchObject({ outcome: "not_completed", state: "WEIRD" });
  });

  it("reads the window [from, to) and the cutover as instants, whatever the offset", () => {
    const rules = shopifyRules({ retroactive: { pointsPerCurrencyUnit: 1, from: "2025-03-01T00:00:00-03:00", to: "2025-04-01T00:00:00-03:00" } });
    expect(classifyOrder(order({ placedAt: "2025-03-01T02:59:59Z" }), rules, "shopify").outcome).toBe("outside_window");
    expect(classifyOrder(order({ placedAt: "2025-03-01T03:00:00Z" }), rules, "shopify").outcome).toBe("retroactive");
    expect(classifyOrder(order({ placedAt: "2025-04-01T02:59:59.999Z" }), rules, "shopify").outcome).toBe("retroactive");
    expect(classifyOrder(order({ placedAt: "2025-04-01T03:00:00Z" }), rules, "shopify").outcome).toBe("outside_window");
    expect(classifyOrder(order({ placedAt: "2025-06-01T00:00:00-03:00" }), rules, "shopify").outcome).toBe("after_cutover");
  });

  it("Nuvemshop: paid orders earn, cancelled orders do not", () => {
    const rules: CutoverRules = { ...shopifyRules(), completedStates: ["paid"], cancelledStates: ["cancelled", "refunded", "voided"] };
    expect(classifyOrder(order({ financialStatus: "paid", status: "closed", platformId: "9" }), rules, "nuvemshop")).toMatchObject({ outcome: "retroactive", points: 259 });
    expect(classifyOrder(order({ financialStatus: "paid", status: "cancelled" }), rules, "nuvemshop").outcome).toBe("cancelled");
  });

  it("an unreadable total gives the retroactive order no points, and says so", () => {
    expect(classifyOrder(order({ totalAmount: "abc" }), shopifyRules(), "shopify")).toMatchObject({ outcome: "retroactive", points: 0, reason: expect.stringContaining('"abc"') });
  });

  it("classifyOrders gives what classifyOrder gives, order by order", () => {
    const orders = [order(), order({ platformId: "2", customerId: null }), order({ platformId: "3", financialStatus: "VOIDED" })];
    expect(classifyOrders(orders, shopifyRules(), "shopify")).toEqual(
      orders.map((o) => {
        const c = classifyOrder(o, shopifyRules(), "shopify");
        return { platformId: o.platformId, customerId: o.customerId, outcome: c.outcome, points: c.points };
      }),
    );
    const one = orderClassifier(shopifyRules(), "shopify");
    expect(orders.map((o) => one(o))).toEqual(classifyOrders(orders, shopifyRules(), "shopify"));
  });
});

// ------------------------------------------------------------------------------ properties

const DAY = 86_400_000;
const BASE = Date.parse("2024-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

const ordersArb = fc.array(
  fc.record({
    financialStatus: fc.constantFrom(...ORDER_STATES.shopify.map((s) => s.key).filter((k) => k !== "CANCELLED"), null),
    cancelled: fc.boolean(),
    guest: fc.boolean(),
    day: fc.integer({ min: 0, max: 730 }),
    cents: fc.nat({ max: 1_000_000 }),
  }),
  { minLength: 1, maxLength: 30 },
);

const rulesArb = fc.record({
  cutoverDay: fc.integer({ min: 1, max: 730 }),
  fromDay: fc.integer({ min: 0, max: 730 }),
  length: fc.integer({ min: 1, max: 400 }),
  ordersMigrated: fc.boolean(),
  rate: fc.constantFrom(0, 0.5, 1, 2, 3.75),
  retro: fc.boolean(),
});

describe("classifyOrder properties", () => {
  it("never gives points to an order the imported balance covers, nor to one after the cutover", () => {
    fc.assert(
      fc.property(ordersArb, rulesArb, (raw, r) => {
        const cutover = BASE + r.cutoverDay * DAY;
        // The window is deliberately unchecked here (it may even cross the cutover): the order of the checks alone must hold the line.
        const rules = shopifyRules({
          cutoverAt: iso(cutover),
          ordersMigrated: r.ordersMigrated,
          retroactive: r.retro ? { pointsPerCurrencyUnit: r.rate, from: iso(BASE + r.fromDay * DAY), to: iso(BASE + (r.fromDay + r.length) * DAY) } : null,
        });
        raw.forEach((o, i) => {
          const placedAt = BASE + o.day * DAY + 3_600_000;
          const input = order({
            platformId: String(i),
            financialStatus: o.financialStatus,
            cancelledAt: o.cancelled ? iso(placedAt) : null,
            customerId: o.guest ? null : "gid://shopify/Customer/1",
            totalAmount: (o.cents / 100).toFixed(2),
            placedAt: iso(placedAt),
          });
          const c = classifyOrder(input, rules, "shopify");
          expect(c.points).toBeGreaterThanOrEqual(0);
          if (c.points > 0) expect(c.outcome).toBe("retroactive");
          if (r.ordersMigrated && placedAt < cutover) expect(c.outcome).not.toBe("retroactive");
          if (placedAt >= cutover) expect(c.outcome).not.toBe("retroactive");
          if (c.outcome === "retroactive") {
            expect(input.customerId).not.toBeNull();
            expect(rules.completedStates).toContain(c.state);
          }
          if (rules.cancelledStates.includes(c.state)) expect(c.outcome).toBe("cancelled");
        });
      }),
    );
  });
});

describe("checkRules", () => {
  it("accepts sensible rules", () => {
    expect(checkRules(shopifyRules(), "shopify")).toEqual([]);
    expect(checkRules(shopifyRules({ retroactive: null, ordersMigrated: true }), "shopify")).toEqual([]);
  });

  it("says in words what is wrong", () => {
    const window = (from: string, to: string, rate = 1) => shopifyRules({ retroactive: { pointsPerCurrencyUnit: rate, from, to } });
    expect(checkRules(window("2025-05-01T00:00:00Z", "2025-04-01T00:00:00Z"))).toEqual([
      "the retroactive window is inverted: it starts (2025-05-01T00:00:00Z) after it ends (2025-04-01T00:00:00Z)",
    ]);
    expect(checkRules(window("2025-04-01T00:00:00Z", "2025-04-01T00:00:00Z"))[0]).toContain("is empty");
    expect(checkRules(window("2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z"))[0]).toContain("ends (2025-07-01T00:00:00Z) after the cutover");
    expect(checkRules(window("2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", -1))).toEqual(["points per currency unit must be a number ≥ 0 (got -1)"]);
    expect(checkRules(shopifyRules({ ordersMigrated: true }))[0]).toContain("already counted in the imported balance");
    expect(checkRules(shopifyRules({ cutoverAt: "soon" }))[0]).toBe('the cutover date "soon" is not a date');
    expect(checkRules(shopifyRules({ completedStates: ["PAID", "VOIDED"] }))).toEqual(['"VOIDED" is listed as both completed and cancelled; choose one']);
    expect(checkRules(shopifyRules({ completedStates: ["paid"] }), "shopify")[0]).toContain('"paid" is not an order state on Shopify');
  });

  it("classifyOrder refuses rules without a cutover date", () => {
    expect(() => classifyOrder(order(), shopifyRules({ cutoverAt: "" }), "shopify")).toThrow(/cutover/);
  });
});
