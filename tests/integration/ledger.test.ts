import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { jobHandlers } from "~/jobs/handlers.server";
import { JobRunner } from "~/jobs/runner.server";
import { checkBalances, postEntry, postReversal, requestLedgerCheck, withLedger } from "~/services/ledger/ledger.server";
import { LedgerRuleError } from "~domain/ledger";
import { uniqueShop } from "../support/webhooks";

async function member() {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("ledger") } });
  const m = await prisma.member.create({ data: { shopId: shop.id, email: "ana@example.com" } });
  return { shop, member: m };
}

describe("the ledger service", () => {
  it("appends an entry and moves the balance with it; a replay returns the original and writes nothing", async () => {
    const { shop, member: m } = await member();
    const entry = { shopId: shop.id, memberId: m.id, kind: "import" as const, points: 250, idempotencyKey: "import:m1:r1", sourceRef: "export.csv row 2" };
    const first = await withLedger((tx) => postEntry(tx, entry));
    const again = await withLedger((tx) => postEntry(tx, { ...entry, points: 999 }));
    expect(first.outcome).toBe("posted");
    expect(again).toMatchObject({ outcome: "duplicate", entry: { id: first.entry.id, points: 250 } });
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(250);
  });

  it("writes once when ten transactions race for the same key", async () => {
    const { shop, member: m } = await member();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, kind: "earn", points: 40, idempotencyKey: "order:shopify:1001:earn", sourceRef: "order #1001" }))),
    );
    expect(outcomes.filter((o) => o.outcome === "posted")).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.entry.id)).size).toBe(1);
    expect(await prisma.ledgerEntry.count({ where: { memberId: m.id } })).toBe(1);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(40);
  });

  it("reverses an entry once, pointing back at it", async () => {
    const { shop, member: m } = await member();
    const earn = await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, kind: "earn", points: 70, idempotencyKey: "order:shopify:7:earn", sourceRef: "order #7" }));
    const reverse = () => withLedger((tx) => postReversal(tx, { shopId: shop.id, originalId: earn.entry.id, kind: "reverse", idempotencyKey: "order:shopify:7:reverse", sourceRef: "order #7 cancelled" }));
    const first = await reverse();
    expect(first).toMatchObject({ outcome: "posted", entry: { points: -70, reversesId: earn.entry.id, kind: "reverse" } });
    expect((await reverse()).outcome).toBe("duplicate");
    await expect(withLedger((tx) => postReversal(tx, { shopId: shop.id, originalId: earn.entry.id, kind: "rollback", idempotencyKey: "rollback:m:x", sourceRef: "rollback" }))).rejects.toThrow(LedgerRuleError);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: m.id } })).balance).toBe(0);
  });

  it("refuses entries that move no points, except restore memos", async () => {
    const { shop, member: m } = await member();
    await expect(withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, kind: "adjust", points: 0, idempotencyKey: "adjust:z", sourceRef: "x" }))).rejects.toThrow(LedgerRuleError);
    const memo = await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, kind: "restore", points: 0, idempotencyKey: "restore:m:1", sourceRef: "customers/create" }));
    expect(memo.outcome).toBe("posted");
  });

  it("finds members whose balance projection drifted from the sum of their entries", async () => {
    const { shop, member: m } = await member();
    await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, kind: "import", points: 100, idempotencyKey: "import:d:1", sourceRef: "x" }));
    expect(await checkBalances(shop.id)).toEqual({ members: 1, drift: [] });
    const runner = new JobRunner({ handlers: { "ledger.check": jobHandlers["ledger.check"] } });
    await runner.runUntilIdle(); // checks queued by other tests' applies and rollbacks
    await requestLedgerCheck(shop.id, "first");
    expect(await runner.runOne()).toMatchObject({ outcome: "succeeded" });
    await prisma.member.update({ where: { id: m.id }, data: { balance: 90 } });
    expect(await checkBalances(shop.id)).toEqual({ members: 1, drift: [{ memberId: m.id, balance: 90, sumOfEntries: 100 }] });
    // The check job fails, saying which balance drifted and by how much.
    await requestLedgerCheck(shop.id, "second");
    await requestLedgerCheck(shop.id, "second"); // once per event
    expect(await runner.runOne()).toMatchObject({ outcome: "failed", error: `1 of 1 balances drifted from their ledger entries: member ${m.id}: balance 90, entries sum to 100` });
    expect(await prisma.job.count({ where: { shopId: shop.id, kind: "ledger.check" } })).toBe(2);
  });
});
