import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, gql, startReceiver, until, type Received } from "./test-helpers.js";
import { payloadTemplate } from "./webhooks.js";

const SECRET = "shpss_test_secret";

function verify(r: Received, secret = SECRET): boolean {
  const expected = createHmac("sha256", secret).update(r.body).digest();
  const given = Buffer.from(String(r.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function keys(v: unknown): string[] {
  return Object.keys(v as Record<string, unknown>);
}

interface Delivered {
  customer?: { id: string; legacyResourceId: string; email: string | null; state: string };
  scheduled: boolean;
  deliveries: Array<{ topic: string; webhookId: string; eventId: string; statuses: Array<number | null> }>;
}

describe("webhooks and the control API", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let emu: ShopifyEmulator;
  beforeAll(async () => {
    receiver = await startReceiver();
    emu = await startShopifyEmulator({ customers: 80, orders: 400, appUrl: receiver.url, apiSecret: SECRET });
  });
  afterEach(async () => {
    await emu.idle();
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await emu.close();
    await receiver.close();
  });

  it("reports health", async () => {
    const r = await control(emu, "GET", "/_emulator/health");
    expect(r.body).toMatchObject({ ok: true, shop: "demo-store.myshopify.com", customers: 80, orders: 400 });
  });

  it("creates a customer and delivers customers/create signed with the app secret", async () => {
    const r = await control<Delivered>(emu, "POST", "/_emulator/customers", {
      firstName: "Conceição",
      lastName: "Araújo",
      email: "  Conceicao.Araujo@Example.com ",
      phone: "+5511988887777",
    });
    expect(r.status).toBe(201);
    const c = r.body.customer;
    expect(c?.id).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);
    expect(r.body.deliveries).toHaveLength(1);
    expect(r.body.deliveries[0]).toMatchObject({ topic: "customers/create", statuses: [200] });

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0] as Received;
    expect(got.path).toBe("/webhooks/customers/create");
    expect(verify(got)).toBe(true);
    expect(verify(got, "another secret")).toBe(false);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["x-shopify-topic"]).toBe("customers/create");
    expect(got.headers["x-shopify-shop-domain"]).toBe("demo-store.myshopify.com");
    expect(got.headers["x-shopify-api-version"]).toBe("2026-01");
    expect(got.headers["x-shopify-webhook-id"]).toBe(r.body.deliveries[0]?.webhookId);
    expect(got.headers["x-shopify-event-id"]).toBe(r.body.deliveries[0]?.eventId);
    expect(Date.parse(String(got.headers["x-shopify-triggered-at"]))).not.toBeNaN();

    const payload = JSON.parse(got.body.toString("utf8")) as Record<string, unknown>;
    expect(payload.admin_graphql_api_id).toBe(c?.id);
    expect(String(payload.id)).toBe(c?.legacyResourceId);
    expect(payload).toMatchObject({ first_name: "Conceição", last_name: "Araújo", email: "  Conceicao.Araujo@Example.com ", phone: "+5511988887777", state: "disabled", currency: "BRL" });
    // Exactly the documented payload's keys, in its order.
    expect(keys(payload)).toEqual(keys(payloadTemplate("customers/create", "2026-01")).filter((k) => k !== "default_address"));

    // The new customer is visible through GraphQL.
    const q = await gql<{ customer: { displayName: string; state: string } }>(emu, `query($id: ID!) { customer(id: $id) { displayName state } }`, { id: c?.id });
    expect(q.body.data?.customer).toEqual({ displayName: "Conceição Araújo", state: "DISABLED" });
  });

  it("repeats a delivery with the same webhook id and event id when times is set", async () => {
    const r = await control<Delivered>(emu, "POST", "/_emulator/customers", { firstName: "Ana", email: "ana.retry@example.com", deliver: { times: 3 } });
    expect(r.body.deliveries[0]?.statuses).toEqual([200, 200, 200]);
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((x) => x.headers["x-shopify-webhook-id"]));
    const events = new Set(receiver.received.map((x) => x.headers["x-shopify-event-id"]));
    const bodies = new Set(receiver.received.map((x) => x.body.toString("utf8")));
    expect(ids.size).toBe(1);
    expect(events.size).toBe(1);
    expect(bodies.size).toBe(1);
    expect(receiver.received.every((x) => verify(x))).toBe(true);
    const log = await control<{ deliveries: Array<{ webhookId: string; attempt: number; status: number }> }>(emu, "GET", "/_emulator/deliveries?topic=customers/create");
    const mine = log.body.deliveries.filter((d) => d.webhookId === r.body.deliveries[0]?.webhookId);
    expect(mine.map((d) => [d.attempt, d.status])).toEqual([
      [1, 200],
      [2, 200],
      [3, 200],
    ]);
  });

  it("answers at once and delivers later when delayMs is set", async () => {
    const r = await control<Delivered>(emu, "POST", "/_emulator/customers", { firstName: "Later", email: "later@example.com", deliver: { delayMs: 30, topics: ["customers/create", "customers/update"] } });
    expect(r.body.scheduled).toBe(true);
    expect(r.body.deliveries.map((d) => d.topic)).toEqual(["customers/create", "customers/update"]);
    await until(async () => receiver.received.length === 2);
    expect(receiver.received.map((x) => x.headers["x-shopify-topic"]).sort()).toEqual(["customers/create", "customers/update"]);
  });

  it("rejects a duplicate email like Shopify", async () => {
    const r = await control<{ errors: Record<string, string[]> }>(emu, "POST", "/_emulator/customers", { firstName: "Dup", email: "ANA.RETRY@example.com" });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual({ email: ["Email has already been taken"] });
  });

  it("enables a customer and delivers customers/enable", async () => {
    const i = Array.from({ length: emu.store.customerCount }, (_, k) => k).find((k) => emu.store.state(k) === "DISABLED") ?? 0;
    const legacy = emu.store.customerLegacyId(i);
    const r = await control<Delivered>(emu, "POST", `/_emulator/customers/${legacy}/enable`);
    expect(r.status).toBe(200);
    expect(r.body.customer?.state).toBe("ENABLED");
    expect(r.body.deliveries[0]).toMatchObject({ topic: "customers/enable", statuses: [200] });
    const got = receiver.received[0] as Received;
    expect(got.path).toBe("/webhooks/customers/enable");
    const payload = JSON.parse(got.body.toString("utf8")) as Record<string, unknown>;
    expect(payload).toMatchObject({ admin_graphql_api_id: `gid://shopify/Customer/${legacy}`, state: "enabled" });
    expect(verify(got)).toBe(true);
  });

  it("builds order payloads from the store (orders/paid, orders/cancelled) in the documented shape", async () => {
    const paid = await control<Delivered>(emu, "POST", "/_emulator/webhooks", { topic: "orders/paid" });
    expect(paid.status).toBe(200);
    const p = JSON.parse((receiver.received[0] as Received).body.toString("utf8")) as Record<string, unknown>;
    expect(p.financial_status).toBe("paid");
    expect(String(p.admin_graphql_api_id)).toMatch(/^gid:\/\/shopify\/Order\/\d+$/);
    expect(keys(p)).toEqual(keys(payloadTemplate("orders/paid", "2026-01")));
    const lineSum = (p.line_items as Array<{ price: string }>).reduce((s, l) => s + Math.round(Number(l.price) * 100), 0);
    expect(lineSum).toBe(Math.round(Number(p.total_price) * 100));

    receiver.received.length = 0;
    const j = Array.from({ length: emu.store.orderCount }, (_, k) => k).reverse().find((k) => !emu.store.isCancelled(k) && emu.store.financialStatus(k) === "PAID") ?? 0;
    const legacy = emu.store.orderLegacyId(j);
    const cancel = await control<{ order: { cancelReason: string; displayFinancialStatus: string } }>(emu, "POST", `/_emulator/orders/${legacy}/cancel`, { reason: "customer" });
    expect(cancel.body.order).toMatchObject({ cancelReason: "CUSTOMER", displayFinancialStatus: "REFUNDED" });
    const got = receiver.received[0] as Received;
    expect(got.headers["x-shopify-topic"]).toBe("orders/cancelled");
    const c = JSON.parse(got.body.toString("utf8")) as Record<string, unknown>;
    expect(c).toMatchObject({ admin_graphql_api_id: `gid://shopify/Order/${legacy}`, cancel_reason: "customer", financial_status: "refunded" });
    expect(c.cancelled_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$/);
    const q = await gql<{ order: { cancelledAt: string | null; cancelReason: string } }>(emu, `query($id: ID!) { order(id: $id) { cancelledAt cancelReason } }`, { id: `gid://shopify/Order/${legacy}` });
    expect(q.body.data?.order.cancelReason).toBe("CUSTOMER");
  });

  it("delivers the mandatory compliance topics and app/uninstalled", async () => {
    for (const topic of ["customers/redact", "customers/data_request", "shop/redact", "app/uninstalled"]) {
      const r = await control<Delivered>(emu, "POST", "/_emulator/webhooks", { topic });
      expect(r.body.deliveries[0]?.statuses).toEqual([200]);
    }
    const [redact, dataRequest, shopRedact, uninstalled] = receiver.received.map((x) => JSON.parse(x.body.toString("utf8")) as Record<string, unknown>);
    expect(keys(redact)).toEqual(["shop_id", "shop_domain", "customer", "orders_to_redact"]);
    expect(redact).toMatchObject({ shop_domain: "demo-store.myshopify.com", customer: { id: expect.any(Number) } });
    expect((redact?.orders_to_redact as unknown[]).length).toBeGreaterThan(0);
    expect(keys(dataRequest)).toEqual(keys(payloadTemplate("customers/data_request", "2026-01")));
    expect(shopRedact).toEqual({ shop_id: expect.any(Number), shop_domain: "demo-store.myshopify.com" });
    expect(keys(uninstalled)).toEqual(keys(payloadTemplate("app/uninstalled", "2026-01")));
    expect(uninstalled).toMatchObject({ myshopify_domain: "demo-store.myshopify.com", currency: "BRL" });
    expect(receiver.received.every((x) => verify(x))).toBe(true);
  });

  it("delivers a given payload verbatim, with a chosen webhook id", async () => {
    const body = '{"hello":"world","n":1}';
    await control(emu, "POST", "/_emulator/webhooks", { topic: "orders/paid", payload: body, webhookId: "fixed-webhook-id", times: 2 });
    expect(receiver.received.map((x) => x.body.toString("utf8"))).toEqual([body, body]);
    expect(receiver.received.map((x) => x.headers["x-shopify-webhook-id"])).toEqual(["fixed-webhook-id", "fixed-webhook-id"]);
  });

  it("records failed deliveries", async () => {
    const failing = await startReceiver(500);
    const other = await startShopifyEmulator({ customers: 5, orders: 5, appUrl: failing.url, apiSecret: SECRET });
    try {
      const r = await control<Delivered>(other, "POST", "/_emulator/webhooks", { topic: "shop/redact", times: 2 });
      expect(r.body.deliveries[0]?.statuses).toEqual([500, 500]);
    } finally {
      await other.close();
      await failing.close();
    }
  });
});

describe("large ids", () => {
  it("writes ids beyond 2^53 digit for digit; admin_graphql_api_id carries them exactly", async () => {
    const receiver = await startReceiver();
    const emu = await startShopifyEmulator({ customers: 10, orders: 10, idStyle: "large", appUrl: receiver.url, apiSecret: SECRET });
    try {
      const r = await control<Delivered>(emu, "POST", "/_emulator/customers", { firstName: "Big", email: "big@example.com" });
      const legacy = r.body.customer?.legacyResourceId ?? "";
      expect(BigInt(legacy) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      const raw = (receiver.received[0] as Received).body.toString("utf8");
      expect(raw).toContain(`"id":${legacy},`);
      expect(raw).toContain(`"admin_graphql_api_id":"gid://shopify/Customer/${legacy}"`);
      // What a careless JSON.parse would read is not the id.
      expect(String((JSON.parse(raw) as { id: number }).id)).not.toBe(legacy);
    } finally {
      await emu.close();
      await receiver.close();
    }
  });
});
