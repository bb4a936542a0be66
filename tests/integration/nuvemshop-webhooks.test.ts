// Nuvemshop webhooks end to end: a store installed through OAuth (which registers the subscriptions), the
// emulator delivering signed `{store_id, event, id}` bodies over HTTP to the app's route — repeated and out
// of order — and the app's real job handlers fetching the customer or order the body only names. LGPD:
// data request, customer redaction and store redaction after an uninstall, the ledger's totals kept.
// Runs on SQLite and PostgreSQL.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const harness = await vi.hoisted(async () => {
  const { startNuvemshopHarness } = await import("./nuvemshop-harness");
  return startNuvemshopHarness({ orders: 400 });
});

import type { Shop } from "@prisma/client";
import prisma from "~/db.server";
import { seedPending } from "./restore-fake-store";
import { APP_SECRET, installViaOAuth, runShopJobs } from "./nuvemshop-harness";

const { emulator, appUrl, storeId } = harness;
const STORE = String(storeId);
const HOOK = `${appUrl}/webhooks/nuvemshop`;
const CUTOVER = new Date("2026-10-01T00:00:00Z");

let shop: Shop;
let migrationId: string;

afterAll(async () => {
  await harness.close();
});

beforeAll(async () => {
  const { response } = await installViaOAuth(appUrl);
  expect(response.status).toBe(302);
  shop = await prisma.shop.findUniqueOrThrow({ where: { platform_domain: { platform: "nuvemshop", domain: STORE } } });
  const migration = await prisma.migration.create({ data: { shopId: shop.id, name: "live", state: "applied", cutoverAt: CUTOVER, ordersMigrated: true, settingsJson: "{}" } });
  migrationId = migration.id;
});

async function control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}${path}`, { method, headers: { "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as T;
}

/** Delivers an event from the emulator (signed, over HTTP) and returns the statuses the app answered. */
async function deliver(body: { event: string; id?: number; ids?: number[]; times?: number; outOfOrder?: boolean }): Promise<Array<number | null>> {
  const r = await control<{ deliveries: Array<{ status: number | null; url: string }> }>("POST", "/_emulator/webhooks", body);
  expect(r.deliveries.length).toBeGreaterThan(0);
  expect(r.deliveries.every((d) => d.url === HOOK)).toBe(true);
  return r.deliveries.map((d) => d.status);
}

const jobsOf = () => prisma.job.findMany({ where: { shopId: shop.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
const ledgerTotal = async () => (await prisma.ledgerEntry.aggregate({ where: { shopId: shop.id }, _sum: { points: true } }))._sum.points ?? 0;

function post(body: string, signature: string | null) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (signature !== null) headers["X-Linkedstore-HMAC-SHA256"] = signature;
  return fetch(HOOK, { method: "POST", headers, body });
}
const sign = (body: string, secret = APP_SECRET) => crypto.createHmac("sha256", secret).update(body, "utf8").digest("hex");

/** A seeded order of the emulator placed after the cutover, with a buyer, in the given state. */
function orderWhere(match: (state: { status: string; payment: string }) => boolean): number {
  const s = emulator.store;
  for (let j = s.orderCount - 1; j >= 0; j--) {
    if ((s.oCustomer[j] ?? -1) < 0 || (s.oCreated[j] ?? 0) * 1000 < CUTOVER.getTime()) continue;
    if (match(s.orderState(j))) return s.orderId(j);
  }
  throw new Error("the emulator has no such order after the cutover: seed more orders");
}

describe("Nuvemshop webhooks", () => {
  it("subscribed every event at install, at the app's webhook route", () => {
    expect([...emulator.store.webhooks.values()].map((w) => w.event).sort()).toEqual(
      ["app/uninstalled", "customer/created", "customer/updated", "customers/data_request", "customers/redact", "order/cancelled", "order/paid", "store/redact"],
    );
  });

  it("refuses unsigned, tampered and other-secret deliveries (401) and records nothing", async () => {
    const body = JSON.stringify({ store_id: storeId, event: "customer/created", id: 1 });
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, "0".repeat(64))).status).toBe(401);
    expect((await post(body, sign(body, "another-apps-secret"))).status).toBe(401);
    expect((await post(JSON.stringify({ store_id: storeId, event: "customer/created", id: 2 }), sign(body))).status).toBe(401);
    expect((await post(JSON.stringify({ store_id: storeId }), sign(JSON.stringify({ store_id: storeId })).toUpperCase().slice(1))).status).toBe(401);
    expect(await prisma.webhookDelivery.count({ where: { platform: "nuvemshop", shopDomain: STORE } })).toBe(0);
    expect(await jobsOf()).toHaveLength(0);
  });

  it("customer/updated before customer/created, each delivered twice: one job each, the customer fetched by id, the pending member restored once", async () => {
    const email = `late.${storeId}@example.com`;
    await seedPending({ shop, migrationId }, { email, points: 500 });
    const { customer } = await control<{ customer: { id: number } }>("POST", "/_emulator/customers", { name: "Renata Prado", email, deliver: false });

    expect(await deliver({ event: "customer/updated", id: customer.id, times: 2 })).toEqual([200, 200]);
    expect(await deliver({ event: "customer/created", id: customer.id, times: 2 })).toEqual([200, 200]);
    const jobs = await jobsOf();
    expect(jobs.map((j) => [j.kind, (JSON.parse(j.payloadJson) as { topic: string }).topic])).toEqual([
      ["customer.changed", "customer/updated"],
      ["customer.changed", "customer/created"],
    ]);

    const ran = await runShopJobs(shop.id);
    expect(ran.map((r) => r.outcome).sort()).toEqual(["already-visible", "restored"]);
    const member = await prisma.member.findFirstOrThrow({ where: { shopId: shop.id, emailNormalized: email } });
    expect(member).toMatchObject({ state: "visible", platformCustomerId: String(customer.id), balance: 500 });
    expect(await prisma.ledgerEntry.count({ where: { memberId: member.id, kind: "restore" } })).toBe(1);
    const stored = await control<Array<{ key: string; value: string }>>("GET", `/_emulator/metafields?owner_id=${customer.id}`);
    expect(stored.find((m) => m.key === "points")?.value).toBe("500");

    // A later change to the same customer is a new event (its job already ran): queued again, still one restore.
    expect(await deliver({ event: "customer/updated", id: customer.id })).toEqual([200]);
    expect(await runShopJobs(shop.id)).toEqual([{ kind: "customer.changed", topic: "customer/updated", outcome: "already-visible" }]);
    expect(await prisma.ledgerEntry.count({ where: { memberId: member.id, kind: "restore" } })).toBe(1);
  });

  it("order/paid delivered three times earns once; order/cancelled before order/paid on a cancelled order earns nothing (the order as fetched decides)", async () => {
    const paid = orderWhere((s) => s.payment === "paid" && s.status !== "cancelled");
    const cancelled = orderWhere((s) => s.status === "cancelled");
    const before = (await jobsOf()).length;
    expect(await deliver({ event: "order/paid", id: paid, times: 3 })).toEqual([200, 200, 200]);
    expect(await deliver({ event: "order/cancelled", id: cancelled })).toEqual([200]);
    expect(await deliver({ event: "order/paid", id: cancelled, times: 2 })).toEqual([200, 200]);
    expect((await jobsOf()).length - before).toBe(3);

    const ran = await runShopJobs(shop.id);
    expect(ran).toHaveLength(3);
    expect(ran.find((r) => r.topic === "order/cancelled")?.outcome).toBe("nothing-to-reverse");
    expect(ran.filter((r) => r.topic === "order/paid").map((r) => r.outcome).sort()).toEqual(["earned", "nothing-to-reverse"]);
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id, idempotencyKey: `order:nuvemshop:${paid}:earn` } })).toBe(1);
    expect(await prisma.ledgerEntry.count({ where: { shopId: shop.id, idempotencyKey: { startsWith: `order:nuvemshop:${cancelled}:` } } })).toBe(0);
    // The orders were read from the API (the bodies carry ids only).
    const snapshot = await prisma.platformOrder.findUniqueOrThrow({ where: { shopId_platformId: { shopId: shop.id, platformId: String(cancelled) } } });
    expect(snapshot.status).toBe("cancelled");
  });

  it("customers/data_request stores what Carryover holds about the customer, once", async () => {
    const member = await prisma.member.findFirstOrThrow({ where: { shopId: shop.id, state: "visible", platformCustomerId: { not: null }, email: { not: null } } });
    expect(await deliver({ event: "customers/data_request", id: Number(member.platformCustomerId), times: 2 })).toEqual([200, 200]);
    const requests = await prisma.dataRequest.findMany({ where: { shopId: shop.id } });
    expect(requests).toHaveLength(1);
    const data = JSON.parse(requests[0]!.exportJson) as { members: Array<{ email: string; balance: number; history: unknown[] }> };
    expect(data.members).toEqual([expect.objectContaining({ email: member.email, balance: member.balance })]);
    expect(data.members[0]!.history.length).toBeGreaterThan(0);
  });

  it("customers/redact removes the customer's personal data and keeps the ledger, once", async () => {
    const member = await prisma.member.findFirstOrThrow({ where: { shopId: shop.id, state: "visible", email: { not: null } } });
    const total = await ledgerTotal();
    expect(await deliver({ event: "customers/redact", id: Number(member.platformCustomerId), times: 2 })).toEqual([200, 200]);
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: STORE, topic: "customers/redact" } })).toBe(1);
    const redacted = await prisma.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(redacted).toMatchObject({ email: null, emailNormalized: null, cpf: null, phoneE164: null, balance: member.balance });
    expect(redacted.redactedAt).not.toBeNull();
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id, platformId: member.platformCustomerId! } })).toBe(0);
    expect(await prisma.dataRequest.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await ledgerTotal()).toBe(total);
  });

  it("store/redact is refused while the store has Carryover installed; after the uninstall it wipes personal data and keeps the totals", async () => {
    const other = await seedPending({ shop, migrationId }, { email: `kept.${storeId}@example.com`, cpf: "52998224725", points: 80 });
    const total = await ledgerTotal();
    expect(await deliver({ event: "store/redact" })).toEqual([409]);
    expect((await prisma.member.findUniqueOrThrow({ where: { id: other.id } })).email).not.toBeNull();

    // Uninstalled: app/uninstalled, then store/redact, each delivered by the emulator.
    const r = await control<{ webhooks: Array<{ event: string; deliveries: Array<{ status: number }> }> }>("POST", "/_emulator/uninstall", { redact: true });
    expect(r.webhooks.map((w) => [w.event, w.deliveries.map((d) => d.status)])).toEqual([
      ["app/uninstalled", [200]],
      ["store/redact", [200]],
    ]);
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(after.uninstalledAt).not.toBeNull();
    expect(after.redactedAt).not.toBeNull();
    expect(await prisma.member.count({ where: { shopId: shop.id, OR: [{ email: { not: null } }, { cpf: { not: null } }, { phoneE164: { not: null } }] } })).toBe(0);
    expect(await prisma.platformCustomer.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: STORE } })).toBe(0);
    expect(await ledgerTotal()).toBe(total);
    // Repeats change nothing.
    expect(await deliver({ event: "store/redact", times: 2 })).toEqual([200, 200]);
    expect(await prisma.webhookDelivery.count({ where: { shopDomain: STORE, topic: "store/redact" } })).toBe(1);
  });

  it("store/redact arriving before app/uninstalled ends the install itself; events of an uninstalled store are not acted on", async () => {
    expect((await installViaOAuth(appUrl)).response.status).toBe(302);
    const reinstalled = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(reinstalled.uninstalledAt).toBeNull();
    await seedPending({ shop, migrationId }, { email: `again.${storeId}@example.com`, points: 10 });

    await control("POST", "/_emulator/uninstall", { deliver: false });
    expect(await deliver({ event: "store/redact" })).toEqual([200]);
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(after.uninstalledAt).not.toBeNull();
    expect(await prisma.member.count({ where: { shopId: shop.id, email: { not: null } } })).toBe(0);
    expect(await prisma.session.count({ where: { shop: STORE } })).toBe(0);

    // The late app/uninstalled is a repeat; a customer event for the uninstalled store is ignored.
    expect(await deliver({ event: "app/uninstalled" })).toEqual([200]);
    const before = (await jobsOf()).length;
    expect(await deliver({ event: "customer/created", id: 110000002 })).toEqual([200]);
    expect((await jobsOf()).length).toBe(before);
  });
});
