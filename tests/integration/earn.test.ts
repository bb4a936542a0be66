import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { earnForOrder, OrderNotYetCancelledError } from "~/services/earn/earn.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { FakeStore, seedPending, seedShop } from "./restore-fake-store";

const ORDER = "gid://shopify/Order/5001";
const BUYER = "gid://shopify/Customer/77";
const AFTER = "2026-10-05T15:00:00.000Z";

async function entriesOf(shopId: string) {
  return prisma.ledgerEntry.findMany({ where: { shopId }, orderBy: { createdAt: "asc" } });
}
async function memberOfCustomer(shopId: string, customerId: string) {
  return prisma.member.findFirst({ where: { shopId, platformCustomerId: customerId } });
}
const later = (ms: number) => new Date(Date.now() + ms);

describe("earn and reverse after go-live", () => {
  it("paid then cancelled: earns floor(total × rate) to a new visible member, then reverses exactly that entry; the store follows", async () => {
    const s = await seedShop();
    const store = new FakeStore();
    store.addCustomer({ platformId: BUYER, email: "comprador@example.com" });
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, totalAmount: "129.90", financialStatus: "PAID" });

    const earned = await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store });
    expect(earned).toMatchObject({ outcome: "earned", points: 129, restored: false });
    const member = (await memberOfCustomer(s.shop.id, BUYER))!;
    expect(member).toMatchObject({ state: "visible", balance: 129 });
    expect(store.balances.get(BUYER)?.points).toBe(129);

    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, totalAmount: "129.90", financialStatus: "REFUNDED", cancelledAt: later(1000).toISOString() }, later(1000));
    const reversed = await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_CANCELLED", client: store });
    expect(reversed).toMatchObject({ outcome: "reversed", points: -129, memberId: member.id });
    const entries = await entriesOf(s.shop.id);
    expect(entries.map((e) => [e.kind, e.points, e.idempotencyKey])).toEqual([
      ["earn", 129, `order:shopify:${ORDER}:earn`],
      ["reverse", -129, `order:shopify:${ORDER}:reverse`],
    ]);
    expect(entries[1]!.reversesId).toBe(entries[0]!.id);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: member.id } })).balance).toBe(0);
    expect(store.balances.get(BUYER)?.points).toBe(0);
    // Replays of both events change nothing.
    expect((await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_CANCELLED", client: store })).outcome).toBe("already-reversed");
    expect((await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).outcome).toBe("already-reversed");
    expect(await entriesOf(s.shop.id)).toHaveLength(2);
    expect((await checkBalances(s.shop.id)).drift).toEqual([]);
  });

  it("cancelled then paid: the cancel finds nothing to reverse, and the late paid event — even reading a stale, paid copy — earns nothing", async () => {
    const s = await seedShop();
    const store = new FakeStore();
    store.addCustomer({ platformId: BUYER, email: "c@example.com" });
    const paidAt = new Date();
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, financialStatus: "VOIDED", cancelledAt: later(5000).toISOString() }, later(5000));
    expect(await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_CANCELLED", client: store })).toMatchObject({ outcome: "nothing-to-reverse" });

    // The paid event is handled with a read that predates the cancellation (a lagging replica, a slow job).
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, financialStatus: "PAID" }, paidAt);
    expect(await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).toMatchObject({ outcome: "nothing-to-reverse" });
    expect(await entriesOf(s.shop.id)).toHaveLength(0);
    expect(await prisma.platformOrder.findFirst({ where: { shopId: s.shop.id, platformId: ORDER } })).toMatchObject({ financialStatus: "VOIDED" });
  });

  it("a replayed paid event, and ten concurrent copies, earn once", async () => {
    const s = await seedShop();
    const store = new FakeStore();
    store.addCustomer({ platformId: BUYER, email: "d@example.com" });
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, totalAmount: "250.00" });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })));
    expect(outcomes.filter((o) => o.outcome === "earned")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "already-earned")).toHaveLength(9);
    expect(await prisma.member.count({ where: { shopId: s.shop.id } })).toBe(1);
    expect((await entriesOf(s.shop.id)).map((e) => e.points)).toEqual([250]);
    expect((await memberOfCustomer(s.shop.id, BUYER))!.balance).toBe(250);
    expect((await checkBalances(s.shop.id)).drift).toEqual([]);
  });

  it("orders placed before the cutover never earn when the old orders were migrated (nor live when they were not)", async () => {
    for (const ordersMigrated of [true, false]) {
      const s = await seedShop({ ordersMigrated });
      const store = new FakeStore();
      store.addCustomer({ platformId: BUYER, email: "e@example.com" });
      store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: "2026-09-30T23:59:59.000Z" });
      expect(await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).toMatchObject({ outcome: "no-points" });
      expect(await entriesOf(s.shop.id)).toHaveLength(0);
    }
  });

  it("the buyer's first order restores their pending points in the same transaction, then earns on top", async () => {
    const s = await seedShop();
    const pending = await seedPending(s, { email: "pendente@example.com", points: 400 });
    const store = new FakeStore();
    store.addCustomer({ platformId: BUYER, email: "Pendente@Example.com" });
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, totalAmount: "50.00" });
    expect(await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).toMatchObject({ outcome: "earned", memberId: pending.id, points: 50, restored: true });
    expect(await prisma.member.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ state: "visible", platformCustomerId: BUYER, balance: 450 });
    expect((await entriesOf(s.shop.id)).map((e) => e.kind).sort()).toEqual(["earn", "import", "restore"]);
    expect(store.balances.get(BUYER)?.points).toBe(450);
  });

  it("uses the migration's earn rate, exactly", async () => {
    const s = await seedShop({ settings: { earnRate: 0.1 } });
    const store = new FakeStore();
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER, totalAmount: "0.30" }); // 0.30 × 0.1 = 0.03 → 0
    expect((await earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).outcome).toBe("no-points");
    store.setOrder({ platformId: "gid://shopify/Order/5002", customerId: BUYER, placedAt: AFTER, totalAmount: "1999.99" });
    expect(await earnForOrder({ shop: s.shop, orderId: "gid://shopify/Order/5002", topic: "ORDERS_PAID", client: store })).toMatchObject({ outcome: "earned", points: 199 });
  });

  it("does nothing without an applied migration, for guests, for unknown orders, for states that are not completed", async () => {
    const draft = await seedShop({ state: "previewed" });
    const store = new FakeStore();
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER });
    expect((await earnForOrder({ shop: draft.shop, orderId: ORDER, topic: "ORDERS_PAID", client: store })).outcome).toBe("no-migration");

    const s = await seedShop();
    store.setOrder({ platformId: "gid://shopify/Order/6001", customerId: null, placedAt: AFTER });
    expect(await earnForOrder({ shop: s.shop, orderId: "gid://shopify/Order/6001", topic: "ORDERS_PAID", client: store })).toMatchObject({ outcome: "no-points", reason: expect.stringContaining("guest") });
    expect((await earnForOrder({ shop: s.shop, orderId: "gid://shopify/Order/404", topic: "ORDERS_PAID", client: store })).outcome).toBe("unknown-order");
    store.setOrder({ platformId: "gid://shopify/Order/6002", customerId: BUYER, placedAt: AFTER, financialStatus: "PENDING" });
    expect((await earnForOrder({ shop: s.shop, orderId: "gid://shopify/Order/6002", topic: "ORDERS_PAID", client: store })).outcome).toBe("no-points");
    expect(await entriesOf(s.shop.id)).toHaveLength(0);
  });

  it("a cancellation event for an order that does not show it yet is retried, not ignored", async () => {
    const s = await seedShop();
    const store = new FakeStore();
    store.setOrder({ platformId: ORDER, customerId: BUYER, placedAt: AFTER });
    await expect(earnForOrder({ shop: s.shop, orderId: ORDER, topic: "ORDERS_CANCELLED", client: store })).rejects.toBeInstanceOf(OrderNotYetCancelledError);
  });

  it("Nuvemshop: order/paid earns on payment_status paid, order/cancelled reverses on status cancelled", async () => {
    const s = await seedShop({ platform: "nuvemshop" });
    const store = new FakeStore("nuvemshop");
    store.addCustomer({ platformId: "321", email: "n@example.com.br" });
    store.setOrder({ platformId: "950000013", customerId: "321", placedAt: AFTER, financialStatus: "paid", status: "open", totalAmount: "89.90" });
    expect(await earnForOrder({ shop: s.shop, orderId: "950000013", topic: "order/paid", client: store })).toMatchObject({ outcome: "earned", points: 89 });
    store.setOrder({ platformId: "950000013", customerId: "321", placedAt: AFTER, financialStatus: "paid", status: "cancelled", totalAmount: "89.90" }, later(2000));
    expect(await earnForOrder({ shop: s.shop, orderId: "950000013", topic: "order/cancelled", client: store })).toMatchObject({ outcome: "reversed", points: -89 });
    expect((await entriesOf(s.shop.id)).map((e) => e.idempotencyKey)).toEqual(["order:nuvemshop:950000013:earn", "order:nuvemshop:950000013:reverse"]);
  });
});
