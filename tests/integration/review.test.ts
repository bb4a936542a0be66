import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { reconcileMigration } from "~/services/reconcile/reconcile.server";
import { decideRecord, reviewQueue, withdrawDecision } from "~/services/reconcile/review.server";
import { checkPreview } from "~domain/reconcile/report";
import { uniqueShop } from "../support/webhooks";

/** A migration with one staged balances file and a small store snapshot, written directly. */
async function scenario() {
  const shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("review"), country: "BR" } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "review", state: "validated", cutoverAt: new Date("2026-10-01T00:00:00Z") } });
  const rows = [
    { email: "ana@example.com", points: 100 }, // matched
    { email: "bruno+old@gmail.com", points: 200 }, // suggestion → conflict
    { email: "carla@example.com", points: 300 }, // pending
    { email: "dup1@example.com", phoneE164: "+5511999990000", points: 40 }, // phone shared by two customers → conflict
  ];
  const file = await prisma.importFile.create({
    data: {
      shopId: shop.id, migrationId: migration.id, fileName: "export.csv", sha256: `sha-${shop.id}`, sizeBytes: 10n, storagePath: "/dev/null", status: "staged",
      rowsTotal: rows.length, rowsValid: rows.length, pointsInFile: 640n, pointsValid: 640n,
    },
  });
  const ids: string[] = [];
  for (const [i, r] of rows.entries()) {
    const rec = await prisma.loyaltyRecord.create({
      data: {
        id: `${file.id}.${String(i + 2).padStart(10, "0")}`, shopId: shop.id, migrationId: migration.id, importFileId: file.id, rowNumber: i + 2, status: "valid",
        email: r.email, emailNormalized: r.email, phoneE164: r.phoneE164 ?? null, points: r.points, rawJson: "{}",
      },
    });
    ids.push(rec.id);
  }
  const customer = (n: number, email: string | null, phoneE164: string | null = null) => ({
    id: `${shop.id}:gid://shopify/Customer/${n}`, shopId: shop.id, platformId: `gid://shopify/Customer/${n}`, email, emailNormalized: email, phoneE164,
  });
  await prisma.platformCustomer.createMany({
    data: [customer(1, "ana@example.com"), customer(2, "bruno@gmail.com"), customer(3, null, "+5511999990000"), customer(4, null, "+5511999990000")],
  });
  return { shop, migration, ids };
}

describe("the review queue", () => {
  it("lists the conflicts with the candidates' details, and the next preview follows each decision", async () => {
    const { shop, migration, ids } = await scenario();
    const first = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    if (first.outcome !== "reconciled") throw new Error(first.outcome);
    expect(first.report.members).toMatchObject({ matched: 1, pending: 1, conflict: 2 });

    const queue = await reviewQueue({ shopId: shop.id, migrationId: migration.id });
    expect(queue?.total).toBe(2);
    const variant = queue!.items.find((i) => i.recordId === ids[1])!;
    expect(variant.candidates).toEqual([expect.objectContaining({ platformId: "gid://shopify/Customer/2", key: "suggested_email", email: "bruno@gmail.com" })]);
    const shared = queue!.items.find((i) => i.recordId === ids[3])!;
    expect(shared.candidates.map((c) => c.platformId).sort()).toEqual(["gid://shopify/Customer/3", "gid://shopify/Customer/4"]);

    expect(await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: ids[1]!, decision: "match", platformCustomerId: "gid://shopify/Customer/2" })).toMatchObject({ outcome: "recorded", replaced: false });
    expect(await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: ids[3]!, decision: "reject", note: "household account" })).toMatchObject({ outcome: "recorded" });
    const second = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    if (second.outcome !== "reconciled") throw new Error(second.outcome);
    expect(second.reused).toBe(false);
    expect(second.report.members).toMatchObject({ matched: 2, pending: 1, conflict: 0, rejectedInReview: 1 });
    expect(second.report.points).toMatchObject({ matched: 300, pending: 300, conflict: 0 });
    expect(checkPreview(second.report)).toBeNull();
    expect((await reviewQueue({ shopId: shop.id, migrationId: migration.id }))?.total).toBe(0);

    // Withdrawing a decision hands the record back to the automatic rules.
    expect(await withdrawDecision({ shopId: shop.id, migrationId: migration.id, recordId: ids[3]! })).toBe(true);
    const third = await reconcileMigration({ shopId: shop.id, migrationId: migration.id });
    if (third.outcome !== "reconciled") throw new Error(third.outcome);
    expect(third.report.members).toMatchObject({ matched: 2, conflict: 1, rejectedInReview: 0 });
  });

  it("refuses a decision it cannot honour, with the reason", async () => {
    const { shop, migration, ids } = await scenario();
    expect(await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: ids[0]!, decision: "match", platformCustomerId: "gid://shopify/Customer/999" })).toMatchObject({
      outcome: "customer-not-found",
      message: expect.stringContaining("no customer gid://shopify/Customer/999"),
    });
    expect(await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: "not-a-record", decision: "pending" })).toMatchObject({ outcome: "record-not-found" });
    await prisma.migration.update({ where: { id: migration.id }, data: { state: "applied" } });
    expect(await decideRecord({ shopId: shop.id, migrationId: migration.id, recordId: ids[0]!, decision: "reject" })).toEqual({ outcome: "migration-closed", state: "applied" });
    expect(await prisma.reviewDecision.count({ where: { migrationId: migration.id } })).toBe(0);
  });
});
