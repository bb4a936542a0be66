import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { restoreCustomer } from "~/services/restore/restore.server";
import { checkBalances } from "~/services/ledger/ledger.server";
import { FakeStore, seedPending, seedShop } from "./restore-fake-store";

async function memberOf(id: string) {
  return prisma.member.findUniqueOrThrow({ where: { id } });
}
async function restoreEntries(shopId: string) {
  return prisma.ledgerEntry.findMany({ where: { shopId, kind: "restore" } });
}

describe("restore on registration", () => {
  it("customers/create: the pending member with the same e-mail becomes visible, once, with a zero-point memo, and the store gets the balance", async () => {
    const s = await seedShop();
    const pending = await seedPending(s, { email: "ana.souza@example.com", points: 500 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/101", email: "  Ana.Souza@Example.COM ", firstName: "Ana" });

    const outcome = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/101", topic: "CUSTOMERS_CREATE", client: store });
    expect(outcome).toMatchObject({ outcome: "restored", memberId: pending.id, matchedBy: "email", points: 500, migrationId: s.migrationId });

    const member = await memberOf(pending.id);
    expect(member).toMatchObject({ state: "visible", platformCustomerId: "gid://shopify/Customer/101", balance: 500 });
    expect(member.restoredAt).not.toBeNull();
    const memos = await restoreEntries(s.shop.id);
    expect(memos).toHaveLength(1);
    expect(memos[0]).toMatchObject({ points: 0, idempotencyKey: `restore:${s.migrationId}:${pending.id}`, sourceRef: "webhook customers/create", memberId: pending.id, migrationId: s.migrationId });
    expect(store.balances.get("gid://shopify/Customer/101")).toEqual({ customerId: "gid://shopify/Customer/101", points: 500, tier: null, restoredAt: member.restoredAt!.toISOString() });
    // The snapshot holds the customer just read.
    expect(await prisma.platformCustomer.findFirst({ where: { shopId: s.shop.id, platformId: "gid://shopify/Customer/101" } })).toMatchObject({ emailNormalized: "ana.souza@example.com" });
    expect((await checkBalances(s.shop.id)).drift).toEqual([]);
  });

  it("customers/enable (first sign-in with new customer accounts) restores on the phone in the shop's country when the e-mail finds nobody", async () => {
    const s = await seedShop({ country: "BR" });
    const pending = await seedPending(s, { phoneE164: "+5511987654321", points: 120 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/202", email: "novo@example.com", phone: "(11) 98765-4321" });
    const outcome = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/202", topic: "CUSTOMERS_ENABLE", client: store });
    expect(outcome).toMatchObject({ outcome: "restored", memberId: pending.id, matchedBy: "phone" });
    expect((await restoreEntries(s.shop.id))[0]!.sourceRef).toBe("webhook customers/enable");
  });

  it("Nuvemshop customer/created restores on the CPF", async () => {
    const s = await seedShop({ platform: "nuvemshop" });
    const pending = await seedPending(s, { cpf: "52998224725", points: 80 });
    const store = new FakeStore("nuvemshop");
    store.addCustomer({ platformId: "9001", email: "outra@example.com.br", cpf: "52998224725" });
    expect(await restoreCustomer({ shop: s.shop, customerId: "9001", topic: "customer/created", client: store })).toMatchObject({ outcome: "restored", memberId: pending.id, matchedBy: "cpf" });
    expect((await memberOf(pending.id)).platformCustomerId).toBe("9001");
  });

  it("customers/update re-runs the match: nothing pending matches → no-op; the new e-mail matches → restored; afterwards a no-op that pushes nothing", async () => {
    const s = await seedShop();
    const pending = await seedPending(s, { email: "maria@example.com", points: 300 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/303", email: "maria.old@example.com" });
    const first = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/303", topic: "CUSTOMERS_CREATE", client: store });
    expect(first).toMatchObject({ outcome: "no-pending-match", pushed: null });
    expect((await memberOf(pending.id)).state).toBe("pending");

    store.addCustomer({ platformId: "gid://shopify/Customer/303", email: "maria@example.com" });
    expect(await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/303", topic: "CUSTOMERS_UPDATE", client: store })).toMatchObject({ outcome: "restored", memberId: pending.id });
    const writes = store.writes;
    expect(await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/303", topic: "CUSTOMERS_UPDATE", client: store })).toEqual({ outcome: "already-visible", memberId: pending.id, pushed: null });
    expect(store.writes).toBe(writes);
    expect(await restoreEntries(s.shop.id)).toHaveLength(1);
  });

  it("an unknown customer (deleted since the event) changes nothing", async () => {
    const s = await seedShop();
    const pending = await seedPending(s, { email: "x@example.com", points: 10 });
    const store = new FakeStore();
    expect(await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/404", topic: "CUSTOMERS_CREATE", client: store })).toMatchObject({ outcome: "unknown-customer" });
    expect((await memberOf(pending.id)).state).toBe("pending");
    expect(store.writes).toBe(0);
  });

  it("a tie — two pending members on the customer's e-mail — is a conflict: both stay pending, the reason is given, nothing is guessed", async () => {
    const s = await seedShop();
    const a = await seedPending(s, { email: "casal@example.com", points: 100 });
    const b = await seedPending(s, { email: "casal@example.com", phoneE164: "+5511911112222", points: 200 });
    const store = new FakeStore();
    // Even a phone that would single one of them out is not consulted: the e-mail decided.
    store.addCustomer({ platformId: "gid://shopify/Customer/505", email: "casal@example.com", phone: "+5511911112222" });
    const outcome = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/505", topic: "CUSTOMERS_CREATE", client: store });
    expect(outcome).toMatchObject({ outcome: "conflict", memberIds: [a.id, b.id].sort(), reason: expect.stringContaining("2 pending members share this customer's e-mail") });
    expect((await memberOf(a.id)).state).toBe("pending");
    expect((await memberOf(b.id)).state).toBe("pending");
    expect(await restoreEntries(s.shop.id)).toHaveLength(0);
    expect(store.writes).toBe(0);
  });

  it("a replayed event, and ten concurrent copies, restore once", async () => {
    const s = await seedShop();
    const pending = await seedPending(s, { email: "dez@example.com", points: 1000 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/606", email: "dez@example.com" });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/606", topic: i % 2 ? "CUSTOMERS_ENABLE" : "CUSTOMERS_CREATE", client: store })),
    );
    expect(outcomes.filter((o) => o.outcome === "restored")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "already-visible")).toHaveLength(9);
    const again = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/606", topic: "CUSTOMERS_CREATE", client: store });
    expect(again.outcome).toBe("already-visible");
    expect(await restoreEntries(s.shop.id)).toHaveLength(1);
    expect((await memberOf(pending.id)).balance).toBe(1000);
    expect(store.balances.get("gid://shopify/Customer/606")?.points).toBe(1000);
    expect((await checkBalances(s.shop.id)).drift).toEqual([]);
  });

  it("a retried job pushes again even when the member was already linked (the first attempt may have died before its push)", async () => {
    const s = await seedShop();
    await seedPending(s, { email: "retry@example.com", points: 42 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/707", email: "retry@example.com" });
    await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/707", topic: "CUSTOMERS_CREATE", client: store });
    store.balances.clear();
    const retried = await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/707", topic: "CUSTOMERS_CREATE", client: store, repush: true });
    expect(retried).toMatchObject({ outcome: "already-visible", pushed: { written: 1, failed: [] } });
    expect(store.balances.get("gid://shopify/Customer/707")?.points).toBe(42);
  });

  it("out of order (update before create) ends in the same state as in order", async () => {
    const inOrder = await seedShop();
    const outOfOrder = await seedShop();
    const ends = [];
    for (const [s, topics] of [
      [inOrder, ["CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CUSTOMERS_ENABLE"]],
      [outOfOrder, ["CUSTOMERS_ENABLE", "CUSTOMERS_UPDATE", "CUSTOMERS_CREATE"]],
    ] as const) {
      const pending = await seedPending(s, { email: "ordem@example.com", points: 77 });
      const store = new FakeStore();
      store.addCustomer({ platformId: "gid://shopify/Customer/808", email: "ordem@example.com" });
      for (const topic of topics) await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/808", topic, client: store });
      const m = await memberOf(pending.id);
      const entries = await prisma.ledgerEntry.findMany({ where: { memberId: m.id }, orderBy: { kind: "asc" }, select: { kind: true, points: true } });
      ends.push({ state: m.state, customer: m.platformCustomerId, balance: m.balance, entries, pushed: store.balances.get("gid://shopify/Customer/808")?.points });
    }
    expect(ends[0]).toEqual(ends[1]);
    expect(ends[0]).toMatchObject({ state: "visible", balance: 77, entries: [{ kind: "import", points: 77 }, { kind: "restore", points: 0 }] });
  });

  it("a customer who already has a visible member is a no-op, even if a pending member shares the e-mail", async () => {
    const s = await seedShop();
    const visible = await prisma.member.create({ data: { shopId: s.shop.id, migrationId: s.migrationId, state: "visible", platformCustomerId: "gid://shopify/Customer/909", emailNormalized: "dup@example.com" } });
    const pending = await seedPending(s, { email: "dup@example.com", points: 5 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/909", email: "dup@example.com" });
    expect(await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/909", topic: "CUSTOMERS_CREATE", client: store })).toEqual({ outcome: "already-visible", memberId: visible.id, pushed: null });
    expect((await memberOf(pending.id)).state).toBe("pending");
  });

  it("pending members of a rolled-back migration are not restored", async () => {
    const s = await seedShop({ state: "rolled_back" });
    const pending = await seedPending(s, { email: "volta@example.com", points: 5 });
    const store = new FakeStore();
    store.addCustomer({ platformId: "gid://shopify/Customer/1001", email: "volta@example.com" });
    expect((await restoreCustomer({ shop: s.shop, customerId: "gid://shopify/Customer/1001", topic: "CUSTOMERS_CREATE", client: store })).outcome).toBe("no-pending-match");
    expect((await memberOf(pending.id)).state).toBe("pending");
  });
});
