/**
 * Unused coupons of the old platform (issue 5 item 6): listed per member, cancelled (a recorded
 * decision) or refunded as points once per code, percentage coupons reported and never refunded,
 * and a rollback reverses refunds; on SQLite and PostgreSQL. Apply's writes (members, import
 * entries) are played through postEntry with apply's keys.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Migration, Shop } from "@prisma/client";
import prisma from "~/db.server";
import type { BalanceWrite, PlatformClient } from "~/platforms/platform-client";
import { decideCoupons, listCoupons } from "~/services/coupons/coupons.server";
import { importLoyaltyFile } from "~/services/import/import.server";
import { checkBalances, postEntry, withLedger } from "~/services/ledger/ledger.server";
import { rollbackMigration } from "~/services/rollback/rollback.server";
import { couponRefundKey } from "~domain/coupons/refund";
import { idempotencyKey } from "~domain/ledger";
import { tempFile } from "../support/files";
import { uniqueShop } from "../support/webhooks";

const NOW = new Date("2025-06-15T10:00:00Z");
const COUPONS = "tests/fixtures/import/kinds/coupons-br-latin1.csv";
// Valid coupons of the fixture: BEMVINDO15 15.00 (ana), FRETE10 10% (ana), ANIVER20 20.50 (bruno),
// VELHO5 5.00 expired 2024-02-01 (carla), ULTIMO 12.5% (helena, who has no balance and no member).

/** A client that records what would be pushed to the store. */
function recordingClient() {
  const writes: BalanceWrite[] = [];
  const client = { platform: "shopify", writeBalances: async (b: BalanceWrite[]) => (writes.push(...b), { written: b.length, failed: [] }) } as unknown as PlatformClient;
  return { client, writes };
}

let shop: Shop;
let migration: Migration;
let members: { ana: string; bruno: string; carla: string };

const balance = async (id: string) => (await prisma.member.findUniqueOrThrow({ where: { id } })).balance;

beforeEach(async () => {
  shop = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("coupons"), country: "BR" } });
  migration = await prisma.migration.create({ data: { shopId: shop.id, name: "bonifiq", settingsJson: JSON.stringify({ completedStates: ["PAID"] }) } });
  const balances = tempFile("saldos.csv", "email,points\nana@example.com,100\nbruno@example.com,200\ncarla@example.com,300\n");
  for (const [file, kind, provider] of [[balances, "balances", "generic"], [COUPONS, "coupons", "bonifiq"]] as const) {
    const r = await importLoyaltyFile({ shopId: shop.id, migrationId: migration.id, provider, kind, fileName: file.split("/").at(-1)!, filePath: file, now: NOW });
    expect(r.outcome).toBe("imported");
  }
  const record = (email: string) => prisma.loyaltyRecord.findFirstOrThrow({ where: { migrationId: migration.id, emailNormalized: email, importFile: { kind: "balances" } } });
  // What apply writes: ana matched (a visible member with her identity), bruno pending (found through
  // his import entry only), carla matched to a customer whose member came from an earlier migration
  // (found through the preview's RecordMatch only, she holds no import entry of this migration).
  const ana = await prisma.member.create({ data: { shopId: shop.id, migrationId: migration.id, platformCustomerId: "gid://shopify/Customer/1", state: "visible", emailNormalized: "ana@example.com" } });
  const bruno = await prisma.member.create({ data: { shopId: shop.id, migrationId: migration.id, state: "pending" } });
  const carla = await prisma.member.create({ data: { shopId: shop.id, platformCustomerId: "gid://shopify/Customer/3", state: "visible" } });
  for (const [m, email, points] of [[ana, "ana@example.com", 100], [bruno, "bruno@example.com", 200]] as const) {
    const r = await record(email);
    await withLedger((tx) => postEntry(tx, { shopId: shop.id, memberId: m.id, migrationId: migration.id, kind: "import", points, idempotencyKey: idempotencyKey.importRow(migration.id, r.id), sourceRef: `saldos.csv row ${r.rowNumber}` }));
  }
  const reconciliation = await prisma.reconciliation.create({ data: { shopId: shop.id, migrationId: migration.id, inputsHash: "x", status: "done" } });
  await prisma.recordMatch.create({ data: { reconciliationId: reconciliation.id, recordId: (await record("carla@example.com")).id, class: "matched", platformCustomerId: "gid://shopify/Customer/3", points: 300 } });
  await prisma.migration.update({ where: { id: migration.id }, data: { state: "applied" } });
  members = { ana: ana.id, bruno: bruno.id, carla: carla.id };
});

describe("unused coupons", () => {
  it("are listed per member, found by the migration's own records, never guessed", async () => {
    const list = await listCoupons({ shopId: shop.id, migrationId: migration.id, now: NOW });
    const byCode = Object.fromEntries(list!.coupons.map((c) => [c.code, c]));
    expect(Object.keys(byCode).sort()).toEqual(["ANIVER20", "BEMVINDO15", "FRETE10", "ULTIMO", "VELHO5"]);
    expect(byCode.BEMVINDO15).toMatchObject({ value: "15.00", valueKind: "amount", expired: false, member: { id: members.ana }, matchedBy: "import-entry", status: "open" });
    expect(byCode.FRETE10).toMatchObject({ value: "10%", valueKind: "percentage", member: { id: members.ana } });
    expect(byCode.ANIVER20).toMatchObject({ value: "20.50", member: { id: members.bruno, state: "pending" }, matchedBy: "import-entry" });
    expect(byCode.VELHO5).toMatchObject({ expired: true, member: { id: members.carla }, matchedBy: "record-match" });
    expect(byCode.ULTIMO).toMatchObject({ member: null, matchedBy: "no-member" });
    expect(list!.totals).toEqual({ open: 5, cancelled: 0, refunded: 0, percentage: 2, withoutMember: 1, expired: 2 });
  });

  it("are refunded as points once per code: money coupons only, exact, expired ones on request; a replay writes nothing", async () => {
    const { client, writes } = recordingClient();
    const first = await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "2", now: NOW, client });
    expect(first).toMatchObject({ outcome: "decided", action: "refund", rate: "2" });
    if (first.outcome !== "decided") return;
    expect(first.refunded.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: "ANIVER20", memberId: members.bruno, points: 41, outcome: "posted" },
      { code: "BEMVINDO15", memberId: members.ana, points: 30, outcome: "posted" },
    ]);
    expect(Object.fromEntries(first.skipped.map((s) => [s.code, s.reason]))).toEqual({ FRETE10: "percentage", ULTIMO: "percentage", VELHO5: "expired" });
    expect(await balance(members.ana)).toBe(130);
    expect(await balance(members.bruno)).toBe(241);
    // Only visible members are pushed: bruno is pending.
    expect(writes.map((w) => [w.customerId, w.points])).toEqual([["gid://shopify/Customer/1", 130]]);
    const entry = await prisma.ledgerEntry.findFirstOrThrow({ where: { shopId: shop.id, idempotencyKey: couponRefundKey(migration.id, "ANIVER20") } });
    expect(entry).toMatchObject({ kind: "coupon_refund", migrationId: migration.id, points: 41, memberId: members.bruno });
    expect(entry.reason).toMatch(/20\.50 refunded at 2 points per currency unit \(41 → 41\)/);

    const entries = await prisma.ledgerEntry.count({ where: { shopId: shop.id } });
    const again = await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "3", now: NOW });
    expect(again.outcome === "decided" && again.refunded.every((r) => r.outcome === "duplicate")).toBe(true);
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id } })).toBe(entries);
    expect(await balance(members.ana)).toBe(130);

    const expired = await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "2", codes: ["velho5"], includeExpired: true, now: NOW });
    expect(expired).toMatchObject({ outcome: "decided", refunded: [{ code: "VELHO5", memberId: members.carla, points: 10, outcome: "posted" }], skipped: [] });
    const list = await listCoupons({ shopId: shop.id, migrationId: migration.id, now: NOW });
    expect(list!.totals).toMatchObject({ refunded: 3, open: 2 });
    expect(list!.coupons.find((c) => c.code === "BEMVINDO15")).toMatchObject({ status: "refunded", refund: { points: 30, rolledBack: false }, decision: { action: "refund", rate: "2" } });
    expect((await checkBalances(shop.id)).drift).toEqual([]);
  });

  it("refunds each code once when refunds race", async () => {
    await Promise.all(Array.from({ length: 6 }, () => decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "1", now: NOW })));
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id, kind: "coupon_refund" } })).toBe(2);
    expect(await balance(members.ana)).toBe(115);
    expect(await balance(members.bruno)).toBe(220);
    expect((await checkBalances(shop.id)).drift).toEqual([]);
  });

  it("are cancelled as a recorded decision, the other settings kept; a refunded coupon is not cancelled", async () => {
    await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "1", codes: ["BEMVINDO15"], now: NOW });
    const cancelled = await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "cancel", now: NOW });
    expect(cancelled).toMatchObject({ outcome: "decided", action: "cancel", skipped: [{ code: "BEMVINDO15", reason: "already-refunded" }] });
    if (cancelled.outcome !== "decided") return;
    expect(cancelled.cancelled.sort()).toEqual(["ANIVER20", "FRETE10", "ULTIMO", "VELHO5"]);
    const settings = JSON.parse((await prisma.migration.findUniqueOrThrow({ where: { id: migration.id } })).settingsJson);
    expect(settings.completedStates).toEqual(["PAID"]);
    expect(Object.fromEntries(Object.entries(settings.coupons.decisions as Record<string, { action: string }>).map(([code, d]) => [code, d.action]))).toEqual({
      ANIVER20: "cancel", BEMVINDO15: "refund", FRETE10: "cancel", ULTIMO: "cancel", VELHO5: "cancel",
    });
    const list = await listCoupons({ shopId: shop.id, migrationId: migration.id, now: NOW });
    expect(list!.totals).toMatchObject({ cancelled: 4, refunded: 1, open: 0 });
    // The merchant changes their mind on one cancelled coupon: refunding it is allowed.
    const refund = await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "1", codes: ["aniver20"], now: NOW });
    expect(refund).toMatchObject({ outcome: "decided", refunded: [{ code: "ANIVER20", points: 20 }] });
    expect((await listCoupons({ shopId: shop.id, migrationId: migration.id, now: NOW }))!.totals).toMatchObject({ cancelled: 3, refunded: 2 });
  });

  it("refunds are reversed by a rollback, and decisions close with it", async () => {
    await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "2", now: NOW });
    const { client } = recordingClient();
    expect(await rollbackMigration({ shopId: shop.id, migrationId: migration.id, client })).toMatchObject({ outcome: "rolled-back", reversals: 4 });
    expect(await balance(members.ana)).toBe(0);
    expect(await balance(members.bruno)).toBe(0);
    const list = await listCoupons({ shopId: shop.id, migrationId: migration.id, now: NOW });
    expect(list!.coupons.find((c) => c.code === "ANIVER20")).toMatchObject({ status: "refund-rolled-back", refund: { points: 41, rolledBack: true } });
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "2", now: NOW })).toMatchObject({ outcome: "migration-closed", state: "rolled_back" });
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "cancel", now: NOW })).toMatchObject({ outcome: "migration-closed" });
  });

  it("refuses bad input and migrations without members, and never reads another shop's migration", async () => {
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", rate: "0", now: NOW })).toMatchObject({ outcome: "invalid" });
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "refund", now: NOW })).toMatchObject({ outcome: "invalid" });
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "cancel", codes: ["NOPE"], now: NOW })).toMatchObject({ outcome: "invalid", errors: [expect.stringContaining("NOPE")] });
    await prisma.migration.update({ where: { id: migration.id }, data: { state: "previewed" } });
    expect(await decideCoupons({ shopId: shop.id, migrationId: migration.id, action: "cancel", now: NOW })).toMatchObject({ outcome: "migration-closed", state: "previewed" });
    const other = await prisma.shop.create({ data: { platform: "shopify", domain: uniqueShop("other") } });
    expect(await listCoupons({ shopId: other.id, migrationId: migration.id })).toBeNull();
    expect(await decideCoupons({ shopId: other.id, migrationId: migration.id, action: "cancel" })).toEqual({ outcome: "not-found" });
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id, kind: "coupon_refund" } })).toBe(0);
  });
});
