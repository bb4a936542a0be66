import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { idempotencyKey } from "~domain/ledger";
import prisma from "~/db.server";
import { loader as proxyPoints } from "~/routes/proxy.points";
import { postEntry, withLedger } from "~/services/ledger/ledger.server";
import { storeOfflineInstall } from "~/services/offline-install.server";
import { STOREFRONT_RATE } from "~/services/storefront/rate-limit.server";
import { proxySignature, signedProxyQuery } from "../e2e/storefront/shopify-proxy";
import { callRoute } from "../support/remix";
import { TEST_API_SECRET } from "../support/test-env";
import { uniqueShop } from "../support/webhooks";

// The storefront widget's app proxy endpoint (decision 0014), called as Shopify calls it: the query
// signed with the app secret (signature written from Shopify's documentation, tests/e2e/storefront).

const APP = "http://127.0.0.1:3999";

function uniqueIp(): string {
  const b = crypto.randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

function proxyRequest(query: URLSearchParams, ip = uniqueIp()): Request {
  return new Request(`${APP}/proxy/points?${query.toString()}`, { headers: { "x-forwarded-for": `${ip}, 198.51.100.7` } });
}

function signed(shop: string, customerId: string | null, extra: { timestamp?: number; secret?: string; query?: string } = {}) {
  return signedProxyQuery({ shop, customerId, secret: extra.secret ?? TEST_API_SECRET, timestamp: extra.timestamp, query: extra.query });
}

async function installedShop() {
  const domain = uniqueShop("proxy");
  const shop = await storeOfflineInstall({ domain, accessToken: "shpat_proxy_test", scope: "read_customers,write_customers" });
  return { domain, shop };
}

async function member(shopId: string, input: { customerId: string | null; points: number; tier?: string; restoredAt?: Date; state?: string }) {
  const row = await prisma.member.create({
    data: {
      shopId,
      platformCustomerId: input.customerId ? `gid://shopify/Customer/${input.customerId}` : null,
      state: input.state ?? (input.customerId ? "visible" : "pending"),
      tier: input.tier ?? null,
      restoredAt: input.restoredAt ?? null,
      email: `m-${crypto.randomBytes(4).toString("hex")}@example.com`,
    },
  });
  if (input.points !== 0) {
    await withLedger((tx) =>
      postEntry(tx, { shopId, memberId: row.id, kind: "adjust", points: input.points, idempotencyKey: idempotencyKey.adjustment(`proxy-test-${row.id}`), sourceRef: "proxy test" }),
    );
  }
  return row;
}

async function json(res: Response) {
  return (await res.json()) as Record<string, unknown>;
}

describe("app proxy: signature", () => {
  it("answers a signed request with the signed-in member's balance, tier, state and restore date", async () => {
    const { domain, shop } = await installedShop();
    const restoredAt = new Date("2026-01-15T12:00:00.000Z");
    await member(shop.id, { customerId: "7001", points: 1250, tier: "Gold", restoredAt });
    const res = await callRoute(proxyPoints, proxyRequest(signed(domain, "7001")));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      version: 1,
      view: "member",
      signedIn: true,
      balance: 1250,
      tier: "Gold",
      state: "visible",
      restored: true,
      restoredAt: restoredAt.toISOString(),
    });
    expect(res.headers.get("cache-control")).toBe("private, max-age=30");
    expect(res.headers.get("vary")).toBe("Cookie");
  });

  it("accepts the shopper's own query parameters, which Shopify signs with the rest", async () => {
    const { domain, shop } = await installedShop();
    await member(shop.id, { customerId: "7002", points: 40 });
    const res = await callRoute(proxyPoints, proxyRequest(signed(domain, "7002", { query: "cid=7002&extra=1&extra=2" })));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ view: "member", balance: 40, restored: false, restoredAt: null });
    expect(res.headers.get("cache-control")).toBe("private, max-age=30");
  });

  it("answers 401 when a signed parameter was changed (the customer id swapped for another)", async () => {
    const { domain, shop } = await installedShop();
    await member(shop.id, { customerId: "7003", points: 10 });
    await member(shop.id, { customerId: "7004", points: 99_999 });
    const query = signed(domain, "7003");
    query.set("logged_in_customer_id", "7004");
    const res = await callRoute(proxyPoints, proxyRequest(query));
    expect(res.status).toBe(401);
    expect(JSON.stringify(await json(res))).not.toContain("99999");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("answers 401 when a parameter is added after signing", async () => {
    const { domain } = await installedShop();
    const query = signed(domain, null);
    query.append("logged_in_customer_id", "7005");
    expect((await callRoute(proxyPoints, proxyRequest(query))).status).toBe(401);
  });

  it("answers 401 without a signature", async () => {
    const { domain } = await installedShop();
    const query = signed(domain, "7006");
    query.delete("signature");
    expect((await callRoute(proxyPoints, proxyRequest(query))).status).toBe(401);
  });

  it("answers 401 for a query signed with another app's secret", async () => {
    const { domain } = await installedShop();
    expect((await callRoute(proxyPoints, proxyRequest(signed(domain, "7007", { secret: "another-apps-secret-0123456789" })))).status).toBe(401);
  });

  it("answers 401 for a stale timestamp (6 minutes old), and for one re-signed in the future", async () => {
    const { domain } = await installedShop();
    const now = Math.floor(Date.now() / 1000);
    expect((await callRoute(proxyPoints, proxyRequest(signed(domain, "7008", { timestamp: now - 6 * 60 })))).status).toBe(401);
    expect((await callRoute(proxyPoints, proxyRequest(signed(domain, "7008", { timestamp: now + 6 * 60 })))).status).toBe(401);
    // The library's tolerance is 90 s: a request Shopify signed a moment ago passes.
    expect((await callRoute(proxyPoints, proxyRequest(signed(domain, "7008", { timestamp: now - 30 })))).status).toBe(200);
  });

  it("signs exactly as the documentation's example says (a fixed vector)", () => {
    // Shopify's documented example shape: extra=1&extra=2 joined by a comma, keys sorted, no separator.
    const params = new URLSearchParams("extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555");
    const message = "extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555";
    expect(proxySignature(params, "hush")).toBe(crypto.createHmac("sha256", "hush").update(message).digest("hex"));
  });
});

describe("app proxy: whose data", () => {
  it("a signed request for customer A never returns customer B's data, in this shop or another", async () => {
    const a = await installedShop();
    const b = await installedShop();
    await member(a.shop.id, { customerId: "8001", points: 100, tier: "Silver" });
    await member(a.shop.id, { customerId: "8002", points: 5000, tier: "Gold" });
    // Customer 8001 of shop B (same numeric id, another shop) has other points.
    await member(b.shop.id, { customerId: "8001", points: 777, tier: "Bronze" });

    const forA = await json(await callRoute(proxyPoints, proxyRequest(signed(a.domain, "8001"))));
    expect(forA).toMatchObject({ view: "member", balance: 100, tier: "Silver" });
    const inB = await json(await callRoute(proxyPoints, proxyRequest(signed(b.domain, "8001"))));
    expect(inB).toMatchObject({ view: "member", balance: 777, tier: "Bronze" });
    // A customer of shop A with no member sees nothing of anyone.
    const nobody = await json(await callRoute(proxyPoints, proxyRequest(signed(a.domain, "8003"))));
    expect(nobody).toEqual({ version: 1, view: "none", signedIn: true, balance: 0, tier: null, state: null, restored: false, restoredAt: null });
  });

  it("does not show a pending member (not linked to any customer) to a signed-in customer", async () => {
    const { domain, shop } = await installedShop();
    await member(shop.id, { customerId: null, points: 300 });
    const res = await json(await callRoute(proxyPoints, proxyRequest(signed(domain, "8101"))));
    expect(res).toMatchObject({ view: "none", balance: 0 });
  });

  it("shows nothing of a redacted member", async () => {
    const { domain, shop } = await installedShop();
    const row = await member(shop.id, { customerId: "8201", points: 300 });
    await prisma.member.update({ where: { id: row.id }, data: { redactedAt: new Date() } });
    expect(await json(await callRoute(proxyPoints, proxyRequest(signed(domain, "8201"))))).toMatchObject({ view: "none", balance: 0 });
  });

  it("does not let the browser cache an answer under another customer's cache key", async () => {
    const { domain, shop } = await installedShop();
    await member(shop.id, { customerId: "8301", points: 10 });
    const res = await callRoute(proxyPoints, proxyRequest(signed(domain, "8301", { query: "cid=8399" })));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("app proxy: signed-out visitors", () => {
  it("answers the pending-points invitation with no personal data, whatever the query asks", async () => {
    const { domain, shop } = await installedShop();
    await member(shop.id, { customerId: null, points: 300 });
    // A visitor cannot probe an e-mail: there is no such parameter, and extra ones change nothing.
    const res = await callRoute(proxyPoints, proxyRequest(signed(domain, null, { query: "email=m%40example.com&cid=" })));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ version: 1, view: "signed_out", signedIn: false, pendingPointsWaitForYou: true, programActive: true });
    expect(res.headers.get("cache-control")).toBe("private, max-age=30");
  });

  it("says when the shop carried no points over (no members)", async () => {
    const { domain } = await installedShop();
    expect(await json(await callRoute(proxyPoints, proxyRequest(signed(domain, null))))).toMatchObject({ view: "signed_out", programActive: false });
  });

  it("answers 404 for a signed request from a shop that is not installed", async () => {
    const res = await callRoute(proxyPoints, proxyRequest(signed(uniqueShop("gone"), null)));
    expect(res.status).toBe(404);
  });
});

describe("app proxy: rate limit", () => {
  it(`answers 429 with Retry-After past ${STOREFRONT_RATE.capacity} requests from one IP, and other IPs still pass`, async () => {
    const { domain } = await installedShop();
    const ip = uniqueIp();
    // The bucket refills one token a second while the requests are made: on a slow machine the
    // burst earns a few more than its capacity, never fewer, and never more than the time allows.
    const started = Date.now();
    let answered = 0;
    let limited: Response | null = null;
    while (!limited && answered < STOREFRONT_RATE.capacity + 120) {
      const response = await callRoute(proxyPoints, proxyRequest(signed(domain, null), ip));
      if (response.status === 429) limited = response;
      else {
        expect(response.status).toBe(200);
        answered++;
      }
    }
    const refilled = Math.ceil(((Date.now() - started) / 1000) * STOREFRONT_RATE.refillPerSecond);
    expect(limited?.status).toBe(429);
    expect(answered).toBeGreaterThanOrEqual(STOREFRONT_RATE.capacity);
    expect(answered).toBeLessThanOrEqual(STOREFRONT_RATE.capacity + refilled);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await callRoute(proxyPoints, proxyRequest(signed(domain, null), uniqueIp()))).status).toBe(200);
  });
});
