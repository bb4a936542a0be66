import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ACCESS_TOKEN, startNuvemshopEmulator, type NuvemshopEmulator } from "../../../tests/emulators/nuvemshop/server";
import type { Page } from "../platform-client";
import { NuvemshopClient, type NuvemshopClientOptions } from "./nuvemshop-client.server";

async function drain<T>(stream: AsyncIterable<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  for await (const page of stream) pages.push(page);
  return pages;
}

async function control<T = unknown>(emu: NuvemshopEmulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}${path}`, { method, ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }) });
  return (await res.json()) as T;
}

// The production Nuvemshop client against the local emulator, writing dates in store time (-0300).
describe("NuvemshopClient against the Nuvemshop emulator", () => {
  let emu: NuvemshopEmulator;
  beforeAll(async () => {
    emu = await startNuvemshopEmulator({ customers: 230, orders: 420, seed: 5, dateOffset: "-0300", bucket: { size: 400, leakPerSecond: 200 } });
  });
  afterAll(() => emu.close());

  const client = (options: Partial<NuvemshopClientOptions> = {}) =>
    new NuvemshopClient({
      origin: emu.url,
      storeId: emu.store.options.storeId,
      accessToken: DEFAULT_ACCESS_TOKEN,
      userAgent: "Carryover tests (dev@carryover.test)",
      baseDelayMs: 5,
      ...options,
    });
  const requests = async () => (await control<{ count: number }>(emu, "GET", "/_emulator/requests")).count;

  it("reads -0300 store-time dates as the right UTC instants, CPFs only when valid, names split", async () => {
    const pages = await drain(client().customers());
    const all = pages.flatMap((p) => p.items);
    expect(all).toHaveLength(230);
    expect(pages.map((p) => p.total)).toEqual([230, 230]);
    for (const [i, c] of all.entries()) {
      expect(c.createdAt).toBe(new Date((emu.store.cCreated[i] ?? 0) * 1000).toISOString());
      expect(c.updatedAt).toBe(new Date((emu.store.cUpdated[i] ?? 0) * 1000).toISOString());
      const raw = emu.store.identification(i);
      expect(c.cpf).toBe(raw === null ? null : raw.replace(/\D/g, ""));
      expect(`${c.firstName} ${c.lastName}`).toBe(emu.store.name(i));
    }
    const cnpj = await control<{ customer: { id: number } }>(emu, "POST", "/_emulator/customers", { name: "Padaria", identification: "11.222.333/0001-81", deliver: false });
    const typo = await control<{ customer: { id: number } }>(emu, "POST", "/_emulator/customers", { name: "Zé", identification: "529.982.247-24", deliver: false });
    expect(await client().customer(String(cnpj.customer.id))).toMatchObject({ cpf: null, firstName: "Padaria", lastName: null, state: null });
    expect(await client().customer(String(typo.customer.id))).toMatchObject({ cpf: null, firstName: "Zé" });
    expect(await client().customer("not-a-number")).toBeNull();
  });

  it("pulls orders of every payment status (one pass each), with buyers and decimal totals", async () => {
    const pages = await drain(client({ perPage: 50 }).orders());
    const orders = pages.flatMap((p) => p.items);
    expect(orders.map((o) => o.platformId).sort()).toEqual(Array.from({ length: 420 }, (_, j) => String(emu.store.orderId(j))).sort());
    expect(new Set(orders.map((o) => o.financialStatus))).toEqual(new Set(["pending", "authorized", "paid", "abandoned", "refunded", "voided"]));
    for (const o of orders.filter((x) => x.status === "cancelled")) expect(o.cancelledAt).not.toBeNull();
    expect(orders.filter((o) => o.closed).every((o) => o.status === "closed")).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.cursor !== null && p.items.length > 0)).toBe(true);
    expect(pages.at(-1)?.cursor).toBeNull();
    expect(await client().storeCounts()).toEqual({ customers: emu.store.customerCount, orders: 420 });
  });

  it("resumes by since_id: customers registering mid-pull are neither lost nor repeated", async () => {
    const c = client({ perPage: 40 });
    const first: string[] = [];
    let cursor: string | null = null;
    for await (const page of c.customers()) {
      first.push(...page.items.map((x) => x.platformId));
      cursor = page.cursor;
      if (first.length >= 80) break;
    }
    // New customers arrive (new, higher ids) before the crashed pull is resumed.
    for (const k of [1, 2, 3]) await control(emu, "POST", "/_emulator/customers", { name: `Nova ${k}`, email: `nova${k}@example.com`, deliver: false });
    const rest = (await drain(c.customers({ cursor }))).flatMap((p) => p.items.map((x) => x.platformId));
    const all = [...first, ...rest];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(Array.from({ length: emu.store.customerCount }, (_, i) => String(emu.store.customerId(i))));
  });

  it("keeps the incremental filter in the cursor, and refuses a cursor of another stream", async () => {
    const since = new Date(Date.now() - 2000);
    const ids: string[] = [];
    for (const i of [3, 50, 120]) {
      const id = emu.store.customerId(i);
      await control(emu, "PUT", `/_emulator/customers/${id}`, { name: `Mudou ${i}`, deliver: false });
      ids.push(String(id));
    }
    const c = client({ perPage: 1 });
    const pages = await drain(c.customers({ updatedSince: since }));
    const changed = pages.flatMap((p) => p.items);
    expect(changed.map((x) => x.platformId)).toEqual(expect.arrayContaining(ids));
    expect(changed.find((x) => x.platformId === ids[1])).toMatchObject({ firstName: "Mudou", lastName: "50" });
    // Resuming after the first page still only sees changed customers.
    const resumed = (await drain(c.customers({ cursor: pages[0]!.cursor }))).flatMap((p) => p.items);
    expect(resumed).toHaveLength(changed.length - 1);
    const orderCursor = (await drain(client({ perPage: 100 }).orders()))[0]!.cursor;
    await expect(drain(c.customers({ cursor: orderCursor }))).rejects.toMatchObject({ code: "BAD_RESPONSE" });
    await expect(drain(c.customers({ cursor: "garbage" }))).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("balances: an identical rewrite costs no write, a null tier removes the metafield, bad ids fail alone", async () => {
    const c = client();
    const ids = [10, 11, 12, 13].map((i) => String(emu.store.customerId(i)));
    const stored = async (id: string) => Object.fromEntries((await control<Array<{ namespace: string; key: string; value: string }>>(emu, "GET", `/_emulator/metafields?owner_id=${id}`)).filter((m) => m.namespace === "carryover").map((m) => [m.key, m.value]));

    const first = ids.map((customerId) => ({ customerId, points: 250, tier: "Ouro", restoredAt: "2026-11-20T10:00:00.000Z" }));
    expect(await c.writeBalances(first)).toEqual({ written: 4, failed: [] });
    expect(await stored(ids[0]!)).toEqual({ points: "250", tier: "Ouro", restored_at: "2026-11-20T10:00:00.000Z" });

    const before = await requests();
    expect(await c.writeBalances(first)).toEqual({ written: 4, failed: [] });
    expect((await requests()) - before).toBe(1); // one read of the namespace, no writes

    expect(await c.writeBalances([{ customerId: ids[0]!, points: 0, tier: null, restoredAt: null }])).toEqual({ written: 1, failed: [] });
    expect(await stored(ids[0]!)).toEqual({ points: "0" });

    const result = await c.writeBalances([
      { customerId: "gid://shopify/Customer/1", points: 1, tier: null, restoredAt: null },
      { customerId: "999", points: 1, tier: null, restoredAt: null },
      { customerId: ids[1]!, points: 300, tier: "Ouro", restoredAt: null },
    ]);
    expect(result.written).toBe(1);
    expect(result.failed.map((f) => f.customerId)).toEqual(["gid://shopify/Customer/1", "999"]);
    expect(result.failed[1]!.message).toMatch(/no customer 999/);
    expect(await stored(ids[1]!)).toEqual({ points: "300", tier: "Ouro" });
  });

  it("a metafield created by another worker between the lookup and the create is found and updated", async () => {
    const id = emu.store.customerId(20);
    let raced = false;
    // Another worker writes the same metafield just before our POST reaches the store.
    const racingFetch: typeof fetch = async (input, init) => {
      if (!raced && init?.method === "POST" && String(input).endsWith("/metafields")) {
        raced = true;
        await fetch(`${emu.url}/v1/${emu.store.options.storeId}/metafields`, {
          method: "POST",
          headers: { Authentication: `bearer ${DEFAULT_ACCESS_TOKEN}`, "User-Agent": "another worker", "Content-Type": "application/json" },
          body: JSON.stringify({ owner_resource: "Customer", owner_id: id, namespace: "carryover", key: "points", value: "1" }),
        });
      }
      return fetch(input, init);
    };
    expect(await client({ fetch: racingFetch }).writeBalances([{ customerId: String(id), points: 2, tier: null, restoredAt: null }])).toEqual({ written: 1, failed: [] });
    expect(raced).toBe(true);
    const rows = await control<Array<{ key: string; value: string }>>(emu, "GET", `/_emulator/metafields?owner_id=${id}`);
    expect(rows.map((r) => [r.key, r.value])).toEqual([["points", "2"]]);
  });
});
