import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { databaseKind } from "~/database-url";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { sessionStorage } from "~/shopify.server";
import { uniqueShop } from "../support/webhooks";

describe("database", () => {
  it("runs on the database the suite was started for", () => {
    const expected = process.env.EXPECTED_DATABASE_KIND;
    const kind = databaseKind(process.env.DATABASE_URL);
    if (expected) expect(kind).toBe(expected);
    expect(["sqlite", "postgresql"]).toContain(kind);
  });

  it("refuses to update or delete a ledger entry (append-only at the database level)", async () => {
    const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop() } });
    const member = await prisma.member.create({ data: { shopId: shop.id } });
    const entry = await prisma.ledgerEntry.create({
      data: { shopId: shop.id, memberId: member.id, kind: "adjust", points: 10, idempotencyKey: "adjust:t1", sourceRef: "test", occurredAt: new Date() },
    });
    // SQLite's driver adapter reports a trigger abort as a constraint error without its text;
    // PostgreSQL carries the trigger's message. Either way the write is refused.
    await expect(prisma.ledgerEntry.update({ where: { id: entry.id }, data: { points: 20 } })).rejects.toThrow();
    await expect(prisma.ledgerEntry.delete({ where: { id: entry.id } })).rejects.toThrow();
    expect((await prisma.ledgerEntry.findUniqueOrThrow({ where: { id: entry.id } })).points).toBe(10);
  });

  it("refuses a second entry with the same idempotency key in one shop, and allows it in another", async () => {
    const a = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop() } });
    const b = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop() } });
    const ma = await prisma.member.create({ data: { shopId: a.id } });
    const mb = await prisma.member.create({ data: { shopId: b.id } });
    const entry = (shopId: string, memberId: string) => ({
      shopId, memberId, kind: "import", points: 5, idempotencyKey: "import:m1:r1", sourceRef: "row 1", occurredAt: new Date(),
    });
    await prisma.ledgerEntry.create({ data: entry(a.id, ma.id) });
    await expect(prisma.ledgerEntry.create({ data: entry(a.id, ma.id) })).rejects.toMatchObject({ code: "P2002" });
    await prisma.ledgerEntry.create({ data: entry(b.id, mb.id) });
  });

  it("stores access tokens sealed, and opens them only in memory", async () => {
    const domain = uniqueShop();
    await storeOfflineInstall({ domain, accessToken: "shpat_plaintext_token", scope: "read_customers" });
    const row = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${domain}` } });
    expect(row.accessToken).not.toContain("shpat_plaintext_token");
    expect(row.accessToken).toMatch(/^v1:/);
    const session = await sessionStorage.loadSession(`offline_${domain}`);
    expect(session?.accessToken).toBe("shpat_plaintext_token");
  });

  it("a write made outside a transaction is not rolled back with a transaction open at the same time", async () => {
    // SQLite's adapter has one connection: without app/db.server.ts's serialisation this write ran
    // inside the other transaction, returned its row, and vanished with the rollback.
    const rolledBack = new Error("the other transaction fails");
    let entered!: () => void;
    const open = new Promise<void>((resolve) => (entered = resolve));
    const other = prisma
      .$transaction(async (tx) => {
        await tx.shop.create({ data: { platform: "shopify", domain: uniqueShop("tx-rolled-back") } });
        entered();
        await new Promise((r) => setTimeout(r, 150));
        throw rolledBack;
      })
      .catch((error: unknown) => error);
    await open;
    const outside = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("outside-tx") } });
    expect(await other).toBe(rolledBack);
    expect(await prisma.shop.findUnique({ where: { id: outside.id } })).not.toBeNull();
  });
});
