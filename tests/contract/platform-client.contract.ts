// The one contract both PlatformClient implementations pass, each against its own emulator.
// A harness (tests/contract/<platform>.contract.test.ts) starts the emulator, builds the client and
// exposes the emulator's control API in the shape below; the suite never knows which platform it holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomerSnapshot, OrderSnapshot, Page, PlatformClient, StreamOptions } from "../../app/platforms/platform-client";
import { PlatformError } from "../../app/platforms/platform-client";

export interface ContractStore {
  /** A client of the running emulator whose sleeps are real but whose backoff is short (tests stay fast). */
  client: PlatformClient;
  /** Every customer and order id the emulator holds, in the client's id form. */
  customerIds(): string[];
  orderIds(): string[];
  /** Creates a customer at the emulator (as a shopper registering would) and returns its platform id. */
  createCustomer(input: { email: string; firstName: string; lastName: string; phone?: string; cpf?: string }): Promise<string>;
  /** Changes a customer's first name at the emulator, which moves its updatedAt to now. */
  renameCustomer(platformId: string, firstName: string): Promise<void>;
  /** The next `count` API requests answer with `status` (500, 502, 503 or 429) instead of their result. */
  failNext(count: number, status: 500 | 502 | 503 | 429): Promise<void>;
  /** Empties the rate-limit bucket so the next requests must wait (Shopify cost bucket, Nuvemshop leaky bucket). */
  exhaustRateLimit(): Promise<void>;
  /** API requests the emulator has answered so far (throttled and failed ones included). */
  requestCount(): Promise<number>;
  /** The loyalty balance the emulator holds for a customer (from the app's metafields), null when none. */
  storedBalance(platformId: string): Promise<{ points: number; tier: string | null; restoredAt: string | null } | null>;
  close(): Promise<void>;
}

export interface ContractHarness {
  platform: "shopify" | "nuvemshop";
  start(size: { customers: number; orders: number; seed?: number }): Promise<ContractStore>;
}

async function drain<T>(stream: AsyncIterable<Page<T>>): Promise<{ items: T[]; pages: Page<T>[] }> {
  const items: T[] = [];
  const pages: Page<T>[] = [];
  for await (const page of stream) {
    pages.push(page);
    items.push(...page.items);
  }
  return { items, pages };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function expectCustomerShape(c: CustomerSnapshot) {
  expect(typeof c.platformId).toBe("string");
  expect(c.createdAt).toMatch(ISO);
  expect(c.updatedAt).toMatch(ISO);
  if (c.cpf !== null) expect(c.cpf).toMatch(/^\d{11}$/);
}

function expectOrderShape(o: OrderSnapshot) {
  expect(typeof o.platformId).toBe("string");
  expect(o.totalAmount).toMatch(/^-?\d+(\.\d+)?$/);
  expect(o.placedAt).toMatch(ISO);
  expect(o.updatedAt).toMatch(ISO);
  if (o.cancelledAt !== null) expect(o.cancelledAt).toMatch(ISO);
}

export function runPlatformClientContract(harness: ContractHarness) {
  describe(`PlatformClient contract: ${harness.platform}`, () => {
    let store: ContractStore;

    beforeAll(async () => {
      store = await harness.start({ customers: 450, orders: 900, seed: 7 });
    }, 60_000);
    afterAll(async () => {
      await store?.close();
    });

    it("counts what the store holds", async () => {
      const counts = await store.client.storeCounts();
      expect(counts).toEqual({ customers: store.customerIds().length, orders: store.orderIds().length });
    });

    for (const mode of ["paged", "bulk"] as const) {
      it(`streams every customer exactly once (${mode})`, async () => {
        const { items, pages } = await drain(store.client.customers({ mode }));
        items.forEach(expectCustomerShape);
        const ids = items.map((c) => c.platformId);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...store.customerIds()].sort());
        expect(pages.at(-1)?.cursor).toBeNull();
        expect(pages.slice(0, -1).every((p) => typeof p.cursor === "string")).toBe(true);
      }, 60_000);

      it(`streams every order exactly once, with buyer and totals (${mode})`, async () => {
        const { items } = await drain(store.client.orders({ mode }));
        items.forEach(expectOrderShape);
        const ids = items.map((o) => o.platformId);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual([...store.orderIds().sort()]);
        const customers = new Set(store.customerIds());
        for (const o of items) if (o.customerId !== null) expect(customers.has(o.customerId)).toBe(true);
      }, 60_000);
    }

    it("resumes from any page's cursor without losing or repeating a customer", async () => {
      const first = await drain(store.client.customers({ mode: "paged" }));
      expect(first.pages.length).toBeGreaterThan(2);
      const cut = Math.floor(first.pages.length / 2);
      const before = first.pages.slice(0, cut).flatMap((p) => p.items.map((c) => c.platformId));
      const resumed = await drain(store.client.customers({ mode: "paged", cursor: first.pages[cut - 1]!.cursor }));
      const all = [...before, ...resumed.items.map((c) => c.platformId)];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual([...store.customerIds()].sort());
    }, 60_000);

    it("pulls only what changed since an instant (incremental re-sync)", async () => {
      const since = new Date(Date.now() - 1000);
      const created = await store.createCustomer({ email: "Nova.Cliente@Example.com", firstName: "Nova", lastName: "Cliente", cpf: "52998224725" });
      const existing = store.customerIds().find((id) => id !== created)!;
      await store.renameCustomer(existing, "Renamed");
      const { items } = await drain(store.client.customers({ updatedSince: since, mode: "paged" }));
      const ids = items.map((c) => c.platformId);
      expect(ids).toContain(created);
      expect(ids).toContain(existing);
      expect(items.length).toBeLessThan(10);
      expect(items.find((c) => c.platformId === existing)?.firstName).toBe("Renamed");
    }, 60_000);

    it("reads one customer by id, and null for one that does not exist", async () => {
      const id = await store.createCustomer({ email: "ana.souza@example.com.br", firstName: "Ana", lastName: "Souza", phone: "+5511987654321" });
      const customer = await store.client.customer(id);
      expect(customer).toMatchObject({ platformId: id, email: "ana.souza@example.com.br", firstName: "Ana", lastName: "Souza" });
      expectCustomerShape(customer!);
      const missing = harness.platform === "shopify" ? "gid://shopify/Customer/1" : "1";
      expect(await store.client.customer(missing)).toBeNull();
    }, 30_000);

    it("reads one order by id as the streams show it, and null for one that does not exist", async () => {
      const page = await first(store.client.orders({ mode: "paged" }));
      const picks = [page.items[0]!, page.items.find((o) => o.customerId === null) ?? page.items[1]!, page.items.at(-1)!];
      for (const streamed of picks) {
        const order = await store.client.order(streamed.platformId);
        expectOrderShape(order!);
        expect(order).toEqual(streamed);
      }
      const missing = harness.platform === "shopify" ? "gid://shopify/Order/1" : "1";
      expect(await store.client.order(missing)).toBeNull();
      expect(await store.client.order("not-an-id")).toBeNull();
    }, 30_000);

    it("retries 5xx answers and succeeds", async () => {
      await store.failNext(2, 503);
      await store.failNext(1, 500);
      const counts = await store.client.storeCounts();
      expect(counts.customers).toBe(store.customerIds().length);
    }, 60_000);

    it("waits out a 429 / throttle and succeeds", async () => {
      await store.failNext(1, 429);
      const page = await first(store.client.customers({ mode: "paged" }));
      expect(page.items.length).toBeGreaterThan(0);
    }, 60_000);

    it("paces itself under an exhausted rate limit instead of failing", async () => {
      await store.exhaustRateLimit();
      const page = await first(store.client.customers({ mode: "paged" }));
      expect(page.items.length).toBeGreaterThan(0);
    }, 60_000);

    it("gives up with a typed, retryable error when the platform stays down", async () => {
      await store.failNext(50, 502);
      const error = await store.client.storeCounts().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).retryable).toBe(true);
      await store.failNext(0, 502);
    }, 120_000);

    it("writes balances the store then holds, and a rewrite replaces them", async () => {
      const ids = store.customerIds().slice(0, 60);
      const result = await store.client.writeBalances(ids.map((customerId, i) => ({ customerId, points: 100 + i, tier: i % 2 ? "Ouro" : null, restoredAt: null })));
      expect(result).toEqual({ written: 60, failed: [] });
      expect(await store.storedBalance(ids[0]!)).toEqual({ points: 100, tier: null, restoredAt: null });
      expect(await store.storedBalance(ids[59]!)).toEqual({ points: 159, tier: "Ouro", restoredAt: null });
      const restoredAt = "2026-11-20T10:00:00.000Z";
      await store.client.writeBalances([{ customerId: ids[0]!, points: 7, tier: "Prata", restoredAt }]);
      expect(await store.storedBalance(ids[0]!)).toEqual({ points: 7, tier: "Prata", restoredAt });
    }, 60_000);

    it("reports a balance for an unknown customer as failed and writes the others", async () => {
      const known = store.customerIds()[100]!;
      const unknown = harness.platform === "shopify" ? "gid://shopify/Customer/1" : "1";
      const result = await store.client.writeBalances([
        { customerId: known, points: 5, tier: null, restoredAt: null },
        { customerId: unknown, points: 5, tier: null, restoredAt: null },
      ]);
      expect(result.written).toBe(1);
      expect(result.failed).toEqual([{ customerId: unknown, message: expect.any(String) }]);
      expect(await store.storedBalance(known)).toMatchObject({ points: 5 });
    }, 60_000);
  });
}

async function first<T>(stream: AsyncIterable<Page<T>>): Promise<Page<T>> {
  for await (const page of stream) return page;
  throw new Error("the stream had no page");
}

export type { StreamOptions };
