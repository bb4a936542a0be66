import crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";

const SECRET = vi.hoisted(() => {
  const secret = "nuvemshop-test-secret-0123";
  process.env.NUVEMSHOP_APP_SECRET = secret;
  return secret;
});

import prisma from "~/db.server";
import { action } from "~/routes/webhooks.nuvemshop";
import { callRoute } from "../support/remix";

function delivery(body: object | string, secret = SECRET, signature?: string | null) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers = new Headers({ "content-type": "application/json", "user-agent": "Nuvemshop-Webhooks (test)" });
  const hmac = signature === undefined ? crypto.createHmac("sha256", secret).update(raw, "utf8").digest("hex") : signature;
  if (hmac !== null) headers.set("x-linkedstore-hmac-sha256", hmac);
  return new Request("http://127.0.0.1:3999/webhooks/nuvemshop", { method: "POST", headers, body: raw });
}

async function store() {
  const storeId = String(1_000_000 + Math.floor(Math.random() * 8_000_000));
  const shop = await prisma.shop.create({ data: { platform: "nuvemshop", domain: storeId } });
  return { storeId: Number(storeId), shop };
}

describe("Nuvemshop webhooks", () => {
  it("verifies the hex HMAC of the raw body, records customer/created once and enqueues customer.changed", async () => {
    const { storeId, shop } = await store();
    const body = { store_id: storeId, event: "customer/created", id: 950000013 };
    const first = await callRoute(action, delivery(body));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ outcome: "enqueued", event: "customer/created" });
    const again = await callRoute(action, delivery(body));
    expect(await again.json()).toEqual({ outcome: "duplicate", event: "customer/created" });
    const jobs = await prisma.job.findMany({ where: { shopId: shop.id } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: "customer.changed", dedupeKey: `webhook:nuvemshop:${storeId}:customer/created:950000013` });
    expect(JSON.parse(jobs[0]!.payloadJson)).toEqual({ shopDomain: String(storeId), platform: "nuvemshop", topic: "customer/created", customerId: "950000013" });
    expect(await prisma.webhookDelivery.count({ where: { platform: "nuvemshop", shopDomain: String(storeId) } })).toBe(1);
  });

  it("enqueues order.changed for order/paid and order/cancelled, one job each", async () => {
    const { storeId, shop } = await store();
    for (const event of ["order/paid", "order/cancelled", "order/paid"]) {
      expect((await callRoute(action, delivery({ store_id: storeId, event, id: 42 }))).status).toBe(200);
    }
    const jobs = await prisma.job.findMany({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" } });
    expect(jobs.map((j) => [j.kind, (JSON.parse(j.payloadJson) as { topic: string; orderId: string }).topic])).toEqual([
      ["order.changed", "order/paid"],
      ["order.changed", "order/cancelled"],
    ]);
  });

  it("answers 401 and writes nothing for a missing, wrong or other-secret signature", async () => {
    const { storeId, shop } = await store();
    const body = { store_id: storeId, event: "customer/created", id: 7 };
    expect((await callRoute(action, delivery(body, SECRET, null))).status).toBe(401);
    expect((await callRoute(action, delivery(body, SECRET, "ab".repeat(32)))).status).toBe(401);
    expect((await callRoute(action, delivery(body, "another-apps-secret"))).status).toBe(401);
    const signed = delivery(body);
    const tampered = new Request(signed.url, { method: "POST", headers: signed.headers, body: JSON.stringify({ ...body, id: 8 }) });
    expect((await callRoute(action, tampered)).status).toBe(401);
    expect(await prisma.job.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("ignores (200) events it does not act on and stores that have not installed the app", async () => {
    const { storeId } = await store();
    expect(await (await callRoute(action, delivery({ store_id: storeId, event: "product/created", id: 1 }))).json()).toMatchObject({ outcome: "ignored" });
    expect(await (await callRoute(action, delivery({ store_id: 999, event: "customer/created", id: 1 }))).json()).toMatchObject({ outcome: "ignored" });
  });
});
