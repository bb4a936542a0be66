// postEntries (the batched postEntry apply uses) gives the outcomes postEntry gives entry by entry.
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { checkBalances, postEntries, postEntry, withLedger, type NewEntry } from "~/services/ledger/ledger.server";
import { LedgerRuleError } from "~domain/ledger";
import { uniqueShop } from "../support/webhooks";

async function shopWithMembers(n: number) {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("batch") } });
  const members = [];
  for (let i = 0; i < n; i++) members.push(await prisma.member.create({ data: { shopId: shop.id, platformCustomerId: `c${i}` } }));
  return { shop, members };
}

/** The ledger of a shop as key → (member index, points), and the balances by member index. */
async function picture(shopId: string, memberIds: string[]) {
  const entries = await prisma.ledgerEntry.findMany({ where: { shopId } });
  const members = await prisma.member.findMany({ where: { shopId } });
  return {
    entries: Object.fromEntries(entries.map((e) => [e.idempotencyKey, [memberIds.indexOf(e.memberId), e.points, e.kind]]).sort()),
    balances: memberIds.map((id) => members.find((m) => m.id === id)!.balance),
  };
}

describe("postEntries", () => {
  it("writes what postEntry would, entry by entry: duplicates by key (already there, or earlier in the list), memos, balances", async () => {
    const a = await shopWithMembers(3);
    const b = await shopWithMembers(3);
    const make = (shopId: string, ids: string[]): NewEntry[] => [
      { shopId, memberId: ids[0]!, kind: "import", points: 100, idempotencyKey: "import:m:r1", sourceRef: "f row 2" },
      { shopId, memberId: ids[1]!, kind: "import", points: 250, idempotencyKey: "import:m:r2", sourceRef: "f row 3" },
      { shopId, memberId: ids[1]!, kind: "earn", points: 40, idempotencyKey: "retro:m:o1", sourceRef: "order #1" },
      { shopId, memberId: ids[2]!, kind: "import", points: 999, idempotencyKey: "import:m:r1", sourceRef: "repeated in the list" },
      { shopId, memberId: ids[2]!, kind: "restore", points: 0, idempotencyKey: "restore:m:x", sourceRef: "memo" },
      { shopId, memberId: ids[0]!, kind: "adjust", points: -30, idempotencyKey: "adjust:already", sourceRef: "already in the ledger" },
    ];
    for (const s of [a, b]) {
      await withLedger((tx) => postEntry(tx, { shopId: s.shop.id, memberId: s.members[0]!.id, kind: "adjust", points: -30, idempotencyKey: "adjust:already", sourceRef: "earlier" }));
    }
    const ids = (s: typeof a) => s.members.map((m) => m.id);
    const one = await withLedger(async (tx) => {
      const out = [];
      for (const e of make(a.shop.id, ids(a))) out.push(await postEntry(tx, e));
      return out;
    });
    const batch = await withLedger((tx) => postEntries(tx, make(b.shop.id, ids(b))));
    expect(batch.map((o) => o.outcome)).toEqual(one.map((o) => o.outcome));
    expect(batch.map((o) => o.outcome)).toEqual(["posted", "posted", "posted", "duplicate", "posted", "duplicate"]);
    expect(batch[3]!.entry.id).toBe(batch[0]!.entry.id);
    expect(batch.map((o) => [o.entry.idempotencyKey, o.entry.points])).toEqual(one.map((o) => [o.entry.idempotencyKey, o.entry.points]));
    expect(await picture(b.shop.id, ids(b))).toEqual(await picture(a.shop.id, ids(a)));
    expect((await picture(b.shop.id, ids(b))).balances).toEqual([70, 290, 0]);
    expect(await checkBalances(b.shop.id)).toMatchObject({ drift: [] });

    // A replay of the whole list writes nothing.
    const replay = await withLedger((tx) => postEntries(tx, make(b.shop.id, ids(b))));
    expect(replay.every((o) => o.outcome === "duplicate")).toBe(true);
    expect((await picture(b.shop.id, ids(b))).balances).toEqual([70, 290, 0]);
  });

  it("writes nothing when one entry breaks a rule", async () => {
    const s = await shopWithMembers(2);
    await expect(
      withLedger((tx) =>
        postEntries(tx, [
          { shopId: s.shop.id, memberId: s.members[0]!.id, kind: "import", points: 10, idempotencyKey: "import:z:1", sourceRef: "x" },
          { shopId: s.shop.id, memberId: s.members[1]!.id, kind: "import", points: 0, idempotencyKey: "import:z:2", sourceRef: "x" },
        ]),
      ),
    ).rejects.toThrow(LedgerRuleError);
    expect(await prisma.ledgerEntry.count({ where: { shopId: s.shop.id } })).toBe(0);
  });

  it("writes each key once when batches race for the same keys", async () => {
    const s = await shopWithMembers(40);
    const entries = s.members.map((m, i) => ({ shopId: s.shop.id, memberId: m.id, kind: "import" as const, points: i + 1, idempotencyKey: `import:race:${i}`, sourceRef: `row ${i}` }));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => withLedger((tx) => postEntries(tx, entries), 20)));
    expect(outcomes.flat().filter((o) => o.outcome === "posted")).toHaveLength(40);
    expect(await prisma.ledgerEntry.count({ where: { shopId: s.shop.id } })).toBe(40);
    expect(await checkBalances(s.shop.id)).toMatchObject({ drift: [] });
    const balances = await prisma.member.findMany({ where: { shopId: s.shop.id }, select: { balance: true } });
    expect(balances.reduce((sum, m) => sum + m.balance, 0)).toBe((40 * 41) / 2);
  });
});
