import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShopifyEmulator, type ShopifyEmulator } from "./server.js";
import { control, gql, until } from "./test-helpers.js";

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface CustomersPage {
  customers: { edges: Array<{ cursor: string; node: { id: string; updatedAt: string; state: string } }>; pageInfo: PageInfo };
}

describe("Admin GraphQL endpoint", () => {
  let emu: ShopifyEmulator;
  beforeAll(async () => {
    // A large bucket: these tests are about data, not throttling.
    emu = await startShopifyEmulator({ seed: 11, customers: 523, orders: 1600, throttle: { maximumAvailable: 1_000_000, restoreRate: 1_000_000 } });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("answers 401 with Shopify's body for a missing or wrong access token", async () => {
    for (const token of [null, "shpat_wrong"]) {
      const r = await gql(emu, "{ shop { name } }", undefined, { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
  });

  it("accepts any API version in the path", async () => {
    for (const version of ["2025-10", "2026-01", "unstable"]) {
      const r = await gql<{ shop: { myshopifyDomain: string } }>(emu, "{ shop { myshopifyDomain } }", undefined, { version });
      expect(r.body.data?.shop.myshopifyDomain).toBe("demo-store.myshopify.com");
    }
  });

  it("serves the shop", async () => {
    const r = await gql<{ shop: Record<string, unknown> }>(emu, "{ shop { id name myshopifyDomain email currencyCode ianaTimezone billingAddress { countryCodeV2 } } }");
    expect(r.body.data?.shop).toMatchObject({
      id: expect.stringMatching(/^gid:\/\/shopify\/Shop\/\d+$/),
      myshopifyDomain: "demo-store.myshopify.com",
      currencyCode: "BRL",
      ianaTimezone: "America/Sao_Paulo",
      billingAddress: { countryCodeV2: "BR" },
    });
  });

  it("rejects unknown fields with a GraphQL validation error", async () => {
    const r = await gql(emu, "{ customers(first: 1) { nodes { id loyaltyPoints } } }");
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]).toMatchObject({
      message: "Field 'loyaltyPoints' doesn't exist on type 'Customer'",
      extensions: { code: "undefinedField", typeName: "Customer", fieldName: "loyaltyPoints" },
    });
  });

  it("requires first or last on connections and caps page size at 250", async () => {
    const none = await gql(emu, "{ customers { nodes { id } } }");
    expect(none.body.errors?.[0]?.message).toBe("you must provide one of first or last");
    expect(none.body.data).toBeNull();
    const big = await gql(emu, "{ customers(first: 251) { nodes { id } } }");
    expect(big.body.errors?.[0]?.message).toMatch(/250/);
  });

  it("walks every customer exactly once with first/after, and back with last/before", async () => {
    const q = `query($after: String) { customers(first: 100, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r: Awaited<ReturnType<typeof gql<CustomersPage>>> = await gql<CustomersPage>(emu, q, { after });
      const c = r.body.data?.customers;
      if (!c) throw new Error(JSON.stringify(r.body));
      expect(c.pageInfo.hasPreviousPage).toBe(pages > 0);
      for (const e of c.edges) seen.push(e.node.id);
      expect(c.pageInfo.endCursor).toBe(c.edges[c.edges.length - 1]?.cursor ?? null);
      pages++;
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(pages).toBe(6);
    expect(seen.length).toBe(523);
    expect(new Set(seen).size).toBe(523);
    // Cursors are opaque base64; ids come in ascending order (default sortKey ID).
    const ids = seen.map((g) => BigInt(g.split("/").pop() ?? "0"));
    expect(ids.every((v, k) => k === 0 || v > (ids[k - 1] ?? 0n))).toBe(true);

    const back: string[] = [];
    let before: string | null = null;
    for (;;) {
      const r: Awaited<ReturnType<typeof gql<CustomersPage>>> = await gql<CustomersPage>(emu, `query($before: String) { customers(last: 90, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor } } }`, { before });
      const c = r.body.data?.customers;
      if (!c) throw new Error(JSON.stringify(r.body));
      back.unshift(...c.edges.map((e) => e.node.id));
      if (!c.pageInfo.hasPreviousPage) break;
      before = c.pageInfo.startCursor;
    }
    expect(back).toEqual(seen);
  });

  it("walks a sorted, filtered, reversed listing exactly once", async () => {
    const q = `query($after: String) { customers(first: 50, after: $after, sortKey: UPDATED_AT, reverse: true, query: "state:enabled") { edges { node { id updatedAt state } } pageInfo { hasNextPage endCursor } } }`;
    const seen: Array<{ id: string; updatedAt: string; state: string }> = [];
    let after: string | null = null;
    for (;;) {
      const r: Awaited<ReturnType<typeof gql<CustomersPage>>> = await gql<CustomersPage>(emu, q, { after });
      const c = r.body.data?.customers;
      if (!c) throw new Error(JSON.stringify(r.body));
      seen.push(...c.edges.map((e) => e.node));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    const count = await gql<{ customersCount: { count: number } }>(emu, `{ customersCount(query: "state:enabled") { count } }`);
    expect(seen.length).toBe(count.body.data?.customersCount.count);
    expect(new Set(seen.map((x) => x.id)).size).toBe(seen.length);
    expect(seen.every((x) => x.state === "ENABLED")).toBe(true);
    for (let k = 1; k < seen.length; k++) expect((seen[k - 1]?.updatedAt ?? "") >= (seen[k]?.updatedAt ?? "")).toBe(true);
  });

  it("filters with the search syntax (updated_at, email, id, orders by status and customer)", async () => {
    const since = "2026-05-01T00:00:00Z";
    const r = await gql<{ customers: { nodes: Array<{ id: string; updatedAt: string }> }; customersCount: { count: number } }>(
      emu,
      `query($q: String!) { customers(first: 250, query: $q) { nodes { id updatedAt } } customersCount(query: $q) { count } }`,
      { q: `updated_at:>'${since}'` },
    );
    const nodes = r.body.data?.customers.nodes ?? [];
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.updatedAt > since)).toBe(true);
    const store = emu.store;
    const expected = Array.from({ length: store.customerCount }, (_, i) => i).filter((i) => (store.cUpdated[i] ?? 0) > Date.parse(since) / 1000).length;
    expect(r.body.data?.customersCount.count).toBe(expected);

    const i = Array.from({ length: store.customerCount }, (_, k) => k).find((k) => !!store.email(k)) ?? 0;
    const email = (store.email(i) ?? "").trim().toUpperCase();
    const byEmail = await gql<{ customers: { nodes: Array<{ id: string; email: string }> } }>(emu, `query($q: String) { customers(first: 5, query: $q) { nodes { id email } } }`, {
      q: `email:${email}`,
    });
    expect(byEmail.body.data?.customers.nodes.map((n) => n.id)).toEqual([`gid://shopify/Customer/${store.customerLegacyId(i)}`]);

    const byId = await gql<{ customers: { nodes: Array<{ id: string }> } }>(emu, `{ customers(first: 3, query: "id:>${store.customerLegacyId(519)}") { nodes { id } } }`);
    expect(byId.body.data?.customers.nodes.map((n) => n.id)).toEqual([520, 521, 522].map((k) => `gid://shopify/Customer/${store.customerLegacyId(k)}`));

    const cancelled = await gql<{ orders: { nodes: Array<{ cancelledAt: string | null; cancelReason: string | null; closed: boolean }> } }>(
      emu,
      `{ orders(first: 250, query: "status:cancelled") { nodes { cancelledAt cancelReason closed } } }`,
    );
    const cn = cancelled.body.data?.orders.nodes ?? [];
    expect(cn.length).toBeGreaterThan(0);
    expect(cn.every((o) => o.cancelledAt !== null && o.cancelReason !== null)).toBe(true);

    const paid = await gql<{ orders: { nodes: Array<{ displayFinancialStatus: string }> } }>(emu, `{ orders(first: 100, query: "financial_status:paid") { nodes { displayFinancialStatus } } }`);
    expect(paid.body.data?.orders.nodes.every((o) => o.displayFinancialStatus === "PAID")).toBe(true);

    const c = Array.from({ length: store.customerCount }, (_, k) => k).find((k) => (store.cOrders[k] ?? 0) >= 3) ?? 0;
    const mine = await gql<{ orders: { nodes: Array<{ customer: { id: string } }> }; customer: { numberOfOrders: string } }>(
      emu,
      `query($q: String, $id: ID!) { orders(first: 100, query: $q) { nodes { customer { id } } } customer(id: $id) { numberOfOrders } }`,
      { q: `customer_id:${store.customerLegacyId(c)}`, id: `gid://shopify/Customer/${store.customerLegacyId(c)}` },
    );
    const mn = mine.body.data?.orders.nodes ?? [];
    expect(mn.length).toBe(Number(mine.body.data?.customer.numberOfOrders));
    expect(mn.every((o) => o.customer.id === `gid://shopify/Customer/${store.customerLegacyId(c)}`)).toBe(true);
  });

  it("reports unknown search fields in extensions.search", async () => {
    const r = await gql(emu, `{ customers(first: 1, query: "colour:blue") { nodes { id } } }`);
    expect(r.body.extensions?.search).toEqual([{ path: ["customers"], query: "colour:blue", warnings: [{ field: "colour", message: "Invalid search field for this query." }] }]);
  });

  it("counts with { count precision }, capped by limit", async () => {
    const r = await gql<Record<string, { count: number; precision: string }>>(
      emu,
      `{ all: customersCount { count precision } capped: customersCount(limit: 10) { count precision } unlimited: ordersCount(limit: null) { count precision } paid: ordersCount(query: "financial_status:paid") { count precision } }`,
    );
    expect(r.body.data?.all).toEqual({ count: 523, precision: "EXACT" });
    expect(r.body.data?.capped).toEqual({ count: 10, precision: "AT_LEAST" });
    expect(r.body.data?.unlimited).toEqual({ count: 1600, precision: "EXACT" });
    expect(r.body.data?.paid?.count).toBeGreaterThan(0);
  });

  it("serves customer(id), order(id) and node(id) with Shopify's field shapes", async () => {
    const store = emu.store;
    const j = Array.from({ length: store.orderCount }, (_, k) => k).find((k) => store.orderCustomer(k) >= 0) ?? 0;
    const r = await gql<{ order: Record<string, unknown>; node: { __typename: string; id: string } }>(
      emu,
      `query($id: ID!) {
        order(id: $id) { id legacyResourceId name createdAt processedAt cancelledAt closed displayFinancialStatus displayFulfillmentStatus currencyCode test
          totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } } currentTotalPriceSet { shopMoney { amount } }
          customer { id defaultEmailAddress { emailAddress } } }
        node(id: $id) { __typename id }
      }`,
      { id: `gid://shopify/Order/${store.orderLegacyId(j)}` },
    );
    expect(r.body.data?.order).toMatchObject({
      id: `gid://shopify/Order/${store.orderLegacyId(j)}`,
      legacyResourceId: store.orderLegacyId(j),
      name: `#${1001 + j}`,
      currencyCode: "BRL",
      totalPriceSet: { shopMoney: { amount: expect.stringMatching(/^\d+\.\d{1,2}$/), currencyCode: "BRL" } },
      customer: { id: expect.stringMatching(/^gid:\/\/shopify\/Customer\/\d+$/) },
    });
    expect(r.body.data?.node).toEqual({ __typename: "Order", id: `gid://shopify/Order/${store.orderLegacyId(j)}` });
    const missing = await gql<{ customer: null }>(emu, `{ customer(id: "gid://shopify/Customer/1") { id } }`);
    expect(missing.body.data?.customer).toBeNull();
  });
});

describe("query cost and throttling", () => {
  let emu: ShopifyEmulator;
  beforeAll(async () => {
    emu = await startShopifyEmulator({ customers: 120, orders: 200, throttle: { maximumAvailable: 100, restoreRate: 50 } });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("computes requested and actual cost like Shopify and reports the bucket", async () => {
    // connection: 2 + first x (node 1 + amountSpent 1) = 2 + 10 x 2 = 22
    const r = await gql(emu, "{ customers(first: 10) { nodes { id amountSpent { amount } } } }");
    expect(r.body.extensions?.cost).toMatchObject({ requestedQueryCost: 22, actualQueryCost: 22, throttleStatus: { maximumAvailable: 100, restoreRate: 50 } });
    // Only 2 customers match: actual = 2 + 2 x 2, and the difference is refunded.
    const last = emu.store.customerLegacyId(117);
    const few = await gql(emu, `{ customers(first: 10, query: "id:>${last}") { nodes { id amountSpent { amount } } } }`);
    expect(few.body.extensions?.cost?.requestedQueryCost).toBe(22);
    expect(few.body.extensions?.cost?.actualQueryCost).toBe(6);
    // Mutations cost 10.
    const m = await gql(emu, `mutation { metafieldsSet(metafields: []) { userErrors { message } } }`);
    expect(m.body.extensions?.cost?.requestedQueryCost).toBe(10);
  });

  it("answers THROTTLED without executing when the bucket is short, then recovers", async () => {
    await control(emu, "POST", "/_emulator/throttle", { currentlyAvailable: 0, restoreRate: 1 });
    const owner = `gid://shopify/Customer/${emu.store.customerLegacyId(0)}`;
    const r = await gql(emu, `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { userErrors { message } } }`, {
      m: [{ ownerId: owner, namespace: "$app", key: "points", type: "number_integer", value: "5" }],
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toEqual([{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }]);
    expect(r.body.extensions?.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 100 } });
    expect(r.body.extensions?.cost?.throttleStatus.currentlyAvailable).toBeLessThan(10);
    const after = await control<{ metafields: unknown[] }>(emu, "GET", `/_emulator/metafields?ownerId=${encodeURIComponent(owner)}`);
    expect(after.body.metafields).toEqual([]);

    // The bucket leaks back at restoreRate points per second.
    await control(emu, "POST", "/_emulator/throttle", { restoreRate: 50 });
    const ok = await until(async () => {
      const x = await gql<{ shop: { name: string } }>(emu, "{ customers(first: 20) { nodes { id } } }");
      return x.body.errors ? null : x;
    });
    expect(ok.body.extensions?.cost?.actualQueryCost).toBe(22);
  });

  it("rejects a query above the single-query maximum with MAX_COST_EXCEEDED", async () => {
    await control(emu, "POST", "/_emulator/throttle", { currentlyAvailable: 100 });
    const r = await gql(emu, "{ customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }");
    const cost = 2 + 250 * (1 + 2 + 10);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.message).toContain(`Query cost is ${cost}, which exceeds the single query max cost limit (1000).`);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", cost, maxCost: 1000 });
  });
});
