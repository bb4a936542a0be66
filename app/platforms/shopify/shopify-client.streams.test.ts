import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startShopifyEmulator } from "../../../tests/emulators/shopify/server";
import { PlatformError, type Page } from "../platform-client";
import { decodeCursor, encodeCursor, type BulkCursor } from "./stream-cursor";
import { ShopifyClient, packBatches, type ShopifyClientOptions } from "./shopify-client.server";
import { CUSTOMERS_PAGE_COST, CUSTOMERS_PAGE_QUERY, CUSTOMERS_PAGE_SIZE } from "./operations/customers-page";
import { ORDERS_PAGE_COST, ORDERS_PAGE_QUERY, ORDERS_PAGE_SIZE } from "./operations/orders-page";

// Streams, bulk resumption and balance writes of the production client against the Admin API emulator.
const TOKEN = "shpat_streams_test";
let emulator: Awaited<ReturnType<typeof startShopifyEmulator>>;

beforeAll(async () => {
  emulator = await startShopifyEmulator({ customers: 2_345, orders: 700, seed: 4, accessToken: TOKEN, throttle: { maximumAvailable: 20_000, restoreRate: 1_000 } });
});
afterAll(() => emulator.close());

async function control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as T;
}

function client(over: Partial<ShopifyClientOptions> = {}): ShopifyClient {
  return new ShopifyClient({
    origin: emulator.url,
    apiVersion: "2026-01",
    accessToken: TOKEN,
    maxAttempts: 4,
    backoffBaseMs: 5,
    bulkPollMs: 10,
    bulkPollMaxMs: 50,
    ...over,
  });
}

async function drain<T>(stream: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  for await (const page of stream) pages.push(page);
  return pages;
}

const ids = (pages: Page<{ platformId: string }>[]) => pages.flatMap((p) => p.items.map((i) => i.platformId));
const allCustomerIds = () => Array.from({ length: emulator.store.customerCount }, (_, i) => `gid://shopify/Customer/${emulator.store.customerLegacyId(i)}`);
const bulkOps = async () => (await control<{ bulkOperations: Array<{ id: string; query: string; status: string }> }>("GET", "/_emulator/bulk")).bulkOperations;

beforeEach(async () => {
  await control("DELETE", "/_emulator/faults");
});

describe("page queries", () => {
  it("request what their constants say, within Shopify's 1,000-point single-query limit", async () => {
    for (const [query, first, cost] of [
      [CUSTOMERS_PAGE_QUERY, CUSTOMERS_PAGE_SIZE, CUSTOMERS_PAGE_COST],
      [ORDERS_PAGE_QUERY, ORDERS_PAGE_SIZE, ORDERS_PAGE_COST],
    ] as const) {
      const res = await fetch(`${emulator.url}/admin/api/2026-01/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
        body: JSON.stringify({ query, variables: { first, after: null, query: null } }),
      });
      const body = (await res.json()) as { errors?: unknown; extensions: { cost: { requestedQueryCost: number } } };
      expect(body.errors).toBeUndefined();
      expect(body.extensions.cost.requestedQueryCost).toBe(cost);
      expect(cost).toBeLessThanOrEqual(1000);
    }
  });
});

describe("bulk streams", () => {
  it("read the JSONL in pages of bulkPageSize with the operation's root count as total", async () => {
    const before = (await bulkOps()).length;
    const pages = await drain(client({ bulkPageSize: 500 }).customers({ mode: "bulk" }));
    expect(pages.map((p) => p.items.length)).toEqual([500, 500, 500, 500, 345]);
    expect(pages.every((p) => p.total === 2_345)).toBe(true);
    expect(pages.at(-1)?.cursor).toBeNull();
    expect([...ids(pages)].sort()).toEqual(allCustomerIds().sort());
    const ops = await bulkOps();
    expect(ops).toHaveLength(before + 1);
    expect(ops.at(-1)?.query).toMatch(/^\{ customers \{ edges/);
  });

  it("end on a full last page with a null cursor", async () => {
    const pages = await drain(client({ bulkPageSize: 700 }).orders({ mode: "bulk" }));
    expect(pages.map((p) => [p.items.length, p.cursor === null])).toEqual([[700, true]]);
  });

  it("resume from a page's cursor in the same file, skipping the lines already read, without a new operation", async () => {
    const c = client({ bulkPageSize: 400 });
    const first = await drain(c.customers({ mode: "bulk" }));
    const opsBefore = (await bulkOps()).length;
    await control("DELETE", "/_emulator/requests");
    const resumed = await drain(c.customers({ mode: "bulk", cursor: first[2]!.cursor }));
    expect(ids(resumed)).toEqual(ids(first.slice(3)));
    expect((await bulkOps()).length).toBe(opsBefore);
    expect(await control("GET", "/_emulator/requests")).toEqual({ admin: 0, bulkDownloads: 1 });
  });

  it("takes a fresh URL from the operation when the cursor's URL has expired", async () => {
    const c = client({ bulkPageSize: 1000 });
    const first = await drain(c.customers({ mode: "bulk" }));
    const cursor = decodeCursor(first[0]!.cursor!, "customers") as BulkCursor;
    const expired = encodeCursor({ ...cursor, url: `${emulator.url}/bulk/1.jsonl` });
    const opsBefore = (await bulkOps()).length;
    const resumed = await drain(c.customers({ cursor: expired }));
    expect(ids(resumed)).toEqual(ids(first.slice(1)));
    expect((await bulkOps()).length).toBe(opsBefore);
  });

  it("runs the query again from the start when neither the URL nor the operation exists any more", async () => {
    const c = client({ bulkPageSize: 1000 });
    const first = await drain(c.customers({ mode: "bulk" }));
    const cursor = decodeCursor(first[0]!.cursor!, "customers") as BulkCursor;
    const gone = encodeCursor({ ...cursor, operationId: "gid://shopify/BulkOperation/1", url: `${emulator.url}/bulk/1.jsonl` });
    const opsBefore = (await bulkOps()).length;
    const again = await drain(c.customers({ cursor: gone }));
    expect([...ids(again)].sort()).toEqual(allCustomerIds().sort());
    expect((await bulkOps()).length).toBe(opsBefore + 1);
  });

  it("retries a failing download (5xx) and a download that breaks mid-file, skipping what it read", async () => {
    await control("POST", "/_emulator/faults", { status: 503, count: 2, scope: "bulk" });
    let broken = 0;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (!url.includes("/bulk/") || !res.ok || broken >= 1) return res;
      broken++;
      // Deliver the first 50,000 bytes, then break the connection.
      const reader = res.body!.getReader();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent >= 50_000) {
            await reader.cancel();
            controller.error(new TypeError("terminated: other side closed"));
            return;
          }
          const { value, done } = await reader.read();
          if (done) return controller.close();
          sent += value.length;
          controller.enqueue(value);
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    await control("DELETE", "/_emulator/requests");
    const pages = await drain(client({ fetch: flaky, bulkPageSize: 1000 }).customers({ mode: "bulk" }));
    const got = ids(pages);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual(allCustomerIds().sort());
    expect(broken).toBe(1);
    expect(((await control("GET", "/_emulator/requests")) as { bulkDownloads: number }).bulkDownloads).toBe(4);
  });

  it("filters by updatedSince inside the bulk query", async () => {
    const since = new Date(Date.now() - 1000);
    await control("PATCH", `/_emulator/customers/${emulator.store.customerLegacyId(10)}`, { firstName: "Bulk", deliver: false });
    const pages = await drain(client().customers({ mode: "bulk", updatedSince: since }));
    expect(pages.flatMap((p) => p.items.map((c) => [c.platformId, c.firstName]))).toEqual([[`gid://shopify/Customer/${emulator.store.customerLegacyId(10)}`, "Bulk"]]);
    expect((await bulkOps()).at(-1)?.query).toContain("updated_at:>=");
  });

  it("gives a single empty last page when nothing matched (Shopify's null url)", async () => {
    const pages = await drain(client().orders({ mode: "bulk", updatedSince: new Date("2099-01-01T00:00:00Z") }));
    expect(pages).toEqual([{ items: [], cursor: null, total: 0 }]);
  });
});

describe("auto mode and paged streams", () => {
  it("chooses bulk above bulkThreshold without updatedSince, paged otherwise", async () => {
    const before = (await bulkOps()).length;
    const big = await drain(client({ bulkThreshold: 2_000, bulkPageSize: 1_000 }).customers());
    expect(big.length).toBe(3); // 1,000-item bulk pages
    expect((await bulkOps()).length).toBe(before + 1);
    const small = await drain(client({ bulkThreshold: 2_000 }).orders());
    expect(small.length).toBe(3); // 240-order pages
    expect(small.every((p) => p.total === 700)).toBe(true);
    await drain(client({ bulkThreshold: 10 }).customers({ updatedSince: new Date(Date.now() - 60_000) }));
    expect((await bulkOps()).length).toBe(before + 1);
  });

  it("resumes a paged stream from its cursor with the cursor's own filter", async () => {
    // Filters are whole seconds: let the edits of earlier tests fall into an earlier second.
    await new Promise((r) => setTimeout(r, 1100));
    const since = new Date();
    for (const i of [20, 21, 22, 23, 24]) await control("PATCH", `/_emulator/customers/${emulator.store.customerLegacyId(i)}`, { note: "x", deliver: false });
    const c = client({ pageSize: 2 });
    const pages = await drain(c.customers({ mode: "paged", updatedSince: since }));
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.every((p) => p.total === 5)).toBe(true);
    // Resuming ignores options the cursor already decides (no updatedSince passed here).
    const resumed = await drain(c.customers({ cursor: pages[0]!.cursor }));
    expect(ids(resumed)).toEqual(ids(pages.slice(1)));
    await expect(drain(c.orders({ cursor: pages[0]!.cursor }))).rejects.toThrow(/customers stream, not orders/);
  });

  it("reads a customer by id and answers null for malformed or unknown ids", async () => {
    const id = allCustomerIds()[5]!;
    expect(await client().customer(id)).toMatchObject({ platformId: id, cpf: null });
    expect(await client().customer("gid://shopify/Customer/1")).toBeNull();
    expect(await client().customer("12345")).toBeNull();
    expect(await client().customer("gid://shopify/Order/5")).toBeNull();
  });
});

describe("writeBalances", () => {
  const stored = async (ownerId: string) =>
    (await control<{ metafields: Array<{ key: string; type: string; value: string; namespace: string }> }>("GET", `/_emulator/metafields?ownerId=${encodeURIComponent(ownerId)}`)).metafields;

  it("creates the three definitions once per client, readable by the storefront", async () => {
    const c = client();
    const customers = allCustomerIds();
    await c.writeBalances([{ customerId: customers[0]!, points: 1, tier: null, restoredAt: null }]);
    await control("DELETE", "/_emulator/requests");
    await c.writeBalances([{ customerId: customers[0]!, points: 2, tier: null, restoredAt: null }]);
    // One metafieldsSet and one metafieldsDelete: no definition calls the second time.
    expect(((await control("GET", "/_emulator/requests")) as { admin: number }).admin).toBe(2);
    const res = await fetch(`${emulator.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
      body: JSON.stringify({ query: `{ metafieldDefinitions(first: 10, ownerType: CUSTOMER, namespace: "$app") { nodes { key type { name } access { storefront } } } }` }),
    });
    const body = (await res.json()) as { data: { metafieldDefinitions: { nodes: Array<{ key: string; type: { name: string }; access: { storefront: string } }> } } };
    expect(body.data.metafieldDefinitions.nodes.map((d) => [d.key, d.type.name, d.access.storefront]).sort()).toEqual([
      ["points", "number_integer", "PUBLIC_READ"],
      ["restored_at", "date_time", "PUBLIC_READ"],
      ["tier", "single_line_text_field", "PUBLIC_READ"],
    ]);
    // A second client meets the existing definitions ("already taken") and carries on.
    expect(await client().writeBalances([{ customerId: customers[0]!, points: 3, tier: "Ouro", restoredAt: null }])).toEqual({ written: 1, failed: [] });
  });

  it("writes the others of a batch holding unknown customers, and reports bad input without sending it", async () => {
    const customers = allCustomerIds().slice(200, 230);
    const unknown = "gid://shopify/Customer/1";
    const result = await client().writeBalances([
      ...customers.slice(0, 5).map((customerId) => ({ customerId, points: 10, tier: "Prata", restoredAt: "2026-11-20T10:00:00-03:00" })),
      { customerId: unknown, points: 1, tier: null, restoredAt: null },
      ...customers.slice(5).map((customerId) => ({ customerId, points: 20, tier: null, restoredAt: null })),
      { customerId: "gid://shopify/Customer/2", points: 1, tier: null, restoredAt: null },
      { customerId: "42", points: 1, tier: null, restoredAt: null },
      { customerId: customers[0]!, points: 1.5, tier: null, restoredAt: null },
    ]);
    expect(result.written).toBe(30);
    expect(result.failed.map((f) => f.customerId).sort()).toEqual([customers[0]!, "42", unknown, "gid://shopify/Customer/2"].sort());
    expect(result.failed.find((f) => f.customerId === unknown)?.message).toMatch(/Owner does not exist/);
    // customers[0]'s invalid second write was not sent; its first one stands.
    const first = await stored(customers[0]!);
    expect(Object.fromEntries(first.map((m) => [m.key, m.value]))).toEqual({ points: "10", tier: "Prata", restored_at: "2026-11-20T13:00:00.000Z" });
    expect(first.every((m) => m.namespace === "app--1")).toBe(true);
    expect(Object.fromEntries((await stored(customers[29]!)).map((m) => [m.key, m.value]))).toEqual({ points: "20" });
  });

  it("keeps each customer's metafields in one call of at most 25", () => {
    const b = (i: number, full: boolean) => ({ customerId: `gid://shopify/Customer/${i}`, points: i, tier: full ? "T" : null, restoredAt: full ? "2026-01-01T00:00:00Z" : null });
    const batches = packBatches([...Array.from({ length: 10 }, (_, i) => b(i, true)), ...Array.from({ length: 30 }, (_, i) => b(100 + i, false))]);
    const sizes = batches.map((batch) => batch.reduce((n, x) => n + 1 + (x.tier ? 1 : 0) + (x.restoredAt ? 1 : 0), 0));
    expect(sizes.every((n) => n <= 25)).toBe(true);
    expect(sizes).toEqual([24, 25, 11]);
    expect(batches.flat()).toHaveLength(40);
  });

  it("retries a failing write and reports a platform that stays down as a retryable PlatformError", async () => {
    const c = client();
    const id = allCustomerIds()[300]!;
    await c.writeBalances([{ customerId: id, points: 1, tier: null, restoredAt: null }]);
    await control("POST", "/_emulator/faults", { status: 502, count: 2 });
    expect(await c.writeBalances([{ customerId: id, points: 2, tier: null, restoredAt: null }])).toEqual({ written: 1, failed: [] });
    await control("POST", "/_emulator/faults", { status: 503, count: 10 });
    const error = await c.writeBalances([{ customerId: id, points: 3, tier: null, restoredAt: null }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
  });
});
